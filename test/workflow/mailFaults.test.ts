import type { SentMail } from "../../local/graph-simulator";
import { startScenario, type Scenario, DAY } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

/** (subject, recipient, purpose) delivered more than once; the purpose is the send key's middle part. */
function sentTwice(outbox: readonly SentMail[]): string[] {
  const seen = new Map<string, number>();
  for (const m of outbox) {
    const purpose = m.singleValueExtendedProperties?.[0]?.value.split("/")[1] ?? "(no key)";
    for (const r of [...m.to, ...m.cc, ...m.bcc]) {
      const key = `${m.subject} | ${r.toLowerCase()} | ${purpose}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

describe("mail under Graph faults", () => {
  it("at a 30 % fault rate (429, 503 and 504 after processing) a whole migration mails nobody the same message twice", async () => {
    s = await startScenario({
      tenant: { users: 80, seed: 3, mismatchRate: 0 },
      stack: { faults: { throttleRate: 0.1, serverErrorRate: 0.2, seed: 17 } },
    });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval", 20 * DAY);
    await s.decide(s.taskLinks("cio@contoso.com").at(-1)!, "approve");
    await s.runToEnd(id, 10 * DAY);

    expect(await s.phase(id)).toBe("completed");
    const log = s.stack.graph.requestLog;
    expect(log.filter((r) => r.status === 504 && /\/messages\/[^/]+\/send$/.test(r.path)).length).toBeGreaterThan(0);
    expect(s.stack.graph.outbox.length).toBeGreaterThan(10);
    expect(sentTwice(s.stack.graph.outbox)).toEqual([]);
  });
});
