/**
 * Closing the migration, fast: the orchestration with scripted activities (fakeActivities.ts), from the
 * moment round 1 of the deletion approval passed.
 */
import { DAY, MINUTE } from "../../shared/domain/duration";
import type { ChecklistItem, MigrationState } from "../../shared/workflow";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";
import { failing, serviceDown, tallyOnceAnswered } from "./scripted";

const approved: ChecklistItem[] = [
  { id: "allOnboarded", label: "All users onboarded", met: true, evidence: ["10 of 10"] },
];

const approvedState = (more: Partial<MigrationState> = {}): Partial<MigrationState> => ({
  phase: "closing",
  checklist: approved,
  approvalRound: 1,
  ...more,
});

const closing = (fakes: Fakes = {}, state: Partial<MigrationState> = {}) =>
  runWithFakes({ request: { approvers: ["cio@contoso.com"] }, state: approvedState(state), fakes });

const names = (run: FakeRun) => run.calls.map((c) => c.name).filter((n) => n !== "readAdminCommands");

describe("closing the migration (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("re-checks against the approved checklist, marks deletion started, deletes the Peig configuration and then the app, and reports", async () => {
    run = await closing();
    await run.host.runToCompletion(run.id);
    expect(names(run)).toEqual([
      "verifyChecklist",
      "beginDeletion",
      "deletePeigMigrationConfiguration",
      "deleteMigrationApp",
      "recordPhase",
      "writeReport",
      "recordPhase",
    ]);
    expect(run.callsOf("verifyChecklist")[0].input).toEqual({ migrationId: run.id, approved });
    expect(run.callsOf("beginDeletion")[0].input).toEqual({ migrationId: run.id, instanceId: run.id });
    expect(run.callsOf("deletePeigMigrationConfiguration")[0].input).toEqual({ migrationId: run.id });
    expect(run.callsOf("deleteMigrationApp")[0].input).toEqual({ migrationId: run.id });
    expect(run.phases()).toEqual(["report", "completed"]);
    expect(run.host.instance(run.id).output).toMatchObject({ phase: "completed" });
  });

  it("a user fell back since the approval: nothing is deleted, the admins hear the failed items, and a new approval round opens", async () => {
    const regressed = [
      "All users onboarded: ada@contoso.com is unlinked again",
      "Phase 2 was completed: 1 account failed",
    ];
    const now: ChecklistItem[] = [{ ...approved[0], met: false, evidence: ["9 of 10"] }];
    run = await closing({
      verifyChecklist: () => ({ checklist: now, readyForDeletion: false, reasons: regressed }),
    });
    expect(run.callsOf("notifyAdmins").map((c) => c.input)).toEqual([
      { migrationId: run.id, event: "regressed", details: { regressed } },
    ]);
    expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
      ["approval", `re-check failed after approval: ${regressed[0]}; ${regressed[1]}`],
    ]);
    expect(run.callsOf("openHumanTasks").map((c) => [c.input.purpose, c.input.round])).toEqual([
      ["deletionApproval", 2],
    ]);
    expect(run.callsOf("beginDeletion")).toEqual([]);
    expect(run.callsOf("deletePeigMigrationConfiguration")).toEqual([]);
    expect(run.callsOf("deleteMigrationApp")).toEqual([]);
  });

  it("a cancel that won the deletion mark: nothing is deleted and the migration stops as cancelled", async () => {
    let cancelled = false;
    run = await closing({
      beginDeletion: () => {
        cancelled = true;
        return { ok: false, reason: "cancelled" };
      },
      readAdminCommands: () => ({
        deadline: "2026-12-15T09:00:00Z",
        ...(cancelled ? { cancelRequested: { reason: "wrong tenant", by: "it@contoso.com", at: afterStart(0) } } : {}),
      }),
    });
    await run.host.runToCompletion(run.id);
    expect(run.callsOf("deletePeigMigrationConfiguration")).toEqual([]);
    expect(run.callsOf("deleteMigrationApp")).toEqual([]);
    expect(run.phases()).toEqual(["cancelled"]);
  });

  it("a failed deletion is tried again with the deletions only: the re-check and the mark are not repeated", async () => {
    run = await closing({
      deletePeigMigrationConfiguration: failing(
        1,
        () => serviceDown("deletePeigMigrationConfiguration", "peig"),
        () => "deleted" as const,
      ),
      deleteMigrationApp: failing(
        1,
        () => serviceDown("deleteMigrationApp"),
        () => ({
          servicePrincipal: "deleted",
          application: "deleted",
        }),
      ),
    });
    await run.host.advanceBy(10 * MINUTE);
    expect(run.callsOf("verifyChecklist")).toHaveLength(1);
    expect(run.callsOf("beginDeletion")).toHaveLength(1);
    // The configuration once more after its failure, not again after the app's.
    expect(run.callsOf("deletePeigMigrationConfiguration")).toHaveLength(2);
    expect(run.callsOf("deleteMigrationApp")).toHaveLength(2);
    expect(run.phases()).toEqual(["report", "completed"]);
  });

  describe("in operator mode", () => {
    it("asks the Peig admin to delete the configuration, and deletes the app once they confirm", async () => {
      let done = false;
      run = await closing({ tallyHumanTasks: tallyOnceAnswered(() => done) }, { peigMode: "operator" });
      expect(run.callsOf("openHumanTasks").map((c) => c.input)).toEqual([
        { migrationId: run.id, purpose: "peigDeletion", round: 1, expiresAt: afterStart(2 * DAY) },
      ]);
      expect(run.callsOf("deletePeigMigrationConfiguration")).toEqual([]);
      expect(run.callsOf("deleteMigrationApp")).toEqual([]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        waitingFor: "deletion of the migration configuration",
      });
      done = true;
      await run.wake();
      await run.host.runToCompletion(run.id);
      expect(run.callsOf("verifyChecklist")).toHaveLength(1);
      expect(run.callsOf("beginDeletion")).toHaveLength(1);
      expect(run.callsOf("deleteMigrationApp")).toHaveLength(1);
      expect(run.phases()).toEqual(["report", "completed"]);
    });

    it("stops as failed, keeping the app, when the Peig admin's link expires unconfirmed", async () => {
      run = await closing({}, { peigMode: "operator" });
      await run.host.advanceTo(afterStart(2 * DAY));
      expect(run.callsOf("closeHumanTasks").map((c) => c.input.outcome)).toEqual(["expired"]);
      expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
        ["failed", "the Peig admin did not confirm the deletion (expired)"],
      ]);
      expect(run.callsOf("deleteMigrationApp")).toEqual([]);
      expect(run.host.instance(run.id).status).toBe("Completed");
    });
  });
});
