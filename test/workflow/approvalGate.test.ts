/**
 * The approval gate before the irreversible deletion (docs/design.md#human-tasks): rejection and a new round, k of n
 * approvals, and every way a link can be abused — none of which decides anything.
 */
import { LOCAL_VIEWER } from "../../local/fixtures/staff";
import { randomBytes } from "node:crypto";
import { startScenario, startBody, durableSecretsIn, type Scenario, type ScenarioOptions, DAY, START } from "./harness";

/** Each test starts its own scenario; it is stopped once, after the test. */
let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const CIO = "cio@contoso.com";
const CISO = "ciso@contoso.com";
const CFO = "cfo@contoso.com";
const ADMIN = "it@contoso.com";

/** Everyone onboards early, so the migration reaches the approval gate without Phase 2. */
async function atApprovalGate(overrides: Record<string, unknown> = {}, options: ScenarioOptions = {}): Promise<string> {
  s = await startScenario({ tenant: { users: 30, missRate: 0, mismatchRate: 0 }, ...options });
  const id = await s.start(startBody(overrides));
  await s.runUntil(async () => (await s.phase(id)) === "approval");
  return id;
}

const audit = async (id: string) => s.stack.store.listAudit(id);
const actions = async (id: string) => (await audit(id)).map((a) => a.action);
const gateTasks = (id: string, round: number) => s.stack.store.listTasks(id, { gate: `deletionApproval-${round}` });
const mailsTo = (to: string) =>
  s.stack.graph.outbox.filter((m) => [...m.to, ...m.bcc].map((a) => a.toLowerCase()).includes(to));

/** Nothing irreversible happened: no deletion mark, no DELETE to Peig or Graph, the configuration is still there. */
async function expectNothingDeleted(id: string): Promise<void> {
  expect(await actions(id)).not.toEqual(expect.arrayContaining(["deletion.started"]));
  expect(s.stack.peig.requestLog.filter((r) => r.operationId === "deleteMigrationConfiguration")).toEqual([]);
  expect(s.stack.graph.requestLog.filter((r) => r.method === "DELETE")).toEqual([]);
  expect(s.stack.peig.state.getConfiguration().applicationId).toBeDefined();
}

describe("a rejected approval", () => {
  it("tells the admins and deletes nothing; a re-request opens a new round whose approval completes the closing", async () => {
    const id = await atApprovalGate();
    const [cio1] = s.taskLinks(CIO);
    const [ciso1] = s.taskLinks(CISO);

    expect((await s.decide(cio1, "reject", { reason: "finance users still travelling" })).status).toBe(200);
    expect(await s.phase(id)).toBe("approval");
    expect(await actions(id)).toContain("admins.notified.approval.rejected");
    const notice = mailsTo(ADMIN).find((m) => /deletion rejected/.test(m.subject));
    expect(notice?.html).toContain("Nothing was deleted");
    await expectNothingDeleted(id);
    // The closed round's other links stop working: a late approval counts for nothing.
    expect((await s.openTask(ciso1)).status).toBe(410);

    const again = await s.api(`migrations/${id}/approval`, { method: "POST" });
    expect(again.status).toBe(202);
    await s.host.idle();
    expect(await s.phase(id)).toBe("approval");
    expect(
      (await gateTasks(id, 2))
        .filter((t) => t.status === "open")
        .map((t) => t.assignee)
        .sort(),
    ).toEqual([CFO, CIO, CISO]);
    const cio2 = s.taskLinks(CIO).at(-1)!;
    const ciso2 = s.taskLinks(CISO).at(-1)!;
    expect([cio2, ciso2]).not.toContain(cio1);
    expect(ciso2).not.toBe(ciso1);
    for (const old of [cio1, ciso1]) expect((await s.openTask(old)).status).toBe(410);

    expect((await s.decide(ciso2, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
    expect(await actions(id)).toEqual(expect.arrayContaining(["peig.migrationConfig.deleted", "entraApp.deleted"]));
    expect(durableSecretsIn(s.stack.graph.outbox)).toEqual([]);
  });

  it("refuses a re-request once the migration has left the approval gate (409), and for an unknown migration (404)", async () => {
    const id = await atApprovalGate();
    const unknown = await s.api(`migrations/00000000-0000-4000-8000-000000000000/approval`, { method: "POST" });
    expect(unknown.status).toBe(404);
    const [cio] = s.taskLinks(CIO);
    await s.decide(cio, "approve");
    await s.runToEnd(id);
    expect((await s.api(`migrations/${id}/approval`, { method: "POST" })).status).toBe(409);
  });
});

describe("two of three approvals required", () => {
  it("waits after one approval, counts the same approver once however often they click, and proceeds on a second approver", async () => {
    const id = await atApprovalGate({ requiredApprovals: 2 });
    const [cio] = s.taskLinks(CIO);
    const [cfo] = s.taskLinks(CFO);

    expect((await s.decide(cio, "approve")).status).toBe(200);
    expect(await s.phase(id)).toBe("approval");
    expect((await s.status(id)).waitingFor).toBe("2 of 3 approvers");
    // Asking again while the round is open would be ignored: it is refused instead.
    const again = await s.api(`migrations/${id}/approval`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/still open/);

    // The same person clicks the same e-mail again: the link is used up and the tally does not move.
    expect((await s.decide(cio, "approve")).status).toBe(410);
    expect(await s.phase(id)).toBe("approval");
    const decided = (await gateTasks(id, 1)).filter((t) => t.status === "decided");
    expect(decided.map((t) => t.assignee)).toEqual([CIO]);
    expect((await actions(id)).filter((a) => a === "task.decided")).toHaveLength(1);

    // A day later the undecided get reminders with fresh links; the one who approved gets none.
    const cioMails = s.taskLinks(CIO).length;
    await s.host.advanceBy(DAY + 1);
    expect(s.taskLinks(CIO)).toHaveLength(cioMails);
    expect(await s.phase(id)).toBe("approval");
    const cfoLatest = s.taskLinks(CFO).at(-1)!;
    expect(cfoLatest).not.toBe(cfo);

    expect((await s.decide(cfoLatest, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
    const report = JSON.parse(await (await s.api(`migrations/${id}/report?format=json`)).text()) as {
      approvals: { by: string; decision: string }[];
    };
    expect(report.approvals.map((a) => [a.by, a.decision]).sort()).toEqual([
      [CFO, "approve"],
      [CIO, "approve"],
    ]);
  });
});

describe("abused task links change nothing", () => {
  it("answers a replayed decision with 409 and leaves the tally as it was", async () => {
    const id = await atApprovalGate({ requiredApprovals: 2 });
    const [cio] = s.taskLinks(CIO);
    const page = await s.openTask(cio);
    const form = { csrf: page.csrf, decision: "approve" };
    expect((await s.postTask(cio, form, { cookie: page.cookie })).status).toBe(200);
    const before = { tasks: await gateTasks(id, 1), audit: await audit(id) };

    const replay = await s.postTask(cio, form, { cookie: page.cookie });
    expect(replay.status).toBe(409);
    expect(await gateTasks(id, 1)).toEqual(before.tasks);
    expect(await audit(id)).toEqual(before.audit);
    expect(await s.phase(id)).toBe("approval");
  });

  it("answers an expired link with 410, then the gate's expiry tells the admins and deletes nothing", async () => {
    const id = await atApprovalGate({}, { stack: { settings: { TASK_LINK_TTL: "P2D" } } });
    const [task] = await gateTasks(id, 1);
    const expiresAt = new Date(task.expiresAt);
    await s.host.advanceTo(new Date(expiresAt.getTime() - 60_000));
    const latest = s.taskLinks(CIO).at(-1)!;
    const page = await s.openTask(latest);
    expect(page.status).toBe(200);

    await s.host.advanceTo(new Date(expiresAt.getTime() + 60_000));
    expect((await s.openTask(latest)).status).toBe(410);
    expect((await s.postTask(latest, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie })).status).toBe(
      410,
    );
    expect(await actions(id)).toContain("admins.notified.approval.expired");
    expect(mailsTo(ADMIN).some((m) => /approval expired/.test(m.subject))).toBe(true);
    expect((await gateTasks(id, 1)).filter((t) => t.status === "decided")).toEqual([]);
    expect(await s.phase(id)).toBe("approval");
    await expectNothingDeleted(id);
  });

  it("answers a forged token with 404 on GET and POST", async () => {
    const id = await atApprovalGate();
    const forged = s
      .taskLinks(CIO)[0]
      .replace(/\/api\/tasks\/[^/?#]+$/, `/api/tasks/${randomBytes(32).toString("base64url")}`);
    const before = await audit(id);
    expect((await s.openTask(forged)).status).toBe(404);
    expect((await s.postTask(forged, { csrf: "x", decision: "approve" }, { cookie: "peig_task_csrf=x" })).status).toBe(
      404,
    );
    expect((await s.openTask(s.taskLinks(CIO)[0].replace(/\/api\/tasks\/.*$/, "/api/tasks/short"))).status).toBe(404);
    expect(await audit(id)).toEqual(before);
  });

  it("refuses someone signed in as another person with 403, on the page and on the decision", async () => {
    const id = await atApprovalGate();
    const [cio] = s.taskLinks(CIO);
    const someoneElse = await s.signedIn(LOCAL_VIEWER);
    expect((await s.openTask(cio, someoneElse)).status).toBe(403);
    const page = await s.openTask(cio);
    expect(
      (await s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie, headers: someoneElse }))
        .status,
    ).toBe(403);
    // Another approver is someone else too: a link is bound to the person it was sent to.
    expect(
      (
        await s.postTask(
          cio,
          { csrf: page.csrf, decision: "approve" },
          { cookie: page.cookie, headers: await s.signedIn(CISO) },
        )
      ).status,
    ).toBe(403);
    expect((await gateTasks(id, 1)).filter((t) => t.status === "decided")).toEqual([]);
    expect(await actions(id)).not.toContain("task.decided");
  });

  it("requires the signed-in approver when REQUIRE_SIGNED_IN_APPROVER is true: no identity → sign in, the right one → 200", async () => {
    const id = await atApprovalGate({}, { stack: { settings: { REQUIRE_SIGNED_IN_APPROVER: "true" } } });
    const [cio] = s.taskLinks(CIO);
    const anonymous = await fetch(s.taskUrl(cio), { redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(
      /^\/\.auth\/login\/aad\?post_login_redirect_uri=%2Fapi%2Ftasks%2F/,
    );
    const signedIn = await s.signedIn("CIO@contoso.com");
    const page = await s.openTask(cio, signedIn);
    expect(page.status).toBe(200);
    expect((await s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie })).status).toBe(302);
    expect((await gateTasks(id, 1)).filter((t) => t.status === "decided")).toEqual([]);
    expect(
      (await s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie, headers: signedIn }))
        .status,
    ).toBe(200);
    expect((await gateTasks(id, 1)).find((t) => t.status === "decided")?.decidedBy).toBe("cio@contoso.com");
  });

  it("refuses a decision without the CSRF cookie, without the form field, or with a mismatched pair (403)", async () => {
    const id = await atApprovalGate();
    const [cio] = s.taskLinks(CIO);
    const page = await s.openTask(cio);
    const other = await s.openTask(cio);
    const attempts = [
      s.postTask(cio, { csrf: page.csrf, decision: "approve" }),
      s.postTask(cio, { decision: "approve" }, { cookie: page.cookie }),
      s.postTask(cio, { csrf: "", decision: "approve" }, { cookie: page.cookie }),
      s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: other.cookie }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403);
    expect((await gateTasks(id, 1)).filter((t) => t.status === "decided")).toEqual([]);
    expect(await actions(id)).not.toContain("task.decided");
    expect(await s.phase(id)).toBe("approval");
  });

  it("changes nothing on GET or HEAD, however often a scanner fetches the link", async () => {
    const id = await atApprovalGate();
    const [cio] = s.taskLinks(CIO);
    const before = { tasks: await gateTasks(id, 1), audit: await audit(id), mails: s.stack.graph.outbox.length };
    for (let i = 0; i < 10; i++) expect((await s.openTask(cio)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const head = await fetch(s.taskUrl(cio), { method: "HEAD" });
      expect(head.status).toBeLessThan(500);
    }
    await s.host.idle();
    expect(await gateTasks(id, 1)).toEqual(before.tasks);
    expect(await audit(id)).toEqual(before.audit);
    expect(s.stack.graph.outbox).toHaveLength(before.mails);
    expect(await s.phase(id)).toBe("approval");
    // The link still works for the person after all that fetching.
    expect((await s.decide(cio, "approve")).status).toBe(200);
  });
});

describe("the e-mails", () => {
  it("never carry a Durable Functions system URL or key, in any kind of mail the migration sends", async () => {
    s = await startScenario({ tenant: { users: 40, missRate: 0.2, mismatchRate: 0 } });
    const id = await s.start(startBody({ phase2: "approve" }));
    await s.runUntil(() => s.stack.store.listTasks(id, { gate: "phase2Approval-1" }).then((t) => t.length > 0));
    await s.host.advanceBy(DAY + 1); // a task reminder with fresh links
    expect((await s.decide(s.taskLinks(CISO).at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(async () => (await s.phase(id)) === "approval", 5 * DAY);
    expect((await s.decide(s.taskLinks(CIO).at(-1)!, "reject")).status).toBe(200);
    expect((await s.api(`migrations/${id}/approval`, { method: "POST" })).status).toBe(202);
    await s.host.idle();
    expect((await s.decide(s.taskLinks(CIO).at(-1)!, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");

    const subjects = s.stack.graph.outbox.map((m) => m.subject);
    for (const kind of [
      /^Action needed/,
      /^Reminder: .* left/,
      /^Approval needed/,
      /^Reminder: Approval needed|^Reminder: Peig task/,
      /deletion rejected/,
      /report .* is ready/,
    ]) {
      expect(subjects).toEqual(expect.arrayContaining([expect.stringMatching(kind)]));
    }
    expect(durableSecretsIn(s.stack.graph.outbox)).toEqual([]);
  });

  it("are checked by a rule that does catch a leaked Durable URL", () => {
    const leaked = {
      id: "1",
      sender: "a@contoso.com",
      subject: "leak",
      to: ["b@contoso.com"],
      cc: [],
      bcc: [],
      saveToSentItems: false,
      sentAt: START,
      deliveredAt: START,
    };
    expect(
      durableSecretsIn([
        { ...leaked, html: '<a href="https://app/runtime/webhooks/durabletask/instances/x?taskHub=h&code=k">x</a>' },
      ]),
    ).toHaveLength(3);
    expect(durableSecretsIn([{ ...leaked, html: '<a href="https://app/api/tasks/abc">x</a>' }])).toEqual([]);
  });
});
