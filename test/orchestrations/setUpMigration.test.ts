/** Setup's steps, fast: the orchestration with scripted activities (fakeActivities.ts). */
import { runWithFakes, type FakeRun } from "./fakeActivities";

describe("setting up the migration (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("resolves the server, creates the app for it (read from the store, not passed), configures Peig, then opens the window", async () => {
    run = await runWithFakes({});
    expect(run.calls.slice(0, 4).map((c) => [c.name, c.input])).toEqual([
      ["readAdminCommands", { migrationId: run.id }],
      ["resolvePeigServer", { migrationId: run.id }],
      ["createMigrationApp", { migrationId: run.id }],
      ["configurePeigMigration", { migrationId: run.id }],
    ]);
    expect(run.phases()[0]).toBe("onboarding");
  });

  it("after a failed step, goes on from it: the steps done are not run again", async () => {
    let failures = 1;
    run = await runWithFakes({
      fakes: {
        createMigrationApp: () => {
          if (failures-- > 0) throw new Error("Graph is down");
          return { appId: "app-1", thumbprint: "T", certificateNotAfter: "2029-12-01T00:00:00.000Z" };
        },
      },
    });
    await run.host.advanceBy(10 * 60_000);
    expect(run.callsOf("resolvePeigServer")).toHaveLength(1);
    expect(run.callsOf("createMigrationApp")).toHaveLength(2);
    expect(run.phases()[0]).toBe("onboarding");
  });
});
