/**
 * A property of the approval gate: whatever the order and timing of approvals, rejections, reminders,
 * expiries, cancels and requests to ask again, every round ends in the outcome its recorded decisions
 * imply, and the migration ends where the last round says; no decision in the store is ignored.
 * Each run drives one migration that starts at the approval gate (the other phases are not needed), on
 * the local host with a virtual clock and an in-memory store, with the real task links over HTTP.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { registry } from "../../local/host/fakeCore";
import { defaultTimings } from "../../shared/domain/waits";
import type { MigrationRuntime } from "../../shared/migrationRecord";
import { initialState, type MigrationRequest, type MigrationState } from "../../shared/workflow";
import { DAY, decideNow, HOUR, startBody, startScenario, type Scenario } from "./harness";

type Action =
  | { kind: "approve" | "reject"; who: number }
  /** Several people at once, without waiting for the host in between: decisions race the tallies. */
  | { kind: "together"; decisions: { who: number; decision: "approve" | "reject" }[] }
  | { kind: "advance"; hours: number }
  | { kind: "cancel" }
  | { kind: "again" };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("approve" as const), who: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reject" as const), who: fc.integer({ min: 0, max: 2 }) }) },
  // Reminders come every 24 hours, the links expire after 48: both fall inside these steps.
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("advance" as const), hours: fc.integer({ min: 1, max: 60 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("together" as const),
      decisions: fc.array(
        fc.record({
          who: fc.integer({ min: 0, max: 2 }),
          decision: fc.constantFrom("approve" as const, "reject" as const),
        }),
        { minLength: 2, maxLength: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "cancel" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "again" as const }) },
);

const TTL_MS = 2 * DAY;
let s: Scenario;
let restore: (() => void) | undefined;
let run = 0;

beforeAll(async () => {
  s = await startScenario({ tenant: { users: 5, missRate: 0, mismatchRate: 0 } });
  // Verification is always ready; the closing's re-check fails, so a run stops at "closing" (nothing is deleted).
  const registration = registry.get("verifyChecklist")!;
  const original = registration.callback;
  registration.callback = async (input: unknown) => {
    if ((input as { approved?: unknown }).approved !== undefined) throw new Error("the property test stops at closing");
    return { checklist: [], readyForDeletion: true, reasons: [] };
  };
  restore = () => void (registration.callback = original);
});

afterAll(async () => {
  restore?.();
  await s?.stop();
});

async function startAtApproval(requiredApprovals: number): Promise<{ id: string; approvers: string[] }> {
  run++;
  const id = randomUUID();
  const approvers = [0, 1, 2].map((i) => `a${i}.run${run}@contoso.com`);
  const base = startBody();
  const request: MigrationRequest = {
    ...(base as unknown as MigrationRequest),
    workspace: `w${run}`,
    approvers,
    requiredApprovals,
  };
  const runtime: MigrationRuntime = {
    request,
    peigMode: "api",
    taskLinkTtlMs: TTL_MS,
    timings: defaultTimings,
    commands: {},
    sent: [],
    checklist: [],
  };
  await s.stack.store.createMigration({
    id,
    workspace: request.workspace,
    domain: request.domain,
    phase: "approval",
    deadline: request.deadline,
    runtime,
  });
  // The checklist the approvers approve (the closing's re-check is told it, which is how the override knows it).
  const state: MigrationState = { ...initialState(id, runtime), phase: "approval", checklist: [] };
  await s.host.client.startNew("migration", { instanceId: id, input: state });
  await s.host.idle();
  return { id, approvers };
}

const post = (path: string, body: unknown = {}) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

async function perform(id: string, approvers: string[], a: Action): Promise<{ cancelAccepted: boolean }> {
  switch (a.kind) {
    case "approve":
    case "reject": {
      const link = s.taskLinks(approvers[a.who]).at(-1);
      if (link) await s.decide(link, a.kind, a.kind === "reject" ? { reason: "not yet" } : {});
      break;
    }
    case "together": {
      const links = a.decisions.map((d) => ({ link: s.taskLinks(approvers[d.who]).at(-1), decision: d.decision }));
      await Promise.all(links.map(({ link, decision }) => (link ? decideNow(s, link, decision) : undefined)));
      await s.host.idle();
      break;
    }
    case "advance":
      await s.host.advanceBy(a.hours * HOUR);
      break;
    case "cancel":
      return { cancelAccepted: (await post(`migrations/${id}/cancel`, { reason: "property" })).status === 202 };
    case "again":
      await post(`migrations/${id}/approval`);
      await s.host.idle();
      break;
  }
  return { cancelAccepted: false };
}

type Outcome = "approved" | "rejected" | "expired";

/** What each round's recorded decisions imply, and what the migration reported for it. */
async function rounds(id: string, required: number) {
  const tasks = await s.stack.store.listTasks(id);
  const audit = await s.stack.store.listAudit(id);
  const gates = [...new Set(tasks.map((t) => t.gate!).filter((g) => g.startsWith("deletionApproval-")))].sort(
    (a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]),
  );
  return gates.map((gate) => {
    const round = Number(gate.split("-")[1]);
    const decided = tasks.filter((t) => t.gate === gate && t.status === "decided");
    const approvals = new Set(decided.filter((t) => t.decision === "approve").map((t) => t.assignee)).size;
    const implied: Outcome = decided.some((t) => t.decision === "reject")
      ? "rejected"
      : approvals >= required
        ? "approved"
        : "expired";
    const reported: Outcome | undefined = audit.some(
      (e) => e.action === "phase.closing" && e.details.detail === `approved in round ${round}`,
    )
      ? "approved"
      : audit.some((e) => e.action === "admins.notified.approval.rejected" && e.details.round === round)
        ? "rejected"
        : audit.some((e) => e.action === "admins.notified.approval.expired" && e.details.round === round)
          ? "expired"
          : undefined;
    const closedByGate = audit.some((e) => e.action === "tasks.closed" && e.details.gate === gate);
    return { round, implied, reported, closedByGate };
  });
}

describe("the approval gate, under any interleaving", () => {
  it("ends every round as its recorded decisions imply, and the migration where the last round says (200 seeded runs)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(action, { maxLength: 8 }),
        async (required, actions) => {
          const { id, approvers } = await startAtApproval(required);
          let cancelled = false;
          for (const a of actions) cancelled = (await perform(id, approvers, a)).cancelAccepted || cancelled;
          // Let every open round run to its end (the links expire after 48 hours).
          await s.runUntil(async () => (await s.stack.store.listTasks(id, { status: "open" })).length === 0, 5 * DAY);

          const all = await rounds(id, required);
          const phase = await s.phase(id);
          for (const r of all) {
            if (r.closedByGate) {
              // A cancel right after a round closed may come before its notice; never a different outcome.
              if (r.reported !== undefined || !cancelled) expect(r).toMatchObject({ reported: r.implied });
            } else {
              expect(cancelled).toBe(true);
            }
          }
          if (cancelled) {
            expect(phase).toBe("cancelled");
          } else {
            const last = all.at(-1)!;
            expect(phase).toBe(last.implied === "approved" ? "closing" : "approval");
          }
          await s.host.client.terminate(id, "run over").catch(() => undefined);
          await s.host.idle();
          // One host for the file, reset between runs: an ended instance left behind would be scanned by every
          // later run's host loop and timer search (the runs share nothing: each has its own id and approvers).
          await s.host.engine.purge(id);
        },
      ),
      { numRuns: 200, seed: 20261201 },
    );
  }, 900_000);
});
