/**
 * Verification and the Peig admin's merge task in it, fast: the orchestration with scripted activities
 * (fakeActivities.ts), from the end of Phase 2. The sample request re-checks every 12 hours (monitorEvery);
 * task links expire after 2 days and are reminded daily.
 */
import { DAY, HOUR, MINUTE } from "../../shared/domain/duration";
import type { ActivityResult } from "../../orchestrations/common";
import type { AdminCommands, Attention, ChecklistItem, MigrationState } from "../../shared/workflow";
import { afterStart, runWithFakes, type Fakes, type FakeRun } from "./fakeActivities";
import { failing, serviceDown, tallyOnceAnswered } from "./scripted";

const item = (id: ChecklistItem["id"], label: string, met: boolean): ChecklistItem => ({
  id,
  label,
  met,
  evidence: [],
});
const READY: ActivityResult<"verifyChecklist"> = {
  checklist: [item("allOnboarded", "All users onboarded", true)],
  readyForDeletion: true,
  reasons: [],
};
const notReady = (...missing: string[]): ActivityResult<"verifyChecklist"> => ({
  checklist: [
    item("allOnboarded", "All users onboarded", true),
    ...missing.map((m) => item("accountsLinked", m, false)),
  ],
  readyForDeletion: false,
  reasons: [],
});

const verifying = (fakes: Fakes = {}, state: Partial<MigrationState> = {}) =>
  runWithFakes({ state: { phase: "verification", ...state }, fakes });

const opened = (run: FakeRun) => run.callsOf("openHumanTasks").map((c) => `${c.input.purpose}-${c.input.round}`);

describe("verification (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("ready: stores the checklist and asks the approvers (api mode)", async () => {
    run = await verifying();
    expect(run.callsOf("verifyChecklist").map((c) => c.input)).toEqual([{ migrationId: run.id }]);
    expect(run.phases()).toEqual(["approval"]);
    expect(opened(run)).toEqual(["deletionApproval-1"]);
    expect(run.callsOf("notifyAdmins")).toEqual([]);
  });

  it("not ready: tells the admins what is missing once per gap, and checks again every monitorEvery", async () => {
    const answers = [
      notReady("Ada is not linked"),
      notReady("Ada is not linked"),
      notReady("Bob is not linked"),
      READY,
    ];
    run = await verifying({ verifyChecklist: () => answers.shift()! });
    expect(run.host.instance(run.id).customStatus).toMatchObject({ waitingFor: "the checklist: Ada is not linked" });
    await run.host.advanceTo(afterStart(36 * HOUR));
    expect(run.callsOf("verifyChecklist").map((c) => c.at)).toEqual([0, 12, 24, 36].map((h) => afterStart(h * HOUR)));
    // The same gap at 12 hours is not told again; a new one is.
    expect(run.callsOf("notifyAdmins").map((c) => [c.at, c.input.event, c.input.details])).toEqual([
      [afterStart(0), "notReady", { missing: ["Ada is not linked"] }],
      [afterStart(24 * HOUR), "notReady", { missing: ["Bob is not linked"] }],
    ]);
    expect(run.phases()).toEqual(["approval"]);
  });

  describe("the merge task (api mode)", () => {
    /** Not ready until the merges are performed; `decision` is the Peig admin's answer once `decide()` is called. */
    function mistyped(decision: "done" | "rejected" = "done") {
      let decided = false;
      let merged = false;
      const fakes: Fakes = {
        verifyChecklist: () => (merged ? READY : notReady("2 requests typed with another e-mail")),
        planMerges: () => ({ asks: 2, requests: 2 }),
        tallyHumanTasks: tallyOnceAnswered(() => decided, decision),
        performMerges: () => {
          merged = true;
          return { merged: 2, alreadyHandled: 0, failed: 0 };
        },
      };
      return { fakes, decide: () => void (decided = true), mergeByHand: () => void (merged = true) };
    }

    it("asks the Peig admin to merge the mistyped requests; once confirmed, merges them and checks again at once", async () => {
      const { fakes, decide } = mistyped();
      run = await verifying(fakes);
      expect(run.callsOf("planMerges").map((c) => c.input)).toEqual([{ migrationId: run.id, round: 1 }]);
      expect(opened(run)).toEqual(["peigMerges-1"]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        waitingOn: [expect.objectContaining({ what: expect.stringContaining("2 pending requests") })],
      });
      await run.host.advanceBy(3 * HOUR);
      decide();
      await run.wake();
      expect(run.callsOf("performMerges").map((c) => [c.at, c.input])).toEqual([
        [afterStart(3 * HOUR), { migrationId: run.id, round: 1 }],
      ]);
      // Checked again right after the merges, not at the next 12-hour re-check.
      expect(run.callsOf("verifyChecklist").map((c) => c.at)).toEqual([
        afterStart(0),
        afterStart(3 * HOUR),
        afterStart(3 * HOUR),
      ]);
      expect(run.phases()).toEqual(["approval"]);
    });

    it("keeps re-checking every monitorEvery while the task is open, without a second task", async () => {
      run = await verifying(mistyped().fakes);
      await run.host.advanceTo(afterStart(36 * HOUR));
      expect(run.callsOf("verifyChecklist")).toHaveLength(4);
      expect(opened(run)).toEqual(["peigMerges-1"]);
      expect(run.callsOf("planMerges")).toHaveLength(1);
    });

    it("a declined task tells the admins and merges nothing", async () => {
      const { fakes, decide } = mistyped("rejected");
      run = await verifying(fakes);
      decide();
      await run.wake();
      expect(run.callsOf("closeHumanTasks").map((c) => [c.input.gate, c.input.outcome])).toEqual([
        ["peigMerges-1", "rejected"],
      ]);
      expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toContainEqual([
        "merges.rejected",
        { round: 1 },
      ]);
      expect(run.callsOf("performMerges")).toEqual([]);
    });

    it("closes a task that became moot (merged by hand in Peig) when the check finds everything linked, and asks the approvers", async () => {
      const { fakes, mergeByHand } = mistyped();
      run = await verifying(fakes);
      mergeByHand();
      await run.host.advanceTo(afterStart(12 * HOUR));
      expect(run.callsOf("closeHumanTasks").map((c) => c.input)).toEqual([
        { migrationId: run.id, gate: "peigMerges-1", outcome: "notNeeded" },
      ]);
      expect(run.callsOf("performMerges")).toEqual([]);
      expect(run.phases()).toEqual(["approval"]);
      expect(run.host.instance(run.id).customStatus).toMatchObject({
        waitingOn: [expect.objectContaining({ what: expect.stringContaining("approvers") })],
      });
    });

    it("is never asked in operator mode", async () => {
      run = await verifying({ ...mistyped().fakes }, { peigMode: "operator" });
      expect(run.callsOf("planMerges")).toEqual([]);
      expect(opened(run)).toEqual([]);
    });
  });

  describe("in operator mode", () => {
    it("asks the Peig admin to confirm the checklist in Peig before anyone approves", async () => {
      let done = false;
      run = await verifying({ tallyHumanTasks: tallyOnceAnswered(() => done) }, { peigMode: "operator" });
      expect(opened(run)).toEqual(["peigChecklist-1"]);
      expect(run.phases()).toEqual([]);
      done = true;
      await run.wake();
      expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
        ["approval", "the Peig admin confirmed the checklist in Peig"],
      ]);
      expect(opened(run)).toEqual(["peigChecklist-1", "deletionApproval-1"]);
    });

    it("an unconfirmed round expires, the admins hear of it, and the checklist is verified again with a new round", async () => {
      run = await verifying({}, { peigMode: "operator" });
      await run.host.advanceTo(afterStart(2 * DAY));
      expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toEqual([
        ["peigChecklist.expired", { round: 1 }],
      ]);
      expect(run.callsOf("verifyChecklist")).toHaveLength(2);
      expect(opened(run)).toEqual(["peigChecklist-1", "peigChecklist-2"]);
    });

    describe("after the Peig admin confirmed Phase 2 while accounts are still missing", () => {
      const accountsMissing: ActivityResult<"verifyChecklist"> = {
        checklist: [item("phase2Completed", "Phase 2 was completed", false)],
        readyForDeletion: false,
        reasons: [],
      };
      /** Phase 2 confirmed in its round 1; the checklist finds accounts missing until `created()` is called. */
      function confirmedWithFailures() {
        let answered = false;
        let createdAll = false;
        const fakes: Fakes = {
          verifyChecklist: () => (createdAll ? READY : accountsMissing),
          tallyHumanTasks: tallyOnceAnswered(() => answered),
        };
        const state: Partial<MigrationState> = {
          peigMode: "operator",
          phase2: { created: 70, failed: 0, skipped: false },
          peigAccounts: { round: 1, lastRound: 3 },
        };
        return {
          fakes,
          state,
          answer: (yes = true) => void (answered = yes),
          created: () => void (createdAll = true),
        };
      }

      it("asks the Peig admin again with a new round at once, and checks again as soon as they confirm", async () => {
        const phase2 = confirmedWithFailures();
        run = await verifying(phase2.fakes, phase2.state);
        expect(opened(run)).toEqual(["peigAccounts-2"]);
        expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toEqual([
          ["notReady", { missing: ["Phase 2 was completed"] }],
          ["peigAccounts.incomplete", { round: 1 }],
        ]);
        expect(run.host.instance(run.id).customStatus).toMatchObject({
          phase: "verification",
          waitingFor: "the Peig admin to create the missing accounts (asked again: round 2)",
        });
        // Open, it is not checked again at every monitorEvery: the Peig admin's answer is what is awaited.
        await run.host.advanceBy(13 * HOUR);
        expect(run.callsOf("verifyChecklist")).toHaveLength(1);
        phase2.created();
        phase2.answer();
        await run.wake();
        expect(run.callsOf("verifyChecklist").map((c) => c.at)).toEqual([afterStart(0), afterStart(13 * HOUR)]);
        expect(opened(run)).toEqual(["peigAccounts-2", "peigChecklist-1"]);
      });

      it("a round that expires is followed by a check first: once nobody is missing, no new round but the checklist confirmation", async () => {
        const phase2 = confirmedWithFailures();
        run = await verifying(phase2.fakes, phase2.state);
        expect(opened(run)).toEqual(["peigAccounts-2"]);
        // The users sign in with accounts made meanwhile; round 2 expires unanswered.
        phase2.created();
        await run.host.advanceTo(afterStart(2 * DAY));
        expect(run.callsOf("notifyAdmins").map((c) => [c.input.event, c.input.details])).toEqual([
          ["notReady", { missing: ["Phase 2 was completed"] }],
          ["peigAccounts.incomplete", { round: 1 }],
          ["peigAccounts.expired", { round: 2 }],
        ]);
        expect(opened(run)).toEqual(["peigAccounts-2", "peigChecklist-1"]);
      });

      it("a new round that could not be opened is opened on the re-try: no round skipped, no second notice", async () => {
        const phase2 = confirmedWithFailures();
        run = await verifying(
          {
            ...phase2.fakes,
            openHumanTasks: failing(
              1,
              () => serviceDown("openHumanTasks"),
              (i) => ({
                gate: `${i.purpose}-${i.round}`,
                assignees: 1,
              }),
            ),
          },
          phase2.state,
        );
        await run.host.advanceBy(2 * MINUTE);
        expect(run.callsOf("openHumanTasks").map((c) => `${c.input.purpose}-${c.input.round}`)).toEqual([
          "peigAccounts-2",
          "peigAccounts-2",
        ]);
        expect(run.callsOf("notifyAdmins").map((c) => c.input.event)).toEqual(["notReady", "peigAccounts.incomplete"]);
        expect(run.host.instance(run.id).customStatus).toMatchObject({
          waitingFor: "the Peig admin to create the missing accounts (asked again: round 2)",
        });
      });

      it("needs attention once the rounds are used up, then a resume asks again", async () => {
        const phase2 = confirmedWithFailures();
        const commands: Partial<AdminCommands> = {};
        run = await verifying(
          { ...phase2.fakes, readAdminCommands: () => ({ deadline: "2026-12-15T09:00:00Z", ...commands }) },
          phase2.state,
        );
        // Round 2 confirmed: still missing, so round 3; round 3 confirmed: still missing, the last round in a row.
        phase2.answer();
        await run.wake();
        await run.wake();
        expect(opened(run)).toEqual(["peigAccounts-2", "peigAccounts-3"]);
        const attention = run.callsOf("recordAttention").map((c) => c.input.attention as Attention);
        expect(attention).toEqual([
          expect.objectContaining({
            step: "peigAccounts",
            service: "people",
            needed: true,
            message: expect.stringContaining(
              "round 3 was confirmed, but the checklist still finds users without a Peig account",
            ),
          }),
        ]);
        await run.host.advanceBy(3 * DAY);
        expect(opened(run)).toEqual(["peigAccounts-2", "peigAccounts-3"]);
        phase2.answer(false);
        commands.resumeRequested = { by: "it@contoso.com", at: run.host.clock.now().toISOString() };
        await run.wake();
        expect(opened(run)).toEqual(["peigAccounts-2", "peigAccounts-3", "peigAccounts-4"]);
        // The resume is the ask: no notice that a round ended, and round 4 is the one the task page names.
        expect(run.callsOf("notifyAdmins").map((c) => c.input.event)).toEqual([
          "notReady",
          "peigAccounts.incomplete",
          "peigAccounts.incomplete",
        ]);
      });
    });
  });
});
