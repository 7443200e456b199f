/**
 * A real tenant's directory replicates: lists trail single reads, and a write can answer 404 right after a GET
 * succeeded (docs/graph-facts.md#replication-delay-after-instantiate). Setup dying right after instantiate must not
 * leave a second PeigMigrationManager behind, and the migration still completes.
 */
import { startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const MINUTE = 60_000;
const migrationApps = () =>
  [...s.stack.graph.state.directory.applications.values()].filter(
    (entry) => entry.resource.displayName === "PeigMigrationManager",
  );
const instantiated = () =>
  s.stack.graph.requestLog.filter((r) => r.path.includes("/instantiate") && r.status === 201).length;

describe("setup dies right after instantiate while directory lists lag", () => {
  it("the rerun finds the app it made by its stored ids: exactly one app, and the migration completes", async () => {
    s = await startScenario({
      tenant: { users: 20, missRate: 0, mismatchRate: 0 },
      stack: {
        graph: {
          replicationDelayMs: 10_000,
          // Lists show the new app only after 30 minutes; writes reach a replica that knows it after 40 seconds.
          listReplicationDelayMs: 30 * MINUTE,
          writeReplicationDelayMs: 40_000,
          // The activity ends right after instantiate: the next request (reading the new app) is refused once.
          faults: { scripted: [{ method: "GET", pathIncludes: "/applications/", status: 403, times: 1 }] },
        },
      },
    });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) !== "setup", 20 * MINUTE);
    expect(await s.phase(id)).toBe("onboarding");
    // The step failed once (the refused read) and its retry went on with the same app, long before lists showed it.
    expect(s.clock.now().getTime()).toBeLessThan(Date.parse(s.stack.graph.requestLog[0].at) + 30 * MINUTE);
    expect(migrationApps()).toHaveLength(1);
    expect(instantiated()).toBe(1);
    const runtime = (await s.stack.store.getMigration(id))?.runtime;
    expect(runtime?.app?.appId).toBe(migrationApps()[0].resource.appId);

    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const [link] = s.taskLinks("cio@contoso.com");
    expect((await s.decide(link, "approve")).status).toBe(200);
    expect(await s.runToEnd(id)).toBe("completed");
    // The one app was deleted at the end; none was left behind.
    expect(instantiated()).toBe(1);
    expect(migrationApps()).toHaveLength(0);
  });
});
