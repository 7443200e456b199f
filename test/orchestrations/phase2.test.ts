/**
 * Phase 2, fast: the orchestration and its batch sub-orchestrations with scripted activities
 * (fakeActivities.ts), from the end of the onboarding window. A batch holds 50 users.
 */
import { DAY, MINUTE } from "../../shared/domain/duration";
import type { AdminCommands, Attention, MigrationRequest, MigrationState } from "../../shared/workflow";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";
import { serviceDown, tallyOnceAnswered } from "./scripted";

const inPhase2 = (fakes: Fakes = {}, request: Partial<MigrationRequest> = {}, state: Partial<MigrationState> = {}) =>
  runWithFakes({ request, state: { phase: "phase2", ...state }, fakes });

/** The moves to verification, each with its detail and the Phase 2 outcome recorded with it. */
const verification = (run: FakeRun) =>
  run
    .callsOf("recordPhase")
    .filter((c) => c.input.phase === "verification")
    .map((c) => [c.input.phase, c.input.detail, c.input.phase2]);

/** The batch sub-orchestrations, grouped by the parent execution that scheduled them: each wave's instance ids. */
function waves(run: FakeRun): string[][] {
  const byExecution = new Map<number, string[]>();
  for (const child of run.host.engine.listInstances().filter((r) => r.parent?.instanceId === run.id))
    byExecution.set(child.parent!.executionId, [
      ...(byExecution.get(child.parent!.executionId) ?? []),
      child.instanceId,
    ]);
  return [...byExecution.entries()].sort(([a], [b]) => a - b).map(([, ids]) => ids.map((i) => i.slice(run.id.length)));
}

const batches = (users: number, n: number): Fakes => ({ planPhase2: () => ({ users, batches: n }) });

describe("Phase 2 (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("skipped by the request: nothing is planned, and verification records Phase 2 as not needed", async () => {
    run = await inPhase2({}, { phase2: "skip" });
    expect(run.callsOf("planPhase2")).toEqual([]);
    expect(verification(run)).toEqual([
      ["verification", "Phase 2 not needed", { created: 0, failed: 0, skipped: true }],
    ]);
  });

  it("nobody missed the window: the plan is empty and verification records Phase 2 as not needed", async () => {
    run = await inPhase2();
    expect(run.callsOf("planPhase2").map((c) => c.input)).toEqual([{ migrationId: run.id }]);
    expect(run.callsOf("createPeigAccounts")).toEqual([]);
    expect(verification(run)[0]).toEqual([
      "verification",
      "Phase 2 not needed",
      { created: 0, failed: 0, skipped: true },
    ]);
  });

  it("runs the batches as sub-orchestrations, 8 at a time, one wave per execution, and adds up their results", async () => {
    run = await inPhase2({ ...batches(1000, 20), createPeigAccounts: () => ({ created: 50, failed: 0 }) });
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `-phase2-${from + i}`);
    expect(waves(run)).toEqual([ids(0, 8), ids(8, 16), ids(16, 20)]);
    expect(run.callsOf("createPeigAccounts").map((c) => c.input.pass)).toEqual(Array(20).fill(1));
    expect(verification(run)).toEqual([
      ["verification", "Phase 2: 1000 created, 0 failed", { created: 1000, failed: 0, skipped: false }],
    ]);
  });

  it("gives a batch's refused accounts one more pass after 5 minutes, and counts that pass's result", async () => {
    run = await inPhase2({
      ...batches(50, 1),
      createPeigAccounts: (i) => (i.pass === 1 ? { created: 45, failed: 5 } : { created: 48, failed: 2 }),
    });
    expect(run.callsOf("createPeigAccounts").map((c) => [c.at, c.input.pass])).toEqual([[afterStart(0), 1]]);
    await run.host.advanceBy(5 * MINUTE);
    expect(run.callsOf("createPeigAccounts").map((c) => [c.at, c.input.pass])).toEqual([
      [afterStart(0), 1],
      [afterStart(5 * MINUTE), 2],
    ]);
    expect(verification(run)[0][2]).toEqual({ created: 48, failed: 2, skipped: false });
  });

  it("a failing batch pauses the migration and tries the whole wave again under new ids, counting each account once", async () => {
    let peigDown = true;
    run = await inPhase2({
      ...batches(150, 3),
      createPeigAccounts: (i) => {
        if (i.batch === 1 && peigDown) throw serviceDown("createPeigAccounts", "peig", 503);
        return { created: 50, failed: 0 };
      },
    });
    // The failure comes back as the batch's typed result, not as a failed sub-orchestration.
    expect(run.host.engine.listInstances().filter((r) => r.status === "Failed")).toEqual([]);
    expect(run.callsOf("recordAttention").map((c) => c.input.attention)).toEqual([
      expect.objectContaining({ step: "createPeigAccounts", service: "peig", status: 503, failures: 1, needed: false }),
    ]);
    expect(run.phases()).toEqual([]);
    peigDown = false;
    await run.host.advanceBy(MINUTE);
    expect(waves(run)).toEqual([
      ["-phase2-0", "-phase2-1", "-phase2-2"],
      ["-phase2-0-r1", "-phase2-1-r1", "-phase2-2-r1"],
    ]);
    expect(run.callsOf("recordAttention").map((c) => c.input.attention)).toEqual([expect.anything(), null]);
    expect(verification(run)[0][2]).toEqual({ created: 150, failed: 0, skipped: false });
  });

  describe("with approval first (phase2: approve)", () => {
    const decided = (decision: "approve" | "reject") => {
      let open = true;
      const fakes: Fakes = {
        ...batches(50, 1),
        createPeigAccounts: () => ({ created: 50, failed: 0 }),
        tallyHumanTasks: tallyOnceAnswered(() => !open, decision === "approve" ? "approved" : "rejected"),
      };
      return { fakes, decide: () => void (open = false) };
    };

    it("asks the approvers before creating anything, and creates the accounts once they approve", async () => {
      const { fakes, decide } = decided("approve");
      run = await inPhase2(fakes, { phase2: "approve" });
      expect(run.callsOf("openHumanTasks").map((c) => [c.input.purpose, c.input.round])).toEqual([
        ["phase2Approval", 1],
      ]);
      expect(run.callsOf("createPeigAccounts")).toEqual([]);
      decide();
      await run.wake();
      expect(run.callsOf("createPeigAccounts")).toHaveLength(1);
      expect(verification(run)[0][2]).toEqual({ created: 50, failed: 0, skipped: false });
    });

    it("a rejection skips Phase 2 and says why", async () => {
      const { fakes, decide } = decided("reject");
      run = await inPhase2(fakes, { phase2: "approve" });
      decide();
      await run.wake();
      expect(run.callsOf("createPeigAccounts")).toEqual([]);
      expect(verification(run)).toEqual([
        ["verification", "Phase 2 not approved (rejected)", { created: 0, failed: 0, skipped: true }],
      ]);
    });
  });

  describe("in operator mode", () => {
    it("asks the Peig admin to create the accounts, and counts them created once confirmed", async () => {
      let done = false;
      run = await inPhase2(
        { ...batches(70, 2), tallyHumanTasks: tallyOnceAnswered(() => done) },
        {},
        { peigMode: "operator" },
      );
      expect(run.callsOf("openHumanTasks").map((c) => [c.input.purpose, c.input.round])).toEqual([["peigAccounts", 1]]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        waitingFor: "the Peig admin to create the missing accounts",
      });
      done = true;
      await run.wake();
      expect(run.callsOf("createPeigAccounts")).toEqual([]);
      expect(verification(run)).toEqual([
        [
          "verification",
          "Phase 2: the Peig admin confirmed the task for 70 users (round 1)",
          { created: 70, failed: 0, skipped: false },
        ],
      ]);
    });

    it("asks again when the task expires unconfirmed: the admins are told, and a new round opens with a new task", async () => {
      run = await inPhase2({ ...batches(70, 2) }, {}, { peigMode: "operator" });
      await run.host.advanceBy(2 * DAY);
      expect(run.callsOf("openHumanTasks").map((c) => [c.at, c.input.purpose, c.input.round])).toEqual([
        [afterStart(0), "peigAccounts", 1],
        [afterStart(2 * DAY), "peigAccounts", 2],
      ]);
      expect(run.callsOf("closeHumanTasks").map((c) => c.input)).toEqual([
        { migrationId: run.id, gate: "peigAccounts-1", outcome: "expired" },
      ]);
      expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toEqual([
        ["peigAccounts.expired", { round: 1 }],
      ]);
      // Still Phase 2: nothing is counted failed, and the migration waits on the new round.
      expect(verification(run)).toEqual([]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        phase: "phase2",
        waitingFor: "the Peig admin to create the missing accounts (asked again: round 2)",
        waitingOn: [
          expect.objectContaining({
            what: "the Peig admin to create the missing Peig accounts, asked again (round 2)",
          }),
        ],
      });
    });

    it("keeps version 1.0's path for instances started under it: an expired task counts every listed user failed", async () => {
      run = await runWithFakes({
        state: { phase: "phase2", peigMode: "operator" },
        fakes: batches(70, 2),
        version: "1.0",
      });
      await run.host.advanceBy(2 * DAY);
      expect(run.host.instance(run.id).version).toBe("1.0");
      expect(run.callsOf("openHumanTasks").filter((c) => c.input.purpose === "peigAccounts")).toHaveLength(1);
      expect(verification(run)).toEqual([
        ["verification", "Phase 2: 0 created, 70 failed", { created: 0, failed: 70, skipped: false }],
      ]);
    });

    it("needs attention after three rounds expired, asks nothing more by itself, and an admin's resume opens round 4", async () => {
      const commands: Partial<AdminCommands> = {};
      run = await inPhase2(
        { ...batches(70, 2), readAdminCommands: () => ({ deadline: "2026-12-15T09:00:00Z", ...commands }) },
        {},
        { peigMode: "operator" },
      );
      await run.host.advanceBy(6 * DAY);
      const rounds = () => run.callsOf("openHumanTasks").map((c) => c.input.round);
      expect(rounds()).toEqual([1, 2, 3]);
      expect(run.callsOf("notifyAdmins").map((c) => c.input.event)).toEqual([
        "peigAccounts.expired",
        "peigAccounts.expired",
      ]);
      const attention = run.callsOf("recordAttention").map((c) => c.input.attention as Attention);
      expect(attention).toEqual([
        expect.objectContaining({
          step: "peigAccounts",
          service: "people",
          needed: true,
          message: expect.stringContaining("3 rounds in a row: round 3 expired unanswered"),
          fix: expect.stringContaining("Then press Resume: a new task with a new link goes out"),
        }),
      ]);
      expect(attention[0]).not.toHaveProperty("nextAttemptAt");
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        needsAttention: expect.objectContaining({ step: "peigAccounts", service: "people" }),
        waitingFor:
          "an admin to press Resume (the Peig admin's task to create the missing Peig accounts (Phase 2) was not done)",
      });

      // A week later nothing more was asked.
      await run.host.advanceBy(7 * DAY);
      expect(rounds()).toEqual([1, 2, 3]);
      expect(verification(run)).toEqual([]);

      commands.resumeRequested = { by: "it@contoso.com", at: run.host.clock.now().toISOString() };
      await run.wake();
      expect(rounds()).toEqual([1, 2, 3, 4]);
      expect(run.callsOf("recordAttention").at(-1)!.input.attention).toBeNull();
      // Round 4 is the first of three more before it needs attention again.
      await run.host.advanceBy(2 * DAY);
      expect(rounds()).toEqual([1, 2, 3, 4, 5]);
    });
  });
});
