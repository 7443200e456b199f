/** Setup's steps, fast: the orchestration with scripted activities (fakeActivities.ts). */
import { DAY } from "../../shared/domain/duration";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";
import { tallyOnceAnswered } from "./scripted";

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

  describe("in operator mode", () => {
    it("asks the Peig admin to save the configuration in Peig, and opens the window once they confirm", async () => {
      let done = false;
      run = await runWithFakes({
        state: { peigMode: "operator" },
        fakes: { tallyHumanTasks: tallyOnceAnswered(() => done) },
      });
      expect(run.callsOf("openHumanTasks").map((c) => c.input)).toEqual([
        { migrationId: run.id, purpose: "peigConfiguration", round: 1, expiresAt: afterStart(2 * DAY) },
      ]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        waitingFor: "the Peig admin to save the migration configuration",
      });
      done = true;
      await run.wake();
      expect(run.callsOf("configurePeigMigration")).toEqual([]);
      expect(run.phases()[0]).toBe("onboarding");
    });

    it("stops as failed, deleting nothing, when the Peig admin never confirms the configuration", async () => {
      run = await runWithFakes({ state: { peigMode: "operator" } });
      await run.host.runToCompletion(run.id);
      expect(run.callsOf("closeHumanTasks").map((c) => [c.at, c.input.outcome])).toEqual([
        [afterStart(2 * DAY), "expired"],
      ]);
      expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
        ["failed", "the Peig configuration task expired"],
      ]);
      expect(run.callsOf("sendInvitations")).toEqual([]);
      expect(run.callsOf("beginDeletion")).toEqual([]);
      expect(run.callsOf("deleteMigrationApp")).toEqual([]);
      expect(run.host.instance(run.id).output).toMatchObject({
        phase: "failed",
        stoppedBecause: "the Peig configuration task expired",
      });
    });
  });
});
