/**
 * Exchange Online as a real tenant has it. Right after the Exchange RBAC for Applications grant, Exchange refuses the app on the sender mailbox (403) for up to
 * 2 hours ("cache maintenance that varies between 30 minutes and 2 hours",
 * https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac). The migration needs attention naming
 * the grant, and once Exchange lets it in, everybody gets each message exactly once. A tenant may allow fewer
 * recipients per message than Exchange's 500 (1–1,000): a message refused for that is split, nobody dropped.
 */
import { HOUR, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

/** Invitation deliveries per address. */
function invitations(): Map<string, number> {
  const invited = new Map<string, number>();
  for (const mail of s.stack.graph.outbox.filter((m) => /^Action needed/.test(m.subject)))
    for (const to of [...mail.to, ...mail.bcc]) invited.set(to.toLowerCase(), (invited.get(to.toLowerCase()) ?? 0) + 1);
  return invited;
}

const attentionOf = async (id: string) =>
  (await s.status(id)).needsAttention as { step: string; status: number | null; fix: string } | null;

describe("a 403 storm on the sender mailbox after the Exchange RBAC grant", () => {
  it("needs attention naming the grant, then mails every person exactly once", async () => {
    const grantEffective = Date.parse("2026-12-01T12:00:00Z");
    s = await startScenario({
      tenant: { users: 25, missRate: 0.5, mismatchRate: 0 },
      stack: { graph: { exchangeGrantEffectiveAt: new Date(grantEffective).toISOString() } },
    });
    const started = s.clock.now().getTime();
    expect(started).toBeLessThan(grantEffective - 2 * HOUR);
    const id = await s.start();
    await s.runUntil(async () => (await attentionOf(id)) !== null, 2 * HOUR);
    const attention = (await attentionOf(id))!;
    expect(attention).toMatchObject({ status: 403 });
    expect(attention.fix).toMatch(/Exchange RBAC grant.*Application Mail\.Send.*MAIL_SENDERS.*2 hours/);
    expect(s.stack.graph.outbox).toHaveLength(0);

    await s.runUntil(
      async () => s.clock.now().getTime() > grantEffective && (await attentionOf(id)) === null,
      12 * HOUR,
    );
    expect(await attentionOf(id)).toBeNull();
    const invited = invitations();
    // Everyone the app recorded as mailed (all but whoever had onboarded already) got the invitation, once.
    const mailed = (await s.stack.store.getUsers(id)).filter((u) => u.lastMail !== undefined);
    expect(mailed.length).toBeGreaterThan(20);
    expect(invited.size).toBe(mailed.length);
    expect([...invited.values()].every((n) => n === 1)).toBe(true);
  });
});

describe("a tenant that allows 100 recipients per message", () => {
  it("splits each refused invitation message and reaches every person exactly once", async () => {
    s = await startScenario({
      tenant: { users: 160, missRate: 1, mismatchRate: 0 },
      stack: { graph: { mailLimits: { recipientsPerMessage: 100 } } },
    });
    const id = await s.start();
    await s.runUntil(async () => invitations().size > 0, 2 * HOUR);
    await s.host.idle();
    const invited = invitations();
    const mailed = (await s.stack.store.getUsers(id)).filter((u) => u.lastMail !== undefined);
    expect(mailed.length).toBeGreaterThan(100);
    expect(invited.size).toBe(mailed.length);
    expect([...invited.values()].every((n) => n === 1)).toBe(true);
    expect(s.stack.graph.outbox.every((m) => m.to.length + m.bcc.length <= 100)).toBe(true);
    expect(await s.status(id)).toMatchObject({ needsAttention: null });
  });
});
