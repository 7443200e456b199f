/**
 * Human gates as cycles: every wake-up reads the tally, reminders and the expiry are only wake-up times,
 * so no decision in the store is missed, however the decisions, reminders and tallies interleave.
 */
import { afterActivity, auditOf, DAY, decideNow, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
let undo: (() => void) | undefined;
afterEach(async () => {
  undo?.();
  undo = undefined;
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const CIO = "cio@contoso.com";
const CISO = "ciso@contoso.com";
const CFO = "cfo@contoso.com";
const PAST_APPROVAL = ["closing", "report", "completed"];

async function atApprovalGate(requiredApprovals: number): Promise<string> {
  s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
  const id = await s.start(startBody({ requiredApprovals }));
  await s.runUntil(async () => (await s.phase(id)) === "approval");
  return id;
}

describe("a 2-of-3 approval after a reminder round", () => {
  it("moves on to closing when the second approval is recorded while the first is being tallied", async () => {
    const id = await atApprovalGate(2);
    await s.host.advanceBy(DAY + 1);
    expect(await auditOf(s, id, "tasks.reminded")).toHaveLength(1);

    let second: number | undefined;
    undo = afterActivity("tallyHumanTasks", async () => {
      if (second !== undefined) return;
      second = 0;
      // The tally has read the store; the CISO's approval lands before the orchestration sees the count.
      second = await decideNow(s, s.taskLinks(CISO).at(-1)!, "approve");
    });
    expect((await s.decide(s.taskLinks(CIO).at(-1)!, "approve")).status).toBe(200);
    expect(second).toBe(200);

    await s.runUntil(async () => PAST_APPROVAL.includes(await s.phase(id)), DAY);
    expect(await auditOf(s, id, "admins.notified.approval.expired")).toEqual([]);
    const decided = (await s.stack.store.listTasks(id, { gate: "deletionApproval-1" })).filter(
      (t) => t.status === "decided",
    );
    expect(decided.map((t) => t.assignee).sort()).toEqual([CIO, CISO]);
  });
});

describe("a 3-of-3 approval", () => {
  it("moves on to closing after two reminder rounds, on the links the reminders sent", async () => {
    const id = await atApprovalGate(3);
    await s.host.advanceBy(DAY + 1);
    await s.host.advanceBy(DAY + 1);
    expect(await auditOf(s, id, "tasks.reminded")).toHaveLength(2);
    for (const who of [CIO, CISO, CFO]) expect(s.taskLinks(who)).toHaveLength(3);
    for (const who of [CIO, CISO]) expect((await s.decide(s.taskLinks(who).at(-1)!, "approve")).status).toBe(200);
    expect(await s.phase(id)).toBe("approval");
    expect((await s.decide(s.taskLinks(CFO).at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(async () => PAST_APPROVAL.includes(await s.phase(id)), DAY);
    expect((await auditOf(s, id, "phase.closing"))[0].details.detail).toBe("approved in round 1");
  });
});
