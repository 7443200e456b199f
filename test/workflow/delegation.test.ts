/**
 * An approver hands the deletion approval to a colleague from the task page, with a reason: their own link stops
 * and says to whom it went, the colleague gets a link of their own whose approval counts, and the audit and the
 * report tell both. Handing it to someone already asked in the round, to oneself, to no address, or without the
 * page's token is refused and changes nothing.
 */
import { auditOf, DAY, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

/** Posts the task page's "hand it over" form as a browser would: the page's CSRF token and cookie. */
async function handOver(link: string, fields: Record<string, string>, options: { forged?: boolean } = {}) {
  const page = await s.openTask(link);
  expect(page.status).toBe(200);
  const action = /<form method="post" action="([^"]*)" class="card" id="delegate">/.exec(page.html)?.[1];
  expect(action).toBeDefined();
  return fetch(new URL(action!.replace(/&amp;/g, "&"), s.taskUrl(link)).toString(), {
    method: "POST",
    body: new URLSearchParams({ csrf: options.forged ? "forged" : page.csrf, ...fields }),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
  });
}

describe("handing an approval to a colleague", () => {
  it("stops the approver's link, gives the colleague their own, and counts the colleague's approval", async () => {
    s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
    const id = await s.start(startBody({ requiredApprovals: 2 }));
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const cioLink = s.taskLinks("cio@contoso.com").at(-1)!;

    // Refused, and nothing changes: someone already asked, oneself, no address, no reason, a forged token.
    for (const [fields, status, says] of [
      [{ delegate: "ciso@contoso.com", reason: "away" }, 400, /already has this task in this round/],
      [{ delegate: "CIO@contoso.com", reason: "away" }, 400, /your own address/],
      [{ delegate: "deputy", reason: "away" }, 400, /must be an e-mail address/],
      [{ delegate: "deputy@contoso.com", reason: " " }, 400, /must say why/],
    ] as const) {
      const res = await handOver(cioLink, fields);
      expect(res.status).toBe(status);
      expect(await res.text()).toMatch(says);
    }
    expect((await handOver(cioLink, { delegate: "deputy@contoso.com", reason: "away" }, { forged: true })).status).toBe(
      403,
    );
    expect(s.taskLinks("deputy@contoso.com")).toEqual([]);

    const handed = await handOver(cioLink, { delegate: "Deputy@Contoso.com", reason: "away all week" });
    expect(handed.status).toBe(200);
    expect(await handed.text()).toContain("deputy@contoso.com got a link of their own");
    // The original link is dead and says to whom the task went.
    const dead = await s.openTask(cioLink);
    expect(dead.status).toBe(410);
    expect(dead.html).toMatch(/cio@contoso\.com handed it to deputy@contoso\.com \(away all week\) on /);
    expect((await s.decide(cioLink, "approve")).status).toBe(410);

    const deputyLink = s.taskLinks("deputy@contoso.com");
    expect(deputyLink).toHaveLength(1);
    expect((await s.decide(deputyLink[0], "approve")).status).toBe(200);
    // One approval of two: the gate still waits; the CISO's completes the quorum.
    await s.host.idle();
    expect(await s.phase(id)).toBe("approval");
    expect((await s.decide(s.taskLinks("ciso@contoso.com").at(-1)!, "approve")).status).toBe(200);
    expect(await s.runToEnd(id)).toBe("completed");

    const delegated = await auditOf(s, id, "task.delegated");
    expect(delegated.map((a) => a.details)).toEqual([
      { gate: "deletionApproval-1", from: "cio@contoso.com", to: "deputy@contoso.com", reason: "away all week" },
    ]);
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      approvals: { by: string; decision: string }[];
    };
    // The report shows who decided, the hand-over included.
    expect(report.approvals.map((a) => [a.by, a.decision]).sort()).toEqual([
      ["cio@contoso.com", "delegate"],
      ["ciso@contoso.com", "approve"],
      ["deputy@contoso.com", "approve"],
    ]);
    const html = await (await s.api(`migrations/${id}/report`)).text();
    expect(html).toContain("<td><bdi>handed it to a colleague</bdi></td>");
    expect(html).toContain("<bdi>deputy@contoso.com (away all week)</bdi>");
  });

  it("escalates a round without quorum to the fallback approvers on time; a delegate and a fallback approver complete it", async () => {
    s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
    const id = await s.start(
      startBody({
        requiredApprovals: 2,
        fallbackApprovers: ["ceo@contoso.com", "coo@contoso.com"],
        escalateAfter: "1 day",
      }),
    );
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const opened = (await auditOf(s, id, "tasks.opened")).find((a) => a.details.gate === "deletionApproval-1")!;
    expect(
      (await handOver(s.taskLinks("cio@contoso.com").at(-1)!, { delegate: "deputy@contoso.com", reason: "on leave" }))
        .status,
    ).toBe(200);
    expect(s.taskLinks("ceo@contoso.com")).toEqual([]);

    await s.runUntil(async () => (await auditOf(s, id, "tasks.escalated")).length > 0, 2 * DAY);
    const [escalated] = await auditOf(s, id, "tasks.escalated");
    expect(Date.parse(escalated.at) - Date.parse(opened.at)).toBe(DAY);
    expect(escalated.details).toEqual({
      gate: "deletionApproval-1",
      to: ["ceo@contoso.com", "coo@contoso.com"],
      because: "noQuorum",
      after: "P1D",
    });
    expect(s.taskLinks("ceo@contoso.com")).toHaveLength(1);
    expect(s.taskLinks("coo@contoso.com")).toHaveLength(1);
    const notice = s.stack.graph.outbox.filter((m) => /approval escalated to the fallback approvers/.test(m.subject));
    expect(notice).toHaveLength(1);
    expect([...notice[0].to, ...notice[0].bcc]).toEqual(startBody().admins);

    expect((await s.decide(s.taskLinks("deputy@contoso.com")[0], "approve")).status).toBe(200);
    expect((await s.decide(s.taskLinks("ceo@contoso.com")[0], "approve")).status).toBe(200);
    expect(await s.runToEnd(id)).toBe("completed");
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      approvals: { by: string; decision: string; level: string }[];
    };
    expect(report.approvals.map((a) => [a.by, a.decision, a.level]).sort()).toEqual([
      ["ceo@contoso.com", "approve", "fallback approver (escalated)"],
      ["cio@contoso.com", "delegate", "approver"],
      ["deputy@contoso.com", "approve", "colleague an approver handed it to"],
    ]);
    // The audit tells the story in order: opened, handed over, escalated, decided.
    const story = ((await s.status(id)).audit as { action: string }[])
      .map((a) => a.action)
      .filter((a) => ["tasks.opened", "task.delegated", "tasks.escalated", "task.decided"].includes(a));
    expect(story).toEqual(["tasks.opened", "task.delegated", "tasks.escalated", "task.decided", "task.decided"]);
  });
});
