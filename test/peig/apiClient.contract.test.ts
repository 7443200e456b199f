/** The api adapter against the simulator, operation by operation, including the contract's errors. */
import { PeigApiClient, PeigApiError } from "../../shared/peig/apiClient";
import { RetriesExhaustedError } from "../../shared/retry";
import { inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import { applicationId, certificateValidFor, startRig, type PeigTestRig } from "./helpers";

describe("Peig api adapter against the simulator", () => {
  let rig: PeigTestRig;
  let certificate: string;

  beforeEach(async () => {
    rig = await startRig({ autoApproveMatched: false });
    certificate = certificateValidFor(rig.clock, -1, 365);
  });
  afterEach(() => rig.simulator.stop());

  const saveConfiguration = async (): Promise<void> => {
    await rig.client.validateMigrationConfiguration({ applicationId, idpCertificatePem: certificate });
    await rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem: certificate });
  };
  const onboarders = (): TenantUser[] => inScopeUsers(rig.tenant).filter((u) => u.behaviour.onboardsAt !== null);

  describe("SAML IDP Info", () => {
    it("returns the entity id, sign-in and sign-out URLs and a PEM certificate for the server", async () => {
      const info = await rig.client.getSamlIdpInfo();
      expect(info.idpEntityId).toBe("https://pap01.contoso.com/idp/shibboleth");
      expect(info.signInUrl).toBe("https://pap01.contoso.com/idp/profile/SAML2/POST/SSO");
      expect(info.signOutUrl).toBe("https://pap01.contoso.com/idp/profile/Logout");
      expect(info.idpCertificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });
  });

  describe("migration configuration", () => {
    it("reports a configuration never saved as none", async () => {
      await expect(rig.client.getMigrationConfiguration()).resolves.toEqual({ state: "none" });
    });

    it("validates a GUID and a current certificate", async () => {
      await expect(
        rig.client.validateMigrationConfiguration({ applicationId, idpCertificatePem: certificate }),
      ).resolves.toEqual({ valid: true, problems: [] });
    });

    it("names each problem: malformed GUID, unparseable certificate", async () => {
      const result = await rig.client.validateMigrationConfiguration({
        applicationId: "not-a-guid",
        idpCertificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      });
      expect(result.valid).toBe(false);
      expect(result.problems).toHaveLength(2);
      expect(result.problems[0]).toMatch(/^applicationId: /);
      expect(result.problems[1]).toMatch(/^idpCertificate: /);
    });

    it("rejects an expired certificate and one not yet valid", async () => {
      const expired = await rig.client.validateMigrationConfiguration({
        applicationId,
        idpCertificatePem: certificateValidFor(rig.clock, -30, -1),
      });
      expect(expired.problems).toEqual([expect.stringMatching(/^idpCertificate: .*expired/)]);
      const future = await rig.client.validateMigrationConfiguration({
        applicationId,
        idpCertificatePem: certificateValidFor(rig.clock, 2, 30),
      });
      expect(future.problems).toEqual([expect.stringMatching(/^idpCertificate: .*not valid before/)]);
    });

    it("refuses to save values that were not validated first (409 validationRequired)", async () => {
      const save = rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem: certificate });
      await expect(save).rejects.toMatchObject({
        name: "PeigApiError",
        status: 409,
        code: "validationRequired",
        operation: "saveMigrationConfiguration",
      });
    });

    it("refuses to save values that failed validation", async () => {
      const invalid = { applicationId: "nope", idpCertificatePem: certificate };
      await rig.client.validateMigrationConfiguration(invalid);
      await expect(rig.client.saveMigrationConfiguration(invalid)).rejects.toMatchObject({
        status: 409,
        code: "validationRequired",
      });
    });

    it("saves validated values, reads them back, and treats saving them again as unchanged", async () => {
      await rig.client.validateMigrationConfiguration({ applicationId, idpCertificatePem: certificate });
      await expect(
        rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem: certificate }),
      ).resolves.toBe("saved");
      await expect(
        rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem: certificate }),
      ).resolves.toBe("unchanged");
      const saved = await rig.client.getMigrationConfiguration();
      expect(saved).toMatchObject({
        state: "saved",
        configuration: { applicationId, savedAt: rig.clock.now().toISOString() },
      });
      expect(saved.state === "saved" && saved.configuration.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    });

    it("deletes once, then reports alreadyDeleted and when it was deleted, and never lets the configuration be saved again", async () => {
      await saveConfiguration();
      const deletedAt = rig.clock.now().toISOString();
      await expect(rig.client.deleteMigrationConfiguration()).resolves.toBe("deleted");
      await expect(rig.client.deleteMigrationConfiguration()).resolves.toBe("alreadyDeleted");
      await expect(rig.client.getMigrationConfiguration()).resolves.toEqual({ state: "deleted", deletedAt });
      await expect(
        rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem: certificate }),
      ).rejects.toMatchObject({ status: 409, code: "migrationClosed" });
    });
  });

  describe("Users & Access", () => {
    it("lists pending requests and users across pages", async () => {
      await saveConfiguration();
      for (const user of onboarders()) rig.simulator.onboardUser(user.id);
      const pending = await rig.client.listPendingRequests();
      expect(pending).toHaveLength(onboarders().length);
      expect(pending[0]).toEqual({
        id: expect.any(String),
        email: expect.any(String),
        displayName: expect.any(String),
        submittedAt: rig.clock.now().toISOString(),
      });
      await expect(rig.client.listUsers()).resolves.toEqual([]);
    });

    it("approves a request into an active, linked user", async () => {
      await saveConfiguration();
      const matched = onboarders().find((u) => !u.behaviour.typedEmail) as TenantUser;
      rig.simulator.onboardUser(matched.id);
      const [request] = await rig.client.listPendingRequests();
      await rig.client.approveRequest(request.id);
      const [user] = await rig.client.listUsers();
      expect(user).toMatchObject({ email: matched.mail, status: "Active", displayName: matched.displayName });
      await expect(rig.client.getMicrosoft365Account(matched.id)).resolves.toMatchObject({
        linkStatus: "linked",
        peigAccountId: user.id,
      });
      await expect(rig.client.listPendingRequests()).resolves.toEqual([]);
    });

    it("treats approving an approved request again as done, and denying it as a conflict", async () => {
      await saveConfiguration();
      rig.simulator.onboardUser(onboarders()[0].id);
      const [request] = await rig.client.listPendingRequests();
      await rig.client.approveRequest(request.id);
      await expect(rig.client.approveRequest(request.id)).resolves.toBeUndefined();
      await expect(rig.client.denyRequest(request.id)).rejects.toMatchObject({
        status: 409,
        code: "requestAlreadyHandled",
      });
    });

    it("denies a request, which removes it", async () => {
      await saveConfiguration();
      rig.simulator.onboardUser(onboarders()[0].id);
      const [request] = await rig.client.listPendingRequests();
      await rig.client.denyRequest(request.id);
      await expect(rig.client.listPendingRequests()).resolves.toEqual([]);
      await expect(rig.client.listUsers()).resolves.toEqual([]);
    });

    it("merges a pending mistyped request into an existing account", async () => {
      await saveConfiguration();
      const mismatched = onboarders().find((u) => u.behaviour.typedEmail) as TenantUser;
      rig.simulator.onboardUser(mismatched.id);
      const [request] = await rig.client.listPendingRequests();
      expect(request.email).toBe(mismatched.behaviour.typedEmail);
      const { peigAccountId } = await rig.client.createPeigAccount(mismatched.id);
      await rig.client.mergeRequest(request.id, peigAccountId);
      await expect(rig.client.listUsers()).resolves.toEqual([
        expect.objectContaining({ id: peigAccountId, status: "Active" }),
      ]);
      await expect(rig.client.listPeigAccounts()).resolves.toEqual([
        expect.objectContaining({ id: peigAccountId, linkStatus: "linked", microsoft365UserId: mismatched.id }),
      ]);
      await expect(rig.client.mergeRequest(request.id, peigAccountId)).resolves.toBeUndefined();
    });

    it("answers 404 for an unknown request and an unknown merge target", async () => {
      await expect(rig.client.approveRequest("req-000404")).rejects.toMatchObject({
        status: 404,
        code: "onboardingRequestNotFound",
      });
      await expect(rig.client.denyRequest("req-000404")).rejects.toMatchObject({
        status: 404,
        code: "onboardingRequestNotFound",
      });
      await saveConfiguration();
      rig.simulator.onboardUser(onboarders()[0].id);
      const [request] = await rig.client.listPendingRequests();
      await expect(rig.client.mergeRequest(request.id, "peig-404404")).rejects.toMatchObject({
        status: 404,
        code: "userNotFound",
      });
    });
  });

  describe("MS365 Identifiers", () => {
    it("lists the tenant's enabled members as Microsoft 365 accounts, all pages", async () => {
      const accounts = await rig.client.listMicrosoft365Accounts();
      const members = rig.tenant.users.filter((u) => u.accountEnabled && u.userType === "Member");
      expect(accounts.map((a) => a.id).sort()).toEqual(members.map((u) => u.id).sort());
      expect(accounts.every((a) => a.linkStatus === "unlinked" && a.peigAccountId === null)).toBe(true);
    });

    it("creates a placeholder Peig account, pre-linked and Not Onboarded", async () => {
      const [user] = inScopeUsers(rig.tenant);
      const result = await rig.client.createPeigAccount(user.id);
      expect(result).toEqual({ peigAccountId: expect.any(String), created: true });
      await expect(rig.client.listPeigAccounts()).resolves.toEqual([
        {
          id: result.peigAccountId,
          displayName: user.displayName,
          email: user.mail,
          linkStatus: "linked",
          microsoft365UserId: user.id,
        },
      ]);
      await expect(rig.client.listUsers()).resolves.toEqual([
        expect.objectContaining({ id: result.peigAccountId, status: "Not Onboarded", onboardedAt: null }),
      ]);
    });

    it("turns accountAlreadyExists into success with the existing account (idempotent)", async () => {
      const [user] = inScopeUsers(rig.tenant);
      const first = await rig.client.createPeigAccount(user.id);
      const second = await rig.client.createPeigAccount(user.id);
      expect(second).toEqual({ peigAccountId: first.peigAccountId, created: false });
      await expect(rig.client.listPeigAccounts()).resolves.toHaveLength(1);
    });

    it("replays the first response for a repeated Idempotency-Key and refuses the key for another account", async () => {
      const [user, other] = inScopeUsers(rig.tenant);
      const post = (id: string) =>
        fetch(`${rig.simulator.baseUrl}/ms365-identifiers/microsoft365-accounts/${id}/peig-account`, {
          method: "POST",
          headers: { Authorization: `Bearer ${rig.simulator.apiKey}`, "Idempotency-Key": "key-1" },
        });
      const first = await post(user.id);
      const replay = await post(user.id);
      expect([first.status, replay.status]).toEqual([201, 201]);
      await expect(replay.json()).resolves.toEqual(await first.json());
      const misuse = await post(other.id);
      expect(misuse.status).toBe(422);
      await expect(misuse.json()).resolves.toMatchObject({ error: { code: "idempotencyKeyReused" } });
      await expect(rig.client.listPeigAccounts()).resolves.toHaveLength(1);
    });

    it("answers 404 for an unknown Microsoft 365 account, and null when looking one up", async () => {
      const unknown = "00000000-0000-4000-8000-000000000404";
      await expect(rig.client.createPeigAccount(unknown)).rejects.toMatchObject({
        status: 404,
        code: "microsoft365AccountNotFound",
        operation: "createPeigAccount",
      });
      await expect(rig.client.getMicrosoft365Account(unknown)).resolves.toBeNull();
    });

    it("does not offer disabled users or guests on the Microsoft 365 Accounts tab", async () => {
      const excluded = rig.tenant.users.filter((u) => !u.accountEnabled || u.userType === "Guest");
      expect(excluded.length).toBeGreaterThan(0);
      for (const user of excluded) await expect(rig.client.getMicrosoft365Account(user.id)).resolves.toBeNull();
    });
  });

  describe("errors", () => {
    it("names the operation and Peig's code, and never shows the API key", async () => {
      const client = new PeigApiClient({
        baseUrl: rig.simulator.baseUrl,
        apiKey: "wrong-secret-key",
        clock: rig.clock,
      });
      const error = await client.listUsers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PeigApiError);
      expect((error as PeigApiError).message).toMatch(/^Peig listUsers failed: HTTP 401 unauthorized/);
      expect(JSON.stringify(error)).not.toContain("wrong-secret-key");
      expect((error as Error).message).not.toContain("wrong-secret-key");
    });

    it("gives up after the policy's attempts when Peig keeps throttling, having honoured Retry-After", async () => {
      rig.simulator.setFaults({ throttleRate: 1, retryAfterSeconds: 7 });
      const client = new PeigApiClient({
        baseUrl: rig.simulator.baseUrl,
        apiKey: rig.simulator.apiKey,
        clock: rig.clock,
        retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
      });
      const started = rig.clock.now().getTime();
      await expect(client.getSamlIdpInfo()).rejects.toBeInstanceOf(RetriesExhaustedError);
      expect(client.counter.get("getSamlIdpInfo")).toBe(3);
      expect(rig.clock.now().getTime() - started).toBe(2 * 7000);
    });

    it("pages with pageSize and nextCursor without skipping or repeating items", async () => {
      const headers = { Authorization: `Bearer ${rig.simulator.apiKey}` };
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const response = await fetch(
          `${rig.simulator.baseUrl}/ms365-identifiers/microsoft365-accounts?pageSize=7${query}`,
          { headers },
        );
        const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(7);
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      const all = (await rig.client.listMicrosoft365Accounts()).map((a) => a.id);
      expect(pages).toBe(Math.ceil(all.length / 7));
      expect(ids).toEqual(all);
      const tooBig = await fetch(`${rig.simulator.baseUrl}/users?pageSize=501`, { headers });
      expect(tooBig.status).toBe(400);
    });

    it("rejects an invalid cursor and an unknown path with the documented error body", async () => {
      const headers = { Authorization: `Bearer ${rig.simulator.apiKey}` };
      const badCursor = await fetch(`${rig.simulator.baseUrl}/users?cursor=bogus`, { headers });
      expect(badCursor.status).toBe(400);
      await expect(badCursor.json()).resolves.toEqual({
        error: { code: "invalidCursor", message: expect.any(String) },
      });
      const unknown = await fetch(`${rig.simulator.baseUrl}/nothing-here`, { headers });
      expect(unknown.status).toBe(404);
      const wrongMethod = await fetch(`${rig.simulator.baseUrl}/users`, { method: "DELETE", headers });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("allow")).toBe("GET");
    });
  });
});
