/**
 * Cancelling, fast: the orchestration with scripted activities (fakeActivities.ts). An admin's cancel is
 * recorded in the store and wakes the orchestration; every execution reads the commands before anything else.
 */
import { HOUR, MINUTE } from "../../shared/domain/duration";
import type { AdminCommands, MigrationState } from "../../shared/workflow";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";
import { serviceDown } from "./scripted";

const REASON = "wrong tenant";
const BY = "it@contoso.com";

/** A migration whose admin commands the test sets; `cancel()` records a cancel and wakes it. */
async function cancellable(state: Partial<MigrationState>, fakes: Fakes = {}) {
  const commands: Partial<AdminCommands> = {};
  const run = await runWithFakes({
    state,
    fakes: { readAdminCommands: () => ({ deadline: "2026-12-15T09:00:00Z", ...commands }), ...fakes },
  });
  const cancel = async () => {
    commands.cancelRequested = { reason: REASON, by: BY, at: run.host.clock.now().toISOString() };
    await run.wake();
  };
  return { run, cancel };
}

describe("cancelling (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("in the onboarding window: closes every open link, tells the admins why, by whom and in which phase, and stops", async () => {
    let cancel: () => Promise<void>;
    ({ run, cancel } = await cancellable({ phase: "onboarding" }));
    await run.host.advanceBy(3 * HOUR);
    await cancel();
    expect(run.callsOf("closeHumanTasks").map((c) => c.input)).toEqual([{ migrationId: run.id, outcome: "cancelled" }]);
    expect(run.callsOf("notifyAdmins").map((c) => [c.at, c.input])).toEqual([
      [
        afterStart(3 * HOUR),
        { migrationId: run.id, event: "cancelled", details: { reason: REASON, by: BY, phase: "onboarding" } },
      ],
    ]);
    expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
      ["cancelled", `cancelled by ${BY}: ${REASON}`],
    ]);
    const instance = run.host.instance(run.id);
    expect(instance.status).toBe("Completed");
    expect(instance.output).toMatchObject({ phase: "cancelled", stoppedBecause: `cancelled by ${BY}: ${REASON}` });
    // Nothing is left to fire: no reminder, no monitor pass.
    expect(run.host.engine.nextTimer()).toBeUndefined();
  });

  it("at a gate: honoured before the tally is read, so no decision made after it counts", async () => {
    let cancel: () => Promise<void>;
    ({ run, cancel } = await cancellable({ phase: "approval", checklist: [] }));
    expect(run.callsOf("openHumanTasks")).toHaveLength(1);
    const tallies = run.callsOf("tallyHumanTasks").length;
    await cancel();
    expect(run.callsOf("tallyHumanTasks")).toHaveLength(tallies);
    expect(run.callsOf("notifyAdmins").map((c) => c.input.details)).toEqual([
      { reason: REASON, by: BY, phase: "approval" },
    ]);
    expect(run.phases()).toEqual(["cancelled"]);
  });

  it("while a step keeps failing: read at the next try, which does not run the step again, and the attention ends", async () => {
    let cancel: () => Promise<void>;
    ({ run, cancel } = await cancellable(
      { phase: "setup" },
      {
        createMigrationApp: () => {
          throw serviceDown("createMigrationApp", "graph", 503);
        },
      },
    ));
    await run.host.advanceBy(10 * MINUTE);
    const attempts = run.callsOf("createMigrationApp").length;
    expect(run.host.instance(run.id).customStatus).toMatchObject({ needsAttention: { step: "createMigrationApp" } });
    await cancel();
    await run.host.advanceBy(HOUR);
    expect(run.callsOf("createMigrationApp")).toHaveLength(attempts);
    expect(run.phases()).toEqual(["cancelled"]);
    expect(run.host.instance(run.id).customStatus).not.toHaveProperty("needsAttention");
  });

  it("once deletion has started (the report phase), a cancel that got through is not honoured: the report is written", async () => {
    run = await runWithFakes({
      state: { phase: "report" },
      fakes: {
        readAdminCommands: () => ({
          deadline: "2026-12-15T09:00:00Z",
          cancelRequested: { reason: REASON, by: BY, at: afterStart(0) },
        }),
      },
    });
    expect(run.callsOf("writeReport")).toHaveLength(1);
    expect(run.callsOf("closeHumanTasks")).toEqual([]);
    expect(run.phases()).toEqual(["completed"]);
  });
});
