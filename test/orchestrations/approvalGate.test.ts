/**
 * The approval gate's branches, fast: the orchestration with scripted activities (fakeActivities.ts). The
 * links expire after 2 days, reminders are due every day (the default GATE_REMINDER_INTERVAL).
 */
import { DAY, HOUR } from "../../shared/domain/duration";
import { defaultTimings } from "../../shared/domain/waits";
import type { HumanTaskTally, MigrationProgress } from "../../shared/workflow";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";

const approvers = ["cio@contoso.com", "ciso@contoso.com", "cfo@contoso.com"];

/** A gate whose tally says what `decisions` holds at the time it is read. */
async function atGate(
  requiredApprovals = 2,
): Promise<{ run: FakeRun; decisions: Omit<HumanTaskTally, "gate" | "open"> }> {
  const decisions: Omit<HumanTaskTally, "gate" | "open"> = { approvals: [], rejections: [], done: [] };
  const run = await runWithFakes({
    request: { approvers, requiredApprovals },
    state: { phase: "approval", checklist: [] },
    fakes: {
      tallyHumanTasks: (i) => ({
        gate: i.gate,
        ...decisions,
        open: 3 - decisions.approvals.length - decisions.rejections.length,
      }),
    },
  });
  return { run, decisions };
}

const names = (run: FakeRun, from: number) => run.calls.slice(from).map((c) => c.name);

describe("the approval gate (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("opens round 1 with links that expire after the link lifetime, then waits", async () => {
    ({ run } = await atGate());
    expect(run.callsOf("openHumanTasks").map((c) => c.input)).toEqual([
      { migrationId: run.id, purpose: "deletionApproval", round: 1, expiresAt: afterStart(2 * DAY) },
    ]);
    expect(run.callsOf("tallyHumanTasks")).toEqual([]);
    expect(run.host.instance(run.id).status).toBe("Running");
  });

  it("approved: k approvals close the links, the final tally decides, and closing begins", async () => {
    let decisions;
    ({ run, decisions } = await atGate(2));
    decisions.approvals.push("cio@contoso.com", "ciso@contoso.com");
    const before = run.calls.length;
    await run.wake();
    expect(names(run, before).slice(0, 5)).toEqual([
      "readAdminCommands",
      "tallyHumanTasks",
      "closeHumanTasks",
      "tallyHumanTasks",
      "recordPhase",
    ]);
    expect(run.callsOf("closeHumanTasks")[0].input).toEqual({
      migrationId: run.id,
      gate: "deletionApproval-1",
      outcome: "approved",
    });
    expect(run.callsOf("tallyHumanTasks").map((c) => c.input)).toEqual([
      { migrationId: run.id, gate: "deletionApproval-1" },
      { migrationId: run.id, gate: "deletionApproval-1" },
    ]);
    expect(run.phases()[0]).toBe("closing");
    await run.host.runToCompletion(run.id);
    expect(run.phases()).toEqual(["closing", "report", "completed"]);
  });

  it("one approval of two is not enough: the gate stays open", async () => {
    let decisions;
    ({ run, decisions } = await atGate(2));
    decisions.approvals.push("cio@contoso.com");
    await run.wake();
    expect(run.callsOf("closeHumanTasks")).toEqual([]);
    expect(run.phases()).toEqual([]);
  });

  it("declined: one rejection closes the round, the admins hear of it, and nothing is deleted", async () => {
    let decisions;
    ({ run, decisions } = await atGate(2));
    decisions.approvals.push("cio@contoso.com");
    decisions.rejections.push({ by: "cfo@contoso.com", reason: "not yet" });
    await run.wake();
    expect(run.callsOf("closeHumanTasks").map((c) => c.input.outcome)).toEqual(["rejected"]);
    expect(run.callsOf("notifyAdmins").map((c) => c.input)).toEqual([
      { migrationId: run.id, event: "approval.rejected", details: { round: 1 } },
    ]);
    await run.host.advanceBy(5 * DAY);
    expect(run.phases()).toEqual([]);
    expect(run.callsOf("beginDeletion")).toEqual([]);
  });

  it("expired: undecided links expire at their time, the round ends and the admins hear of it", async () => {
    ({ run } = await atGate());
    await run.host.advanceTo(afterStart(2 * DAY - 1));
    expect(run.callsOf("closeHumanTasks")).toEqual([]);
    await run.host.advanceTo(afterStart(2 * DAY));
    expect(run.callsOf("closeHumanTasks").map((c) => [c.at, c.input.outcome])).toEqual([
      [afterStart(2 * DAY), "expired"],
    ]);
    expect(run.callsOf("notifyAdmins").map((c) => c.input.event)).toEqual(["approval.expired"]);
    expect(run.phases()).toEqual([]);
  });

  it("after a declined round, an admin's request to ask again verifies once more and opens round 2", async () => {
    const decisions: Omit<HumanTaskTally, "gate" | "open"> = { approvals: [], rejections: [], done: [] };
    const commands: { approvalRequested?: boolean } = {};
    run = await runWithFakes({
      request: { approvers, requiredApprovals: 1 },
      state: { phase: "approval", checklist: [] },
      fakes: {
        tallyHumanTasks: (i) => ({ gate: i.gate, ...decisions, open: 3 - decisions.rejections.length }),
        readAdminCommands: () => ({ deadline: "2026-12-15T09:00:00Z", ...commands }),
      },
    });
    decisions.rejections.push({ by: "cfo@contoso.com", reason: "not yet" });
    await run.wake();
    // Waiting for an admin: no new round by itself.
    await run.host.advanceBy(3 * DAY);
    expect(run.callsOf("openHumanTasks").map((c) => c.input.round)).toEqual([1]);
    decisions.rejections.length = 0;
    commands.approvalRequested = true;
    await run.wake();
    expect(run.callsOf("recordPhase").map((c) => [c.input.phase, c.input.detail])).toEqual([
      ["verification", "approval requested again after round 1"],
      ["approval", undefined],
    ]);
    expect(run.callsOf("verifyChecklist")).toHaveLength(1);
    expect(run.callsOf("openHumanTasks").map((c) => c.input.round)).toEqual([1, 2]);
    expect(run.callsOf("notifyAdmins").map((c) => c.input.event)).toEqual(["approval.rejected"]);
  });

  it("sleeps until the first reminder when reminders come more often than daily", async () => {
    run = await runWithFakes({
      request: { approvers, requiredApprovals: 2 },
      state: { phase: "approval", checklist: [], timings: { ...defaultTimings, gateReminderMs: 2 * HOUR } },
    });
    expect(run.host.engine.nextTimer()?.fireAt.toISOString()).toBe(afterStart(2 * HOUR));
    await run.host.advanceTo(afterStart(2 * HOUR));
    expect(run.callsOf("remindHumanTasks").map((c) => c.at)).toEqual([afterStart(2 * HOUR)]);
  });

  it("reminder due: the undecided get fresh links each day while the round is open, and none at the expiry", async () => {
    ({ run } = await atGate());
    await run.host.advanceTo(afterStart(DAY - 1));
    expect(run.callsOf("remindHumanTasks")).toEqual([]);
    await run.host.advanceTo(afterStart(2 * DAY));
    // Day 1 only: a reminder at the expiry would expire at once.
    expect(run.callsOf("remindHumanTasks").map((c) => [c.at, c.input.gate])).toEqual([
      [afterStart(DAY), "deletionApproval-1"],
    ]);
  });

  it("a stray wake-up only looks again: no new round, no reminder, and the next wake-up stays the reminder's", async () => {
    ({ run } = await atGate());
    await run.host.advanceBy(3 * HOUR);
    const before = run.calls.length;
    await run.wake();
    await run.wake();
    // Each wake-up reads the commands and the tally again, and does nothing else.
    expect(new Set(names(run, before))).toEqual(new Set(["readAdminCommands", "tallyHumanTasks"]));
    expect(run.callsOf("openHumanTasks")).toHaveLength(1);
    await run.host.advanceTo(afterStart(DAY));
    expect(run.callsOf("remindHumanTasks").map((c) => c.at)).toEqual([afterStart(DAY)]);
  });
});

describe("escalation to the fallback approvers (scripted activities)", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  /** A round that escalates 12 hours after it opens, when it has no quorum by then. */
  async function escalatingGate(decisions: Omit<HumanTaskTally, "gate" | "open">): Promise<FakeRun> {
    return runWithFakes({
      request: { approvers, requiredApprovals: 2 },
      state: { phase: "approval", checklist: [] },
      fakes: {
        openHumanTasks: (i) => ({ gate: `${i.purpose}-${i.round}`, assignees: 3, escalateAfterMs: 12 * HOUR }),
        tallyHumanTasks: (i) => ({ gate: i.gate, ...decisions, open: 3 }),
      },
    });
  }

  it("asks the fallback approvers once, on time, and their approvals complete the same round", async () => {
    const decisions: Omit<HumanTaskTally, "gate" | "open"> = { approvals: [], rejections: [], done: [] };
    run = await escalatingGate(decisions);
    await run.host.advanceTo(afterStart(12 * HOUR - 1));
    expect(run.callsOf("escalateHumanTasks")).toEqual([]);
    await run.host.advanceTo(afterStart(12 * HOUR));
    expect(run.callsOf("escalateHumanTasks").map((c) => c.input)).toEqual([
      { migrationId: run.id, gate: "deletionApproval-1", expiresAt: afterStart(2 * DAY) },
    ]);
    // The next wake-ups (a reminder, a decision) do not ask them again.
    await run.host.advanceTo(afterStart(DAY));
    expect(run.callsOf("escalateHumanTasks")).toHaveLength(1);
    decisions.approvals.push("ceo@contoso.com", "coo@contoso.com");
    await run.wake();
    expect(run.callsOf("closeHumanTasks").map((c) => c.input.outcome)).toEqual(["approved"]);
    expect(run.phases()[0]).toBe("closing");
  });

  it("does not escalate at a wake-up before its time: an approval short of the quorum waits for the others", async () => {
    const decisions: Omit<HumanTaskTally, "gate" | "open"> = { approvals: [], rejections: [], done: [] };
    run = await escalatingGate(decisions);
    await run.host.advanceTo(afterStart(6 * HOUR));
    decisions.approvals.push("cio@contoso.com");
    await run.wake();
    expect(run.callsOf("tallyHumanTasks").length).toBeGreaterThan(0);
    expect(run.callsOf("escalateHumanTasks")).toEqual([]);
    await run.host.advanceTo(afterStart(12 * HOUR));
    expect(run.callsOf("escalateHumanTasks").map((c) => c.at)).toEqual([afterStart(12 * HOUR)]);
  });

  it("does not escalate a round that reached its quorum in time", async () => {
    const decisions = { approvals: ["cio@contoso.com", "ciso@contoso.com"], rejections: [], done: [] };
    run = await escalatingGate(decisions);
    await run.wake();
    await run.host.advanceTo(afterStart(DAY));
    expect(run.callsOf("escalateHumanTasks")).toEqual([]);
    expect(run.callsOf("closeHumanTasks").map((c) => c.input.outcome)).toEqual(["approved"]);
  });

  it("opens already escalated when an approver is out of office: no timed escalation follows, and the wait names who was asked", async () => {
    run = await runWithFakes({
      request: { approvers, requiredApprovals: 2, fallbackApprovers: ["ceo@contoso.com"], escalateAfter: "PT12H" },
      state: { phase: "approval", checklist: [] },
      fakes: {
        openHumanTasks: (i) => ({
          gate: `${i.purpose}-${i.round}`,
          assignees: 2,
          escalated: true,
          away: ["ciso@contoso.com"],
        }),
        tallyHumanTasks: (i) => ({ gate: i.gate, approvals: [], rejections: [], done: [], open: 3 }),
      },
    });
    await run.host.advanceTo(afterStart(DAY));
    expect(run.callsOf("escalateHumanTasks")).toEqual([]);
    expect((run.host.instance(run.id).customStatus as MigrationProgress).waitingOn?.[0].who).toEqual([
      ...approvers.filter((a) => a !== "ciso@contoso.com"),
      "ceo@contoso.com",
    ]);
  });

  it("without a quorum from either level the round still expires as not approved", async () => {
    run = await escalatingGate({ approvals: ["ceo@contoso.com"], rejections: [], done: [] });
    await run.host.advanceTo(afterStart(2 * DAY));
    expect(run.callsOf("escalateHumanTasks")).toHaveLength(1);
    expect(run.callsOf("closeHumanTasks").map((c) => c.input.outcome)).toEqual(["expired"]);
    expect(run.phases()).not.toContain("closing");
  });
});
