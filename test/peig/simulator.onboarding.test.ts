/** The simulated onboarding window on a virtual clock, seen through the api adapter and the /_sim/ routes. */
import type { TenantUser } from "../../local/fixtures/tenant";
import { applicationId, certificateValidFor, dayMs, startRig, type PeigTestRig } from "./helpers";

const windowMs = 14 * dayMs;

describe("Peig simulator onboarding window", () => {
  let rig: PeigTestRig;
  let signIns: { userId: string; applicationId: string; at: string }[];

  beforeEach(async () => {
    signIns = [];
    rig = await startRig({
      tenantSize: 80,
      onboardingWindowMs: windowMs,
      onMigrationSignIn: (user, appId) =>
        signIns.push({ userId: user.id, applicationId: appId, at: rig.clock.now().toISOString() }),
    });
  });
  afterEach(() => rig.simulator.stop());

  const openWindow = async (): Promise<number> => {
    const idpCertificatePem = certificateValidFor(rig.clock, -1, 365);
    await rig.client.validateMigrationConfiguration({ applicationId, idpCertificatePem });
    await rig.client.saveMigrationConfiguration({ applicationId, idpCertificatePem });
    return rig.clock.now().getTime();
  };
  const members = (): TenantUser[] => rig.tenant.users.filter((u) => u.accountEnabled && u.userType === "Member");
  const onboardingBy = (fraction: number): TenantUser[] =>
    members().filter((u) => u.behaviour.onboardsAt !== null && u.behaviour.onboardsAt <= fraction);

  it("lets nobody onboard before the migration configuration is saved", async () => {
    rig.clock.set(new Date(rig.clock.now().getTime() + windowMs));
    await expect(rig.client.listUsers()).resolves.toEqual([]);
    expect(signIns).toEqual([]);
  });

  it("onboards each user at their fraction of the window: matched ones linked, mismatched ones as pending requests", async () => {
    const start = await openWindow();
    rig.clock.set(new Date(start + windowMs / 2));

    const due = onboardingBy(0.5);
    const matched = due.filter((u) => !u.behaviour.typedEmail);
    const mismatched = due.filter((u) => u.behaviour.typedEmail);
    expect(matched.length).toBeGreaterThan(0);
    expect(mismatched.length).toBeGreaterThan(0);

    const users = await rig.client.listUsers();
    expect(users).toHaveLength(matched.length);
    const byEmail = new Map(users.map((u) => [u.email, u]));
    for (const user of matched) {
      const expectedAt = new Date(start + Math.round((user.behaviour.onboardsAt as number) * windowMs)).toISOString();
      expect(byEmail.get(user.mail ?? user.userPrincipalName)).toMatchObject({
        status: "Active",
        onboardedAt: expectedAt,
      });
    }

    const pending = await rig.client.listPendingRequests();
    expect(pending.map((r) => r.email).sort()).toEqual(mismatched.map((u) => u.behaviour.typedEmail).sort());

    const linked = (await rig.client.listMicrosoft365Accounts()).filter((a) => a.linkStatus === "linked");
    expect(linked.map((a) => a.id).sort()).toEqual(matched.map((u) => u.id).sort());
  });

  it("calls onMigrationSignIn once per onboarding user, with the saved Application ID", async () => {
    const start = await openWindow();
    rig.clock.set(new Date(start + windowMs / 3));
    await rig.client.listUsers();
    rig.clock.set(new Date(start + windowMs));
    await rig.client.listUsers();
    await rig.client.listPendingRequests();

    const expected = onboardingBy(1)
      .map((u) => u.id)
      .sort();
    expect(signIns.map((s) => s.userId).sort()).toEqual(expected);
    expect(new Set(signIns.map((s) => s.applicationId))).toEqual(new Set([applicationId]));
  });

  it("leaves users who never onboard unlinked, and closes migration onboarding when the configuration is deleted", async () => {
    const start = await openWindow();
    rig.clock.set(new Date(start + windowMs));
    const missed = members().filter((u) => u.behaviour.onboardsAt === null);
    expect(missed.length).toBeGreaterThan(1);
    for (const user of missed)
      await expect(rig.client.getMicrosoft365Account(user.id)).resolves.toMatchObject({ linkStatus: "unlinked" });

    const [withPlaceholder, without] = missed;
    await rig.client.createPeigAccount(withPlaceholder.id);
    await rig.client.deleteMigrationConfiguration();
    const signInsBefore = signIns.length;

    expect(() => rig.simulator.onboardUser(without.id)).toThrow(/no migration configuration/);
    // A placeholder can still be completed in the Peig app: that is not a migration sign-in.
    expect(rig.simulator.onboardUser(withPlaceholder.id)).toBe("completedPlaceholder");
    expect(signIns).toHaveLength(signInsBefore);
    await expect(rig.client.listUsers()).resolves.toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: withPlaceholder.mail ?? withPlaceholder.userPrincipalName, status: "Active" }),
      ]),
    );
  });

  it("completes a placeholder account when its user later onboards through migration", async () => {
    const start = await openWindow();
    const late = onboardingBy(1)
      .filter((u) => !u.behaviour.typedEmail)
      .sort((a, b) => (b.behaviour.onboardsAt as number) - (a.behaviour.onboardsAt as number))[0];
    const { peigAccountId } = await rig.client.createPeigAccount(late.id);
    rig.clock.set(new Date(start + windowMs));
    const user = (await rig.client.listUsers()).find((u) => u.id === peigAccountId);
    expect(user).toMatchObject({ status: "Active" });
    expect(signIns.filter((s) => s.userId === late.id)).toHaveLength(1);
    await expect(rig.client.listPeigAccounts()).resolves.toHaveLength(
      onboardingBy(1).filter((u) => !u.behaviour.typedEmail).length,
    );
  });

  it("serves the /_sim/ control routes: state, faults and onboarding a user now", async () => {
    await openWindow();
    const [user] = members().filter((u) => u.behaviour.onboardsAt !== null && !u.behaviour.typedEmail);
    const onboard = await fetch(`${rig.simulator.origin}/_sim/users/${user.id}/onboard`, { method: "POST" });
    await expect(onboard.json()).resolves.toEqual({ outcome: "linked" });

    const faults = await fetch(`${rig.simulator.origin}/_sim/faults`, {
      method: "PUT",
      body: JSON.stringify({ throttleRate: 1, retryAfterSeconds: 3 }),
    });
    expect(faults.status).toBe(200);
    const throttled = await fetch(`${rig.simulator.baseUrl}/users`, {
      headers: { Authorization: `Bearer ${rig.simulator.apiKey}` },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");

    const state = await (await fetch(`${rig.simulator.origin}/_sim/state`)).json();
    expect(state).toMatchObject({
      configuration: { applicationId },
      usersByStatus: { Active: 1, "Not Onboarded": 0, Suspended: 0 },
      linkedMicrosoft365Accounts: 1,
      migrationSignIns: 1,
      faults: { throttleRate: 1, retryAfterSeconds: 3 },
    });
  });
});
