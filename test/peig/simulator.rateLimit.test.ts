/** The contract's per-API-key rate limit in the Peig simulator, and the api adapter waiting it out on the clock. */
import { inScopeUsers } from "../../local/fixtures/tenant";
import { startRig, type PeigTestRig } from "./helpers";

let rig: PeigTestRig;
afterEach(() => rig.simulator.stop());

const listUsers = (r: PeigTestRig, apiKey = r.simulator.apiKey) =>
  fetch(`${r.simulator.baseUrl}/users`, { headers: { Authorization: `Bearer ${apiKey}` } });

describe("Peig simulator rate limit", () => {
  it("answers 429 throttled with Retry-After once the burst is spent, and serves again after the wait", async () => {
    rig = await startRig({ rateLimit: { requestsPerSecond: 1, burst: 3 } });
    for (let i = 0; i < 3; i++) expect((await listUsers(rig)).status).toBe(200);

    const refused = await listUsers(rig);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("throttled");
    expect(rig.simulator.requestLog.at(-1)).toMatchObject({ status: 429, fault: "rateLimited" });

    rig.clock.set(new Date(rig.clock.now().getTime() + 1000));
    expect((await listUsers(rig)).status).toBe(200);
  });

  it("does not spend tokens on requests without the API key", async () => {
    rig = await startRig({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    expect((await listUsers(rig, "wrong-key")).status).toBe(401);
    expect((await listUsers(rig)).status).toBe(200);
  });

  it("lets the api adapter create every account, waiting (burst) then (1 / rate) per request on the clock", async () => {
    rig = await startRig({ rateLimit: { requestsPerSecond: 2, burst: 2 } });
    const users = inScopeUsers(rig.tenant).slice(0, 10);
    const started = rig.clock.now().getTime();
    for (const user of users) await rig.client.createPeigAccount(user.id);

    // 2 go at once, the other 8 at 2 per second: 4 seconds of waiting, each throttled request retried once.
    expect(rig.clock.now().getTime() - started).toBe(4000);
    expect(rig.simulator.requestLog.filter((e) => e.fault === "rateLimited")).toHaveLength(4);
    expect(rig.simulator.state.peigAccounts()).toHaveLength(10);
  });

  it("is off unless asked for, and setRateLimit(undefined) turns it off again", async () => {
    rig = await startRig();
    for (let i = 0; i < 30; i++) expect((await listUsers(rig)).status).toBe(200);
    rig.simulator.setRateLimit({ requestsPerSecond: 1, burst: 1 });
    expect((await listUsers(rig)).status).toBe(200);
    expect((await listUsers(rig)).status).toBe(429);
    rig.simulator.setRateLimit(undefined);
    expect((await listUsers(rig)).status).toBe(200);
  });
});
