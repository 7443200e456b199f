/** The api adapter under throttling, 503s and lost responses: retries stay bounded and nothing is duplicated. */
import { inScopeUsers } from "../../local/fixtures/tenant";
import { startRig, type PeigTestRig } from "./helpers";

describe("Peig api adapter with a 30% fault rate", () => {
  let rig: PeigTestRig;

  beforeEach(async () => {
    rig = await startRig({
      tenantSize: 60,
      faults: { throttleRate: 0.1, serverErrorRate: 0.1, responseLossRate: 0.1, retryAfterSeconds: 2, seed: 42 },
      retryPolicy: { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 },
    });
  });
  afterEach(() => rig.simulator.stop());

  it("creates exactly one Peig account per Microsoft 365 user, looking up before retrying", async () => {
    const users = inScopeUsers(rig.tenant);
    const results = [];
    for (const user of users) results.push(await rig.client.createPeigAccount(user.id));

    const faults = rig.simulator.requestLog
      .filter((entry) => entry.operationId === "createPeigAccount")
      .map((entry) => entry.fault);
    expect(faults).toEqual(expect.arrayContaining(["throttled", "serverError", "responseLost"]));
    expect(rig.client.counter.get("getMicrosoft365Account")).toBeGreaterThan(0);

    rig.simulator.setFaults({});
    const accounts = await rig.client.listPeigAccounts();
    expect(accounts).toHaveLength(users.length);
    expect(new Set(accounts.map((a) => a.microsoft365UserId))).toEqual(new Set(users.map((u) => u.id)));
    expect(results.map((r) => r.peigAccountId).sort()).toEqual(accounts.map((a) => a.id).sort());
  });

  it("reports every account as already existing when the whole batch runs again", async () => {
    const users = inScopeUsers(rig.tenant).slice(0, 10);
    const first = [];
    for (const user of users) first.push(await rig.client.createPeigAccount(user.id));
    const again = [];
    for (const user of users) again.push(await rig.client.createPeigAccount(user.id));
    expect(again).toEqual(first.map((r) => ({ peigAccountId: r.peigAccountId, created: false })));
  });

  it("reads every page despite the faults", async () => {
    const accounts = await rig.client.listMicrosoft365Accounts();
    const members = rig.tenant.users.filter((u) => u.accountEnabled && u.userType === "Member");
    expect(accounts).toHaveLength(members.length);
    expect(rig.client.counter.get("listMicrosoft365Accounts")).toBeGreaterThanOrEqual(1);
  });
});
