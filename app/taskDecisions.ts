/**
 * What a person does on a task page: decide it (approve, reject, done) or, for an approval, hand it to a colleague.
 * Both close the task once (the store's ETag-conditional write, so two links racing record one answer), audit it
 * and wake the workflow, which re-reads the tally. The HTTP handlers (functions/tasks.ts) find the task, check the
 * page's CSRF token, parse the form and map these typed results to pages.
 */
import { delegatedTask } from "../activities/gateTasks";
import { checkAndRecordConfirmation, type ConfirmationOutcome } from "../shared/operatorConfirmations";
import { PreconditionFailedError, type TaskRecord } from "../shared/store";
import { sendTaskMessages } from "../shared/taskLinks";
import type { TaskDecision } from "../shared/taskPayloads";
import type { AppDeps, MigrationRunner } from "./ports";

/** The open task as the link found it: the record (with its ETag) and its link's hash. */
export interface FoundTask {
  task: TaskRecord;
  hash: string;
}

/** Why an answer was not recorded: the task changed meanwhile, or it is already answered or closed. */
export type NotRecorded = { kind: "changed" } | { kind: "notRecorded"; why: "alreadyDecided" | "closed" };

export type DecisionResult =
  | { kind: "recorded" }
  /** A "done" whose figures disagree with what the app knows: nothing consumed. */
  | { kind: "confirmationRefused"; problems: Extract<ConfirmationOutcome, { ok: false }>["problems"] }
  | NotRecorded;

export type HandOverResult = { kind: "handedOver" } | { kind: "refused"; message: string } | NotRecorded;

/** Closes the task with `decision` once, audits `action` with `details`, and wakes the workflow. */
async function closeOnce(
  deps: AppDeps,
  runner: MigrationRunner,
  { task, hash }: FoundTask,
  decision: TaskDecision | "delegate",
  by: string,
  recordedReason: string | undefined,
  audit: { action: string; details: Record<string, unknown> },
  afterClosed: () => Promise<void> = async () => {},
): Promise<{ kind: "closed" } | NotRecorded> {
  let result;
  try {
    result = await deps.store.decideTask(hash, decision, {
      decidedBy: by,
      decidedAt: deps.clock.now().toISOString(),
      reason: recordedReason,
      etag: task.etag,
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError) return { kind: "changed" };
    throw err;
  }
  if (result.outcome !== "decided")
    return { kind: "notRecorded", why: result.outcome === "alreadyDecided" ? "alreadyDecided" : "closed" };
  await afterClosed();
  await deps.store.appendAudit({
    migrationId: task.migrationId,
    actor: `approver:${by}`,
    action: audit.action,
    details: { gate: task.gate ?? null, ...audit.details },
    instanceId: task.migrationId,
  });
  await runner.wake(task.migrationId);
  return { kind: "closed" };
}

/**
 * Records one person's answer. A "done" first has its figures checked against what the app knows (operator tasks):
 * refused, nothing is consumed and the page shows what differs.
 */
export async function decideTask(
  deps: AppDeps,
  runner: MigrationRunner,
  found: FoundTask,
  answer: { decision: TaskDecision; reason?: string; by: string; entered: (field: string) => string | null },
): Promise<DecisionResult> {
  const { decision, reason, by } = answer;
  if (decision === "done") {
    const checked = await checkAndRecordConfirmation(deps, found.task, answer.entered, by);
    if (!checked.ok) return { kind: "confirmationRefused", problems: checked.problems };
  }
  const closed = await closeOnce(deps, runner, found, decision, by, reason, {
    action: "task.decided",
    details: { decision, reason: reason ?? null },
  });
  return closed.kind === "closed" ? { kind: "recorded" } : closed;
}

/**
 * Hands an approval to a colleague: the assignee's task closes as delegated (so every link to it stops), the same
 * task opens for the colleague with a link of their own, mailed to them, and the audit records both. The colleague
 * must not hold a task of this round already: each person counts once.
 */
export async function handTaskOver(
  deps: AppDeps,
  runner: MigrationRunner,
  found: FoundTask,
  handOver: { delegate: string; reason: string; by: string },
): Promise<HandOverResult> {
  const { task } = found;
  const { delegate, reason, by } = handOver;
  if (task.kind !== "approval") return { kind: "refused", message: "Only an approval can be handed to a colleague." };
  const round = task.gate ? await deps.store.listTasks(task.migrationId, { gate: task.gate }) : [task];
  if (round.some((t) => t.assignee.toLowerCase() === delegate))
    return {
      kind: "refused",
      message:
        delegate === task.assignee.toLowerCase()
          ? "That is your own address."
          : `${delegate} already has this task in this round: each person counts once.`,
    };
  const closed = await closeOnce(
    deps,
    runner,
    found,
    "delegate",
    by,
    `${delegate} (${reason})`,
    { action: "task.delegated", details: { from: by, to: delegate, reason } },
    // The colleague's link goes out before the audit says it did.
    async () => sendTaskMessages(deps, [await delegatedTask(deps, task, delegate)]),
  );
  return closed.kind === "closed" ? { kind: "handedOver" } : closed;
}
