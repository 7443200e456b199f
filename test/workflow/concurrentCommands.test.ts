/**
 * Admin commands that race: the store's ETags decide. Parallel deadline extensions leave the latest
 * accepted deadline stored (a loser answers 409, never 500); parallel cancels record one cancellation.
 */
import { auditOf, DAY, START, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("ten parallel deadline extensions", () => {
  it("store the latest deadline that was accepted, and answer each with 202 or 409, never 500", async () => {
    s = await startScenario({ tenant: { users: 20 } });
    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= Date.parse(START) + DAY);
    const deadlines = Array.from({ length: 10 }, (_, i) =>
      new Date(Date.parse("2026-12-16T09:00:00Z") + i * 3_600_000).toISOString(),
    );
    const answers = await Promise.all(deadlines.map((deadline) => post(`migrations/${id}/deadline`, { deadline })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((st) => st !== 202 && st !== 409)).toEqual([]);
    const accepted = deadlines.filter((_, i) => statuses[i] === 202);
    expect(accepted.length).toBeGreaterThan(0);
    const latest = accepted.sort().at(-1)!;
    expect((await s.stack.store.getMigration(id))!.deadline).toBe(latest);
    // Each accepted extension is audited once, in the order the store took them.
    const audited = (await auditOf(s, id, "deadline.extended")).map((a) => a.details.to);
    expect(audited.sort()).toEqual([...accepted].sort());
    await s.host.idle();
  });
});

describe("ten parallel cancels", () => {
  it("record one cancellation; the others answer 202 already requested without a new audit entry", async () => {
    s = await startScenario({ tenant: { users: 20 } });
    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= Date.parse(START) + DAY);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(`migrations/${id}/cancel`, { reason: `reason ${i}` })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(202));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { status?: string }[];
    expect(bodies.filter((b) => b.status === "already requested")).toHaveLength(9);
    expect(await auditOf(s, id, "migration.cancelRequested")).toHaveLength(1);
    await s.host.idle();
    expect(await s.phase(id)).toBe("cancelled");
    // Also after the cancellation took effect, a repeat records nothing new.
    const later = await post(`migrations/${id}/cancel`, { reason: "again" });
    expect(await auditOf(s, id, "migration.cancelRequested")).toHaveLength(1);
    expect(later.status).toBe(409);
  });
});
