/**
 * Outages and operator errors pause a migration, never end it: the step keeps being tried on a timer
 * schedule, the migration shows "needs attention" (step, service, status, likely fix), the admins get one
 * e-mail, and once the cause is gone (or an admin resumes) it carries on where it stopped, doing nothing
 * twice. Cancel works in that state, at the next try at the latest.
 */
import {
  auditOf,
  beforeActivity,
  DAY,
  HOUR,
  mailsWithSubject,
  peigAdminFollows,
  playEveryone,
  startBody,
  startScenario,
  type Scenario,
} from "./harness";

let s: Scenario;
let undo: (() => void) | undefined;
afterEach(async () => {
  undo?.();
  undo = undefined;
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const NOTICE = /^Peig migration "contoso": needs attention$/;
const MANY = 1_000_000_000;

interface AttentionJson {
  step: string;
  service: string;
  status: number | null;
  fix: string;
  nextAttemptAt: string | null;
}
const attentionOf = async (id: string) => (await s.status(id)).needsAttention as AttentionJson | null;
const until = (ms: number) => () => s.clock.now().getTime() >= ms;
const entraApps = () =>
  (s.stack.graph.state.directory.summary().applications as { displayName: string }[]).filter(
    (a) => a.displayName === "PeigMigrationManager",
  );

/** Every user got each bulk message (invitation, each reminder) at most once. */
function expectNoDuplicateMail(): void {
  const seen = new Map<string, number>();
  for (const m of s.stack.graph.outbox) {
    if (!/^(Action required|Reminder)/.test(m.subject) && !/invit/i.test(m.subject)) continue;
    for (const to of [...m.to, ...m.bcc]) seen.set(`${m.subject}|${to}`, (seen.get(`${m.subject}|${to}`) ?? 0) + 1);
  }
  expect([...seen.entries()].filter(([, n]) => n > 1)).toEqual([]);
}

describe("a 26-hour Graph outage in the middle of the onboarding window", () => {
  it("needs attention, mails the admins once, and completes after the outage with no duplicate app or e-mail", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 3, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    const outageStart = s.clock.now().getTime() + 5 * DAY;
    await s.runUntil(until(outageStart));
    expect(await s.phase(id)).toBe("onboarding");
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: MANY }],
    });

    // The monitor runs every 12 hours: its first try in the outage, two quick re-tries, then attention.
    await s.runUntil(until(outageStart + 14 * HOUR));
    const attention = await attentionOf(id);
    expect(attention).toMatchObject({
      service: "graph",
      status: 503,
      step: expect.stringMatching(/monitorOnboarding|sendReminders/),
    });
    expect(attention!.fix).toMatch(/resume to try at once/);
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toContain("Needs attention");
    expect((await s.status(id)).runtimeStatus).not.toBe("Failed");

    await s.runUntil(until(outageStart + 26 * HOUR));
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    s.stack.graph.setFaults({ scripted: [] });

    expect(await playEveryone(s, id)).toBe("completed");
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    expect(await attentionOf(id)).toBeNull();
    expect(await auditOf(s, id, "attention.cleared")).toHaveLength(1);
    expect(entraApps()).toHaveLength(0); // the one app it made, deleted at the close
    expect((await auditOf(s, id, "entraApp.created")).length).toBe(1);
    expectNoDuplicateMail();
  });
});

describe("a Graph outage over the deadline", () => {
  it("closes the window once Graph is back, and Phase 2 creates accounts for everyone who missed it", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 6, missRate: 0.4, mismatchRate: 0 } });
    const id = await s.start();
    const deadline = Date.parse(startBody().deadline);
    await s.runUntil(until(deadline - 6 * HOUR));
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: MANY }],
    });
    await s.runUntil(until(deadline + 20 * HOUR));
    expect(await s.phase(id)).toBe("onboarding");
    expect(await attentionOf(id)).toMatchObject({ service: "graph", status: 503 });
    s.stack.graph.setFaults({ scripted: [] });

    expect(await playEveryone(s, id)).toBe("completed");
    const planned = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned);
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((u) => u.phase2.result === "created")).toBe(true);
    expect((await auditOf(s, id, "phase.phase2"))[0].details.detail).toBe("deadline reached");
  });
});

describe("a 12-hour Peig outage during Phase 2", () => {
  it("needs attention, mails the admins once, and completes after it with exactly one account per user", async () => {
    s = await startScenario({ tenant: { users: 120, seed: 8, missRate: 0.6, mismatchRate: 0 } });
    const id = await s.start();
    let outageEnd = Infinity;
    // Peig goes down as the first batch starts.
    undo = beforeActivity("createPeigAccounts", () => {
      undo?.();
      s.stack.peig.setFaults({ serverErrorRate: 1 });
      outageEnd = s.clock.now().getTime() + 12 * HOUR;
    });
    await s.runUntil(() => s.clock.now().getTime() >= outageEnd);
    expect(await s.phase(id)).toBe("phase2");
    expect(await attentionOf(id)).toMatchObject({ service: "peig", status: 503 });
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    s.stack.peig.setFaults({ serverErrorRate: 0 });

    expect(await playEveryone(s, id)).toBe("completed");
    const planned = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned);
    expect(planned.length).toBeGreaterThan(50);
    expect(planned.every((u) => u.phase2.result === "created")).toBe(true);
    const created = (await auditOf(s, id, "peig.account.created")).map((a) => a.details.userId as string);
    expect(new Set(created).size).toBe(planned.length);
    // One Peig account per linked Microsoft 365 account: none made twice by the re-tried wave.
    const linked = s.stack.peig.state.microsoft365Accounts().filter((a) => a.linkStatus === "linked");
    expect(linked.map((a) => a.id)).toEqual(expect.arrayContaining(planned.map((u) => u.userId)));
    expect(s.stack.peig.state.peigAccounts()).toHaveLength(linked.length);
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
  });
});

describe("a 403 on the sign-in logs in operator mode (AuditLog.Read.All not granted)", () => {
  it("names the missing permission, mails the admins once, and completes after the grant and a resume", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 30, seed: 2, missRate: 0.2, mismatchRate: 0 } });
    const id = await s.start();
    // Withdrawn after the start's preflight had seen the grant (a removed role, or a token issued before).
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/auditLogs/signIns", status: 403, times: MANY }],
    });
    await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    await s.runUntil(async () => (await attentionOf(id)) !== null, 5 * DAY);
    const attention = (await attentionOf(id))!;
    // The first step to read sign-ins (the invitation goes to those not signed in yet).
    expect(attention).toMatchObject({
      step: expect.stringMatching(/sendInvitations|monitorOnboarding/),
      service: "graph",
      status: 403,
    });
    expect(attention.fix).toMatch(/AuditLog\.Read\.All/);
    // Hours of re-tries later: still one e-mail, still running.
    await s.runUntil(until(s.clock.now().getTime() + 6 * HOUR));
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    expect(mailsWithSubject(s.stack, NOTICE)[0].html).toContain("AuditLog.Read.All");

    s.stack.graph.setFaults({ scripted: [] }); // the admin grants the permission
    const resumed = await s.api(`migrations/${id}/resume`, { method: "POST" });
    expect(resumed.status).toBe(202);
    await s.host.idle();
    expect(await attentionOf(id)).toBeNull();
    expect(await auditOf(s, id, "migration.resumeRequested")).toHaveLength(1);

    expect(await playEveryone(s, id)).toBe("completed");
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    expectNoDuplicateMail();
  });

  it("answers resume with 409 when nothing is failing and 404 for an unknown migration", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    expect((await s.api(`migrations/${id}/resume`, { method: "POST" })).status).toBe(409);
    expect((await s.api(`migrations/00000000-0000-4000-8000-000000000000/resume`, { method: "POST" })).status).toBe(
      404,
    );
  });
});

describe("a failing setup", () => {
  it("is recorded: phase setup, needs attention with the step, service, status and fix, an audit entry and one admin e-mail", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    s.stack.graph.setFaults({ scripted: [{ method: "POST", pathIncludes: "/instantiate", status: 403, times: MANY }] });
    const id = await s.start();
    await s.runUntil(until(s.clock.now().getTime() + 2 * HOUR));
    const status = await s.status(id);
    expect(status).toMatchObject({ phase: "setup", runtimeStatus: "Running" });
    expect(status.needsAttention).toMatchObject({ step: "createMigrationApp", service: "graph", status: 403 });
    expect((status.needsAttention as AttentionJson).fix).toMatch(/Application\.ReadWrite\.All/);
    expect(await auditOf(s, id, "attention.needed")).toHaveLength(1);
    const notices = mailsWithSubject(s.stack, NOTICE);
    expect(notices).toHaveLength(1);
    // People read the runbook step, not the activity's name.
    expect(notices[0].html).toContain("Step: <bdi>Creating the Entra app PeigMigrationManager</bdi>");
    expect(notices[0].html).toContain("Service: <bdi>Microsoft Graph</bdi>");
    expect(notices[0].html).not.toContain("createMigrationApp");
    expect(s.host.customStatus<{ needsAttention?: AttentionJson }>(id).needsAttention).toMatchObject({
      step: "createMigrationApp",
      status: 403,
    });
  });

  it("honours a cancel at the next try: no further attempt after it", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    s.stack.graph.setFaults({ scripted: [{ method: "POST", pathIncludes: "/instantiate", status: 503, times: MANY }] });
    const id = await s.start();
    await s.runUntil(until(s.clock.now().getTime() + 3 * 60_000));
    expect(await s.phase(id)).toBe("setup");
    const instantiations = () =>
      s.stack.graph.requestLog.filter((r) => r.method === "POST" && r.path.includes("/instantiate")).length;
    const before = instantiations();
    expect(before).toBeGreaterThan(0);
    const cancelled = await s.api(`migrations/${id}/cancel`, {
      method: "POST",
      body: JSON.stringify({ reason: "wrong tenant" }),
      headers: { "content-type": "application/json" },
    });
    expect(cancelled.status).toBe(202);
    await s.host.idle();
    expect(await s.phase(id)).toBe("cancelled");
    expect(instantiations()).toBe(before);
    expect(s.host.engine.nextTimer()).toBeUndefined();
    expect(await attentionOf(id)).toBeNull();
    // The workspace is free for a new start.
    const again = await s.api("migrations", {
      method: "POST",
      body: JSON.stringify(startBody({ deadline: "2026-12-20T09:00:00Z" })),
      headers: { "content-type": "application/json" },
    });
    expect(again.status).toBe(202);
    await s.host.idle();
  });
});
