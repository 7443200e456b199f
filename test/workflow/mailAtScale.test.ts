import type { SentMail } from "../../local/graph-simulator";
import { startScenario, startBody, type Scenario, DAY } from "./harness";

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const USERS = 30_000;
/** Nobody onboards, so every user in scope gets the invitation and all four reminders. */
const tenant = { users: USERS, missRate: 1, mismatchRate: 0 };
/** Phase 2 is skipped and the monitor looks daily: the subject here is mail, and 30,000 Phase 2 accounts take minutes. */
const body = (extra: Record<string, unknown> = {}) => startBody({ phase2: "skip", monitorEvery: "P1D", ...extra });
const senders = (n: number) => Array.from({ length: n }, (_, i) => `peig-migration-${i + 1}@contoso.com`);

/** The most recipients any sender mailbox had in any rolling 24 hours of the simulator's clock. */
function busiestDay(outbox: readonly SentMail[]): number {
  let busiest = 0;
  for (const sender of new Set(outbox.map((m) => m.sender))) {
    const mine = outbox.filter((m) => m.sender === sender).map((m) => ({ at: Date.parse(m.sentAt), n: m.to.length + m.cc.length + m.bcc.length }));
    for (const end of mine) busiest = Math.max(busiest, mine.filter((m) => m.at > end.at - DAY && m.at <= end.at).reduce((sum, m) => sum + m.n, 0));
  }
  return busiest;
}

describe(`mail to ${USERS.toLocaleString("en")} users`, () => {
  jest.setTimeout(1_200_000);

  it("refuses a start with one sender mailbox, naming the shortfall and how many mailboxes would do", async () => {
    s = await startScenario({ tenant });
    const res = await s.api("migrations", { method: "POST", body: JSON.stringify(body()), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(/^the (invitation|P\w+ reminder) to \d+ recipients from 1 sender mailbox (reaches everyone only at .*, after|does not reach everyone before) (the first reminder|the deadline)/);
    expect(errors[0].message).toMatch(/list \d+ sender mailboxes in MAIL_SENDERS \(now 1\), or give the window more time/);
    expect(errors[0].message).toContain("acceptPlanWarnings: true");
    expect(s.stack.graph.state.directory.applications.size).toBe(0);
    expect(s.stack.graph.outbox).toHaveLength(0);
  });

  it("with the sender mailboxes the refusal asks for, invites and reminds every user within Exchange's limits, and nothing bounces", async () => {
    // How many mailboxes: what the refusal above says (the dry run shows the same plan).
    s = await startScenario({ tenant });
    const dryRun = await s.api("migrations", { method: "POST", body: JSON.stringify(body({ dryRun: true })), headers: { "content-type": "application/json" } });
    const { plan } = (await dryRun.json()) as { plan: { recipients: number; shortfalls: string[] } };
    const needed = Number(/list (\d+) sender mailboxes/.exec(plan.shortfalls[0])?.[1]);
    expect(needed).toBeGreaterThan(1);
    await s.stop();

    s = await startScenario({ tenant, stack: { mailSenders: senders(needed) } });
    const started = Date.now();
    const id = await s.start(body());
    await s.runUntil(async () => !["setup", "onboarding"].includes(await s!.phase(id)), 15 * DAY);
    const elapsed = Date.now() - started;

    const outbox = s.stack.graph.outbox;
    const users = (await s.stack.store.getUsers(id)).filter((u) => u.mail);
    expect(users.length).toBe(plan.recipients);
    const mailedTimes = new Map<string, number>();
    for (const m of outbox) for (const r of [...m.to, ...m.bcc]) mailedTimes.set(r.toLowerCase(), (mailedTimes.get(r.toLowerCase()) ?? 0) + 1);
    // Invitation + P7D, P3D, P1D, PT4H: five mails each, none twice.
    expect(users.filter((u) => mailedTimes.get(u.mail!.toLowerCase()) !== 5)).toEqual([]);
    expect(users.filter((u) => u.remindersSent !== 4)).toEqual([]);
    expect(outbox.filter((m) => m.nonDelivery !== undefined)).toEqual([]);
    expect(busiestDay(outbox)).toBeLessThanOrEqual(10_000);
    expect(new Set(outbox.map((m) => m.sender)).size).toBe(needed);
    const status = await s.status(id);
    expect(status.bounced).toEqual([]);
    console.log(`${USERS} users, ${needed} sender mailboxes: onboarding window (invitation + 4 reminders, ${outbox.length} messages) in ${(elapsed / 1000).toFixed(1)} s`);
  });
});
