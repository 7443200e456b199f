/**
 * Approvals that do not stall (issue 25, acceptance): the first approvers never answer, so the round goes to the
 * fallback approvers on time; nobody answers them either, so the round ends "not approved" (the deletion is
 * irreversible) and the admins are told what to do next. Asked again, one approver is out of office for the whole
 * round (their automatic replies, read through Graph) and is not asked: the fallback approvers are asked at once;
 * another hands the task to a colleague; the colleague and a fallback approver make the quorum, and the audit tells
 * the whole story in words. Without MailboxSettings.Read the check is skipped, everyone is asked, and the status page
 * says so.
 */
import { defaultGrantedPermissions } from "../../local/graph-simulator/tenantAccess";
import { auditInWords } from "../../shared/domain/inWords";
import { auditOf, DAY, startBody, startScenario, unescapeHtml, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const APPROVAL = startBody({
  requiredApprovals: 2,
  fallbackApprovers: ["ceo@contoso.com", "coo@contoso.com"],
  escalateAfter: "1 day",
  timeZone: "Europe/Amsterdam",
});

/** The task page's "hand it over" form, posted as a browser would (the page's CSRF token and cookie). */
async function handOver(link: string, delegate: string, reason: string) {
  const page = await s.openTask(link);
  const action = /<form method="post" action="([^"]*)" class="card" id="delegate">/.exec(page.html)?.[1];
  return fetch(new URL(unescapeHtml(action!), s.taskUrl(link)).toString(), {
    method: "POST",
    body: new URLSearchParams({ csrf: page.csrf, delegate, reason }),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
  });
}

const noticesWithSubject = (subject: RegExp) => s.stack.graph.outbox.filter((m) => subject.test(m.subject));

describe("approvals that do not stall", () => {
  it("escalates on time, stays not approved when nobody answers, then skips an approver out of office and completes with a delegate and a fallback approver", async () => {
    s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
    const id = await s.start(APPROVAL);
    await s.runUntil(async () => (await s.phase(id)) === "approval");

    // Round 1: the first approvers never answer; a day later the fallback approvers are asked, and the admins told.
    const [opened1] = await auditOf(s, id, "tasks.opened");
    expect(opened1.details.assignees).toEqual(APPROVAL.approvers);
    await s.runUntil(async () => (await auditOf(s, id, "tasks.escalated")).length > 0, 2 * DAY);
    const [onTime] = await auditOf(s, id, "tasks.escalated");
    expect(Date.parse(onTime.at) - Date.parse(opened1.at)).toBe(DAY);
    expect(onTime.details).toMatchObject({ to: ["ceo@contoso.com", "coo@contoso.com"], because: "noQuorum" });
    expect(noticesWithSubject(/approval escalated to the fallback approvers/)).toHaveLength(1);
    // The status says whom the round now waits on: the approvers and the fallback approvers.
    const waiting = async () => ((await s.status(id)).waitingOn as { who: string[] }[])[0]?.who;
    expect(await waiting()).toEqual([...APPROVAL.approvers, "ceo@contoso.com", "coo@contoso.com"]);

    // Nobody answers them either: the round expires, nothing is deleted, and the admins are told what to do next.
    await s.runUntil(async () => (await auditOf(s, id, "admins.notified.approval.expired")).length > 0, 8 * DAY);
    expect(await s.phase(id)).toBe("approval");
    const [expired] = noticesWithSubject(/approval expired/);
    expect(expired.html).toContain("Nothing was deleted. To try again, ask the approvers again");
    expect((await s.status(id)).actions).toContain("requestApprovalAgain");
    expect(s.stack.peig.state.summary()).toMatchObject({ configuration: expect.any(Object), migrationClosedAt: null });

    // The CFO goes on leave for a month (scheduled automatic replies, in their own time zone); the admin asks again.
    const now = s.clock.now().getTime();
    s.stack.graph.setAutomaticReplies("cfo@contoso.com", {
      status: "scheduled",
      start: new Date(now - DAY).toISOString(),
      end: new Date(now + 30 * DAY).toISOString(),
      timeZone: "America/New_York",
    });
    expect((await s.api(`migrations/${id}/approval`, { method: "POST", body: "{}" })).status).toBe(202);
    await s.runUntil(async () => (await auditOf(s, id, "tasks.opened")).length === 2);
    const opened2 = (await auditOf(s, id, "tasks.opened"))[1];
    expect(opened2.details).toMatchObject({
      gate: "deletionApproval-2",
      assignees: ["cio@contoso.com", "ciso@contoso.com"],
    });
    const cfoLinks = s.taskLinks("cfo@contoso.com").length;
    // Asked at once in the CFO's place, in the same moment: the fallback approvers.
    const atOnce = (await auditOf(s, id, "tasks.escalated"))[1];
    expect(atOnce.at).toBe(opened2.at);
    expect(atOnce.details).toMatchObject({ gate: "deletionApproval-2", because: "outOfOffice" });
    const [away] = await auditOf(s, id, "approver.outOfOffice");
    expect(away.details).toEqual({
      gate: "deletionApproval-2",
      approver: "cfo@contoso.com",
      until: new Date(now + 30 * DAY).toISOString(),
    });
    expect(noticesWithSubject(/an approver is out of office/)).toHaveLength(1);
    expect(await waiting()).toEqual(["cio@contoso.com", "ciso@contoso.com", "ceo@contoso.com", "coo@contoso.com"]);
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toMatch(/cfo@contoso\.com is out of office for the whole round \(automatic replies on until <time/);

    // The CIO hands the task to a colleague; the colleague and the CEO approve: a quorum of the right people.
    const cio = s.taskLinks("cio@contoso.com").at(-1)!;
    expect((await handOver(cio, "deputy@contoso.com", "on a flight all week")).status).toBe(200);
    expect((await s.decide(s.taskLinks("deputy@contoso.com")[0], "approve")).status).toBe(200);
    expect((await s.decide(s.taskLinks("ceo@contoso.com").at(-1)!, "approve")).status).toBe(200);
    expect(await s.runToEnd(id)).toBe("completed");
    expect(s.taskLinks("cfo@contoso.com")).toHaveLength(cfoLinks); // never asked in round 2, not even reminded

    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      approvals: { round: string; by: string; decision: string; level: string }[];
      outOfOffice: { round: string; approver: string; until: string | null }[];
    };
    expect(report.outOfOffice).toEqual([
      { round: "deletionApproval-2", approver: "cfo@contoso.com", until: new Date(now + 30 * DAY).toISOString() },
    ]);
    const reportHtml = await (await s.api(`migrations/${id}/report`)).text();
    expect(reportHtml).toContain("<h2>Approvers out of office</h2>");
    expect(
      report.approvals.filter((a) => a.round === "deletionApproval-2").map((a) => [a.by, a.decision, a.level]),
    ).toEqual(
      expect.arrayContaining([
        ["cio@contoso.com", "delegate", "approver"],
        ["deputy@contoso.com", "approve", "colleague an approver handed it to"],
        ["ceo@contoso.com", "approve", "fallback approver (escalated)"],
      ]),
    );

    // The audit tells the whole story, in words.
    const story = ((await s.status(id)).audit as { action: string; details: Record<string, unknown> }[])
      .filter((a) =>
        [
          "tasks.opened",
          "tasks.escalated",
          "tasks.closed",
          "approver.outOfOffice",
          "task.delegated",
          "task.decided",
          "approval.requestedAgain",
        ].includes(a.action),
      )
      .filter((a) => a.action !== "tasks.closed" || String(a.details.gate).startsWith("deletionApproval"))
      .map((a) => auditInWords(a, "Europe/Amsterdam"));
    expect(story).toEqual([
      "Opened round 1 of the deletion approval and mailed cio@contoso.com, ciso@contoso.com, cfo@contoso.com.",
      "No quorum in time: asked the fallback approvers ceo@contoso.com, coo@contoso.com in round 1 of the deletion approval.",
      "Closed round 1 of the deletion approval: expired.",
      "Asked the approvers again.",
      expect.stringMatching(
        /^cfo@contoso\.com is out of office for the whole of round 2 of the deletion approval \(automatic replies on until .+\): not asked\.$/,
      ),
      "Opened round 2 of the deletion approval and mailed cio@contoso.com, ciso@contoso.com.",
      "An approver is out of office for the whole round: asked the fallback approvers ceo@contoso.com, coo@contoso.com in round 2 of the deletion approval at once.",
      "Handed round 2 of the deletion approval to deputy@contoso.com, who got a link of their own (reason: on a flight all week).",
      expect.stringMatching(/^Approved round 2 of the deletion approval\.$/),
      expect.stringMatching(/^Approved round 2 of the deletion approval\.$/),
      expect.stringMatching(/^Closed round 2 of the deletion approval: /),
    ]);
  });

  it("without MailboxSettings.Read, skips the check, asks everyone and says so on the status page", async () => {
    s = await startScenario({
      tenant: { users: 20, missRate: 0, mismatchRate: 0 },
      stack: {
        graph: {
          access: { grantedPermissions: defaultGrantedPermissions.filter((p) => p !== "MailboxSettings.Read") },
        },
      },
    });
    // The dry run warns (it does not block): the check will be skipped.
    const plan = (await (
      await s.api("migrations", {
        method: "POST",
        body: JSON.stringify({ ...APPROVAL, dryRun: true }),
        headers: { "content-type": "application/json" },
      })
    ).json()) as { preflight: { severity: string; problem: string }[] };
    expect(plan.preflight.filter((f) => /MailboxSettings\.Read/.test(f.problem))).toEqual([
      expect.objectContaining({ severity: "warning" }),
    ]);
    const id = await s.start(APPROVAL);
    s.stack.graph.setAutomaticReplies("cfo@contoso.com", { status: "alwaysEnabled" });
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const [opened] = await auditOf(s, id, "tasks.opened");
    expect(opened.details.assignees).toEqual(APPROVAL.approvers);
    expect(s.taskLinks("cfo@contoso.com")).toHaveLength(1);
    expect(await auditOf(s, id, "tasks.escalated")).toEqual([]);
    expect(await auditOf(s, id, "outOfOffice.notChecked")).toHaveLength(1);
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toMatch(
      /Out of office not checked<\/strong> for round 1 of the deletion approval: .*MailboxSettings\.Read is not granted/,
    );
    const status = await s.status(id);
    expect(status.outOfOffice).toMatchObject({
      gate: "deletionApproval-1",
      away: [],
      unread: APPROVAL.approvers.map((approver) => ({ approver, why: "notPermitted" })),
    });
  });
});
