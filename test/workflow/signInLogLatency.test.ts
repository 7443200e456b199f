/**
 * Operator mode learns who onboarded from Entra's sign-in log, which shows sign-ins minutes late and keeps them 30 days
 * (docs/graph-facts.md#sign-in-logs-operator-mode). Nobody who signed in just before the deadline is taken for not
 * onboarded because the log had not shown it yet.
 */
import { DAY, START, peigAdminFollows, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const MINUTE = 60_000;

describe("sign-in logs 30 minutes late at the deadline", () => {
  it("plans Phase 2 only once the log has caught up: who signed in 10 minutes before the deadline is onboarded", async () => {
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 30, missRate: 0.6, mismatchRate: 0 },
      stack: { graph: { signInLogLatencyMs: 30 * MINUTE } },
    });
    const id = await s.start();
    await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    await s.host.idle();
    const deadline = Date.parse(startBody().deadline);
    // Every timer before 10 minutes to the deadline, then the clock to there.
    const beforeDeadline = deadline - 10 * MINUTE;
    for (
      let next = s.host.engine.nextTimer();
      next && next.fireAt.getTime() <= beforeDeadline;
      next = s.host.engine.nextTimer()
    ) {
      await s.host.advanceTo(next.fireAt);
      await s.host.idle();
    }
    await s.host.advanceTo(new Date(beforeDeadline));
    expect(await s.phase(id)).toBe("onboarding");

    // Three who had not signed in do so 10 minutes before the deadline (the Peig admin is not involved: a sign-in).
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const signedIn = new Set(s.stack.graph.state.signIns.filter((x) => x.appId === appId).map((x) => x.userId));
    const inScope = new Set((await s.stack.store.getUsers(id)).map((u) => u.userId));
    const lastMinute = s.stack.tenant.users.filter((u) => inScope.has(u.id) && !signedIn.has(u.id)).slice(0, 3);
    expect(s.clock.now().getTime()).toBe(beforeDeadline);
    expect(lastMinute).toHaveLength(3);
    for (const user of lastMinute) s.stack.graph.recordSignIn(user.id, appId);

    await s.runUntil(async () => (await s.stack.store.getUsers(id)).some((u) => u.phase2.planned), 6 * 60 * MINUTE);
    const users = new Map((await s.stack.store.getUsers(id)).map((u) => [u.userId, u]));
    for (const user of lastMinute) {
      expect(users.get(user.id)).toMatchObject({ state: "onboarded", signedInAt: expect.any(String) });
      expect(users.get(user.id)?.phase2.planned).not.toBe(true);
    }
    // Planned once the log had caught up, with nobody asked to do anything meanwhile.
    expect(s.clock.now().getTime()).toBeGreaterThanOrEqual(deadline + 30 * MINUTE);
    expect((await s.status(id)).needsAttention).toBeNull();
    // The status says how fresh its figures are: the last read of the log, less the log's latency (an hour by default).
    const status = await s.status(id);
    const lastPass = s.stack.graph.requestLog.filter((r) => r.path.startsWith("/auditLogs/signIns")).at(-1)!.at;
    expect(status.signInsUpTo).toBe(new Date(Date.parse(lastPass) - 60 * MINUTE).toISOString());
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toMatch(/Onboarding figures hold the sign-ins up to .*Entra's sign-in log shows sign-ins late/);
  });
});

describe("a migration longer than the sign-in log's 30 days", () => {
  it("keeps everyone who signed in early onboarded after Entra has dropped their sign-ins", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 20, missRate: 0.3, mismatchRate: 0 } });
    const deadline = new Date(Date.parse(START) + 35 * DAY).toISOString();
    const id = await s.start(startBody({ deadline, monitorEvery: "P1D" }));
    await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    await s.host.idle();
    await s.runUntil(async () => (await s.stack.store.getUsers(id)).some((u) => u.phase2.planned), 40 * DAY);

    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const log = s.stack.graph.state.signIns.filter((x) => x.appId === appId && x.status.errorCode === 0);
    const dropped = log.filter((x) => Date.parse(x.createdDateTime) < s.clock.now().getTime() - 30 * DAY);
    expect(dropped.length).toBeGreaterThan(0);
    const users = new Map((await s.stack.store.getUsers(id)).map((u) => [u.userId, u]));
    for (const signIn of dropped) {
      expect(users.get(signIn.userId)?.state).toBe("onboarded");
      expect(users.get(signIn.userId)?.phase2.planned).not.toBe(true);
    }
    expect(((await s.status(id)).counts as { onboarded: number }).onboarded).toBe(
      new Set(log.map((x) => x.userId)).size,
    );
  });
});
