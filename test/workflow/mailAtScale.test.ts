import { inScopeUsers } from "../../local/fixtures/tenant";
import type { SentMail } from "../../local/graph-simulator";
import { playEveryone, startScenario, startBody, type Scenario, DAY, START } from "./harness";

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const USERS = 30_000;
const tenant = { users: USERS, missRate: 1, mismatchRate: 0 };
/**
 * The monitor looks daily (fewer passes over 30,000 users), in an 8-day window: the first reminder (P7D) comes a day
 * after the invitation, so the invitation and the four reminders to everyone come in 8 days instead of the sample's 14
 * (denser for Exchange's limits, and 6 fewer daily passes over 30,000 users).
 */
const WINDOW = 8 * DAY;
const eightDayDeadline = new Date(Date.parse(START) + WINDOW).toISOString();
/**
 * Everyone in scope onboards in the window's last two hours, after the last reminder (PT4H before the deadline): every
 * one of them gets the invitation and all four reminders, and the migration completes without a Phase 2 account for
 * anyone (Phase 2 at scale is the bench's: migrationBenchmarks, phase2Benchmarks).
 */
const LAST_MINUTE = 1 - 2 / (WINDOW / (60 * 60 * 1000));
const body = (extra: Record<string, unknown> = {}) =>
  startBody({ monitorEvery: "P1D", deadline: eightDayDeadline, ...extra });
const senders = (n: number) => Array.from({ length: n }, (_, i) => `peig-migration-${i + 1}@contoso.com`);

/**
 * The refusal and the dry run both ask the one-sender stack (neither makes anything): one tenant of 30,000 and one
 * stack for both, stopped before the whole migration starts its own.
 */
let oneSender: Scenario | undefined;
const withOneSender = async () => (oneSender ??= await startScenario({ tenant }));
afterAll(async () => {
  await oneSender?.stop();
  oneSender = undefined;
});

/** The most recipients any sender mailbox had in any rolling 24 hours of the simulator's clock. */
function busiestDay(outbox: readonly SentMail[]): number {
  let busiest = 0;
  for (const sender of new Set(outbox.map((m) => m.sender))) {
    const mine = outbox
      .filter((m) => m.sender === sender)
      .map((m) => ({ at: Date.parse(m.sentAt), n: m.to.length + m.cc.length + m.bcc.length }));
    for (const end of mine)
      busiest = Math.max(
        busiest,
        mine.filter((m) => m.at > end.at - DAY && m.at <= end.at).reduce((sum, m) => sum + m.n, 0),
      );
  }
  return busiest;
}

describe(`mail to ${USERS.toLocaleString("en")} users`, () => {
  jest.setTimeout(1_200_000);

  it("refuses a start with one sender mailbox, naming the shortfall and how many mailboxes would do", async () => {
    const one = await withOneSender();
    const res = await one.api("migrations", {
      method: "POST",
      body: JSON.stringify(body()),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(
      /^the (invitation|reminder [\w ]+ before the deadline) to \d+ recipients from 1 sender mailbox (reaches everyone only on .*, after|does not reach everyone before) (the first reminder|the deadline)/,
    );
    expect(errors[0].message).toMatch(
      /list \d+ sender mailboxes in MAIL_SENDERS \(now 1\), or give the window more time/,
    );
    expect(errors[0].message).toContain("acceptPlanWarnings: true");
    expect(one.stack.graph.state.directory.applications.size).toBe(0);
    expect(one.stack.graph.outbox).toHaveLength(0);
  });

  it("with the sender mailboxes the refusal asks for, invites and reminds every user within Exchange's limits, nothing bounces, and the migration completes", async () => {
    // How many mailboxes: what the refusal above says (the dry run shows the same plan).
    const one = await withOneSender();
    const dryRun = await one.api("migrations", {
      method: "POST",
      body: JSON.stringify(body({ dryRun: true })),
      headers: { "content-type": "application/json" },
    });
    const { plan } = (await dryRun.json()) as { plan: { recipients: number; shortfalls: string[] } };
    const needed = Number(/list (\d+) sender mailboxes/.exec(plan.shortfalls[0])?.[1]);
    expect(needed).toBeGreaterThan(1);
    // The dry run made nothing either: the start below is the first.
    expect(one.stack.graph.state.directory.applications.size).toBe(0);
    expect(one.stack.graph.outbox).toHaveLength(0);
    await one.stop();
    oneSender = undefined;

    s = await startScenario({ tenant, stack: { mailSenders: senders(needed), onboardingWindowMs: WINDOW } });
    for (const user of inScopeUsers(s.stack.tenant)) user.behaviour = { onboardsAt: LAST_MINUTE };
    const started = Date.now();
    const id = await s.start(body());
    // Everyone onboards after the last reminder; the approvers approve the deletion through the e-mailed task page.
    expect(await playEveryone(s, id, { limitMs: 25 * DAY })).toBe("completed");
    const elapsed = Date.now() - started;

    const outbox = s.stack.graph.outbox;
    const rows = await s.stack.store.getUsers(id);
    const users = rows.filter((u) => u.mail);
    expect(users.length).toBe(plan.recipients);
    // The onboarding window's mail: everything sent before the deadline to someone other than the admins and approvers.
    const deadline = Date.parse(body().deadline);
    const staff = new Set([...body().admins, ...body().approvers]);
    const mailedTimes = new Map<string, number>();
    for (const m of outbox.filter((m) => Date.parse(m.sentAt) <= deadline)) {
      for (const r of [...m.to, ...m.bcc].map((a) => a.toLowerCase()).filter((a) => !staff.has(a)))
        mailedTimes.set(r, (mailedTimes.get(r) ?? 0) + 1);
    }
    // Invitation + P7D, P3D, P1D, PT4H: five mails each, none twice, and nobody else.
    expect(users.filter((u) => mailedTimes.get(u.mail!.toLowerCase()) !== 5)).toEqual([]);
    expect(mailedTimes.size).toBe(users.length);
    expect(users.filter((u) => u.remindersSent !== 4 || u.bounce)).toEqual([]);
    expect(outbox.filter((m) => m.nonDelivery !== undefined)).toEqual([]);
    expect(busiestDay(outbox)).toBeLessThanOrEqual(10_000);
    expect(new Set(outbox.map((m) => m.sender)).size).toBe(needed);

    // Every user in scope onboarded in the window (Phase 2 had no one to create); the approved deletion removed the app.
    expect(rows.filter((u) => u.state !== "onboarded")).toEqual([]);
    expect(s.stack.peig.state.peigAccounts()).toHaveLength(rows.length);
    expect(s.stack.graph.state.directory.applications.size).toBe(0);
    expect(() => s!.stack.peig.state.getConfiguration()).toThrow(/no migration configuration/);
    const status = await s.status(id);
    expect(status.bounced).toEqual([]);
    expect((status.checklist as { id: string; met: boolean }[]).filter((i) => !i.met)).toEqual([]);
    console.log(
      `${USERS} users, ${needed} sender mailboxes: whole migration (invitation + 4 reminders, everyone onboarded at the last minute, approval, deletion; ${outbox.length} messages) in ${(elapsed / 1000).toFixed(1)} s`,
    );
  });
});
