/**
 * The Peig client's budget (shared/pacer.ts TokenBucketPacer, PeigApiClient.sharedBy): activities that
 * each keep to their share together stay within Peig's token bucket, on the virtual clock.
 */
import { VirtualClock } from "../../local/host/clocks";
import { generateTenant, inScopeUsers } from "../../local/fixtures/tenant";
import { contractRateLimit, startPeigSimulator, type PeigSimulatorHandle } from "../../local/peig-simulator";
import { TokenBucketPacer } from "../../shared/pacer";
import { appPeigBudget, PeigApiClient } from "../../shared/peig/apiClient";

describe("TokenBucketPacer", () => {
  it("lets the burst go at once, then one request per 1/rate seconds", async () => {
    const clock = new VirtualClock(new Date("2026-01-01T00:00:00Z"));
    const pacer = new TokenBucketPacer(clock, 2, 3);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await pacer.take();
      times.push(clock.now().getTime() - Date.parse("2026-01-01T00:00:00Z"));
    }
    expect(times).toEqual([0, 0, 0, 500, 1000, 1500, 2000]);
  });

  it("refuses a burst below one request", () => {
    expect(() => new TokenBucketPacer(new VirtualClock(), 1, 0.5)).toThrow(/burst must be ≥ 1/);
  });
});

describe("sharing the app's Peig budget", () => {
  let simulator: PeigSimulatorHandle;
  const tenant = generateTenant({ users: 200, seed: 3, missRate: 1, mismatchRate: 0 });
  afterEach(async () => simulator?.stop());

  async function start(): Promise<PeigApiClient> {
    const clock = new VirtualClock(new Date("2026-01-01T00:00:00Z"));
    simulator = await startPeigSimulator({ clock, tenant, rateLimit: contractRateLimit });
    return new PeigApiClient({ baseUrl: simulator.baseUrl, apiKey: simulator.apiKey, clock });
  }

  it("keeps eight concurrent shares within Peig's limit, never answered 429", async () => {
    const client = await start();
    const ids = inScopeUsers(tenant)
      .slice(0, 80)
      .map((u) => u.id);
    const shares = Array.from({ length: 8 }, () => client.sharedBy(8));
    await Promise.all(
      shares.map(async (share, i) => {
        for (const id of ids.filter((_, j) => j % 8 === i)) await share.createPeigAccount(id);
      }),
    );
    const log = simulator.requestLog.filter((r) => r.operationId === "createPeigAccount");
    expect(log.map((r) => r.status)).toEqual(log.map(() => 201));
    expect(log).toHaveLength(80);
  });

  it("refuses more peers than the budget's burst has tokens", async () => {
    const client = await start();
    expect(() => client.sharedBy(appPeigBudget.burst + 1)).toThrow(/cannot share/);
    expect(() => client.sharedBy(0)).toThrow(/cannot share/);
  });
});
