/**
 * The Peig simulator's console: the runbook's screens as pages whose buttons do exactly what the admin API
 * routes do (the same workspace methods), with the same refusals, behind a CSRF token.
 */
import { PeigConsoleClient } from "../../local/demo/peigConsoleClient";
import { peigConsolePages } from "../../shared/peig/consolePages";
import { applicationId, certificateValidFor, dayMs, startRig, type PeigTestRig } from "./helpers";

const { migration, usersAndAccess, microsoft365Accounts, samlIdpInfo } = peigConsolePages;

/** One admin API call, without an Idempotency-Key (the console sends none either). */
async function api(rig: PeigTestRig, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${rig.simulator.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${rig.simulator.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("the Peig simulator's console", () => {
  let rig: PeigTestRig;
  let browser: PeigConsoleClient;
  beforeEach(async () => {
    rig = await startRig({ tenantSize: 60 });
    browser = new PeigConsoleClient(rig.simulator.consoleUrl);
  });
  afterEach(() => rig.simulator.stop());

  it("serves every runbook screen, marked as the local simulator, with its name as heading and a navigation", async () => {
    for (const screen of Object.values(peigConsolePages)) {
      const page = await browser.open(screen);
      expect(page.status).toBe(200);
      expect(page.html).toContain("Local Peig simulator");
      expect(page.html).toContain(`<h1>${screen.name.split(" → ").pop()!.replace("&", "&amp;")}</h1>`);
      expect(page.html).toContain('aria-current="page"');
    }
    const idp = await browser.open(samlIdpInfo);
    expect(idp.html).toContain(`https://pap01.${rig.tenant.domain}/idp/shibboleth`);
    expect((await fetch(`${rig.simulator.origin}/console/nowhere`)).status).toBe(404);
  });

  it("says what Validate finds, as the API does: an Application ID that is not a GUID, a certificate that does not parse", async () => {
    const fields = {
      applicationId: "PeigMigrationManager",
      idpCertificate: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
    };
    const page = await browser.submit(migration, { ...fields, action: "validate" });
    const viaApi = (await (
      await api(rig, "POST", "/providers/microsoft365/migration-configuration/validate", fields)
    ).json()) as {
      problems: { field: string; message: string }[];
    };
    expect(page.status).toBe(422);
    expect(viaApi.problems.map((p) => p.field)).toEqual(["applicationId", "idpCertificate"]);
    for (const problem of viaApi.problems) expect(page.message).toContain(problem.message);
    expect(page.message).toMatch(/Application ID: must be the Application ID/);
    // The typed values stay in the form, marked invalid.
    expect(page.html).toContain('value="PeigMigrationManager"');
    expect(page.html).toMatch(/id="applicationId"[^>]*aria-invalid="true"/);
    expect(rig.simulator.state.summary().configuration).toBeNull();
  });

  it("refuses Save before Validate, then saves the validated values as the API would", async () => {
    const idpCertificate = certificateValidFor(rig.clock, -1, 365);
    const refused = await browser.submit(migration, { applicationId, idpCertificate, action: "save" });
    expect(refused.status).toBe(409);
    expect(refused.message).toBe("Click Validate with exactly these values before you click Save.");

    const valid = await browser.submit(migration, { applicationId, idpCertificate, action: "validate" });
    expect(valid).toMatchObject({ status: 200, message: "Valid. Click Save to save the migration configuration." });
    const saved = await browser.submit(migration, { applicationId, idpCertificate, action: "save" });
    expect(saved.status).toBe(201);
    expect(saved.html).toContain(applicationId);
    const viaApi = (await (await api(rig, "GET", "/providers/microsoft365/migration-configuration")).json()) as {
      applicationId: string;
    };
    expect(viaApi.applicationId).toBe(applicationId);
  });

  it("refuses a form without the session's CSRF token and changes nothing", async () => {
    const idpCertificate = certificateValidFor(rig.clock, -1, 365);
    await browser.open(migration);
    const forged = await fetch(`${rig.simulator.consoleUrl}${migration.path.slice(1)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ applicationId, idpCertificate, action: "validate", csrf: "guess" }),
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("Nothing was changed");
    expect(rig.simulator.state.snapshot().validatedFingerprints).toEqual([]);
  });

  it("changes the workspace exactly as the same actions through the admin API do", async () => {
    const twin = await startRig({ tenantSize: 60 });
    try {
      const idpCertificate = certificateValidFor(rig.clock, -1, 365);
      const config = { applicationId, idpCertificate };
      // Configuration → Migration: Validate, Save.
      await browser.submit(migration, { ...config, action: "validate" });
      await browser.submit(migration, { ...config, action: "save" });
      await api(twin, "POST", "/providers/microsoft365/migration-configuration/validate", config);
      await api(twin, "PUT", "/providers/microsoft365/migration-configuration", config);
      // Most of the window passes: users onboard, mistyped e-mails wait as requests.
      for (const r of [rig, twin]) r.clock.set(new Date(r.clock.now().getTime() + 10 * dayMs));
      await browser.open(usersAndAccess);
      await api(twin, "GET", "/users");
      const pending = rig.simulator.state.pendingRequests();
      expect(pending.length).toBeGreaterThanOrEqual(3);
      const page = await browser.open(usersAndAccess, { requests: "mismatched" });
      expect(page.html).toContain("Mismatched: matches no Microsoft 365 account’s e-mail address");

      // Users & Access: Approve one, Deny one, Merge one into an existing account (found by its e-mail).
      const target = rig.simulator.state.users()[0];
      expect((await browser.submit(usersAndAccess, { requestId: pending[0].id, action: "approve" })).status).toBe(200);
      expect((await browser.submit(usersAndAccess, { requestId: pending[1].id, action: "deny" })).status).toBe(200);
      const merged = await browser.submit(usersAndAccess, {
        requestId: pending[2].id,
        action: "merge",
        target: target.email,
      });
      expect(merged.message).toContain(`into Peig account ${target.email}`);
      await api(twin, "POST", `/onboarding-requests/${pending[0].id}/approve`);
      await api(twin, "POST", `/onboarding-requests/${pending[1].id}/deny`);
      await api(twin, "POST", `/onboarding-requests/${pending[2].id}/merge`, { targetUserId: target.id });
      // Handled twice: the console says so, as the API's 409 does.
      const again = await browser.submit(usersAndAccess, { requestId: pending[0].id, action: "deny" });
      expect(again).toMatchObject({ status: 409, message: expect.stringContaining("was already approved") });

      // MS365 Identifiers → Microsoft 365 Accounts: Create Peig Account for one unlinked user; twice is a 409.
      const unlinked = rig.simulator.state.microsoft365Accounts().find((a) => a.linkStatus === "unlinked")!;
      const list = await browser.open(microsoft365Accounts, { link: "unlinked" });
      expect(list.html).toContain(`aria-label="Create Peig Account for ${unlinked.userPrincipalName}"`);
      expect((await browser.submit(microsoft365Accounts, { microsoft365UserId: unlinked.id })).status).toBe(201);
      expect((await browser.submit(microsoft365Accounts, { microsoft365UserId: unlinked.id })).status).toBe(409);
      await api(twin, "POST", `/ms365-identifiers/microsoft365-accounts/${unlinked.id}/peig-account`);

      // Configuration → Migration: Delete asks for the confirmation first.
      expect((await browser.submit(migration, { action: "delete" })).status).toBe(400);
      expect((await browser.submit(migration, { action: "delete", confirm: "yes" })).status).toBe(200);
      await api(twin, "DELETE", "/providers/microsoft365/migration-configuration");
      const closed = await browser.open(migration);
      expect(closed.html).toContain("The migration configuration was deleted on");
      expect(closed.html).not.toContain('value="save"');

      expect(rig.simulator.state.snapshot()).toEqual(twin.simulator.state.snapshot());
      // The figures the console shows (kept as they change) are what the lists hold, also after a restore.
      const state = rig.simulator.state;
      const counted = (status: string) => state.users().filter((u) => u.status === status).length;
      expect(state.summary()).toMatchObject({
        usersByStatus: { "Not Onboarded": counted("Not Onboarded"), Active: counted("Active"), Suspended: 0 },
        pendingRequests: state.pendingRequests().length,
        linkedMicrosoft365Accounts: state.microsoft365Accounts().filter((a) => a.linkStatus === "linked").length,
      });
      twin.simulator.state.restore(state.snapshot());
      expect(twin.simulator.state.summary()).toEqual(state.summary());
    } finally {
      await twin.simulator.stop();
    }
  });
});
