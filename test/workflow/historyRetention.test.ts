/**
 * History does not pile up (app/purgeHistories.ts): once a completed migration's report is stored and
 * HISTORY_RETENTION (30 days) has passed, the daily timer function purges its orchestration and its Phase 2
 * batches from the task hub, through the real Durable client against the local host; the report, the audit and
 * the user rows stay, and running the purge again changes nothing.
 */
import { HISTORY_PURGED } from "../../app/purgeHistories";
import { DAY, auditOf, playEveryone, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const PURGE = "purgeFinishedHistories";

describe("a completed migration's Durable history", () => {
  it("is purged after the retention; report, audit and users stay; a second run is harmless", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 5, missRate: 0.5, mismatchRate: 0 } });
    const id = await s.start();
    expect(await playEveryone(s, id)).toBe("completed");
    const mine = () =>
      s.host.engine
        .listInstances()
        .map((r) => r.instanceId)
        .filter((i) => i === id || i.startsWith(`${id}-phase2-`));
    const instances = mine();
    expect(instances.filter((i) => i !== id).length).toBeGreaterThan(0); // Phase 2 ran in batches
    const users = (await s.stack.store.getUsers(id)).length;
    const auditBefore = (await s.stack.store.listAudit(id, { limit: 10_000 })).length;

    // Within the retention nothing goes.
    await s.host.advanceBy(29 * DAY);
    await s.host.runFunction(PURGE);
    expect(mine()).toEqual(instances);
    expect(await auditOf(s, id, HISTORY_PURGED)).toHaveLength(0);

    await s.host.advanceBy(1 * DAY + 60_000);
    await s.host.runFunction(PURGE);
    expect(mine()).toEqual([]);
    expect(await s.host.client.getStatus(id).catch(() => undefined)).toBeFalsy();
    const [purged] = await auditOf(s, id, HISTORY_PURGED);
    expect(purged.details).toMatchObject({ instancesDeleted: instances.length, retention: "P30D" });

    // The app's own record stays, and its pages still answer.
    expect((await s.stack.store.getUsers(id)).length).toBe(users);
    expect(await s.stack.store.getReport(id)).toBeDefined();
    expect((await s.stack.store.listAudit(id, { limit: 10_000 })).length).toBe(auditBefore + 1);
    expect((await s.api(`migrations/${id}/report?format=json`)).status).toBe(200);
    expect((await s.api(`migrations/${id}`)).status).toBe(200);

    await s.host.runFunction(PURGE);
    expect(await auditOf(s, id, HISTORY_PURGED)).toHaveLength(1);
    expect((await s.stack.store.listAudit(id, { limit: 10_000 })).length).toBe(auditBefore + 1);
  });

  it("keeps a running migration's history, however old", async () => {
    s = await startScenario({ tenant: { users: 10, seed: 2 } });
    const id = await s.start();
    await s.host.advanceBy(40 * DAY);
    expect((await s.stack.store.getMigration(id))!.status).toBe("running");
    await s.host.runFunction(PURGE);
    expect(s.host.engine.getInstance(id)).toBeDefined();
    expect(await auditOf(s, id, HISTORY_PURGED)).toHaveLength(0);
  });

  it("runs only with the master key, as the Functions host's admin API", async () => {
    s = await startScenario({ tenant: { users: 5, seed: 2 } });
    const url = `${s.host.baseUrl}/admin/functions/${PURGE}`;
    const post = (key: string) => fetch(url, { method: "POST", headers: { "x-functions-key": key }, body: "{}" });
    expect((await post(s.host.functionKey)).status).toBe(401);
    expect((await post(s.host.server.masterKey)).status).toBe(202);
    await s.host.server.invocationsSettled();
  });
});
