/**
 * The admins' commands on a running migration: extend the deadline, cancel, ask the approvers again, resume. Each
 * is written to the migration row (ETag-guarded), audited, and then the orchestration is woken: it reads the
 * commands at its next execution. Nothing here creates or deletes anything outside this app. When a command is
 * allowed is decided once, here, for the command itself and for the status page's buttons.
 */
import { formatHuman } from "../shared/domain/humanTime";
import { plural } from "../shared/domain/plural";
import { updateRuntime } from "../shared/migrationRecord";
import type { MigrationRuntime } from "../shared/migrationRuntime";
import { NotFoundError, PreconditionFailedError, type MigrationRecord, type TaskRecord } from "../shared/store";
import { parseDeadlineExtension, startRequestLimits } from "../shared/validation/startRequest";
import { adminActions, isFinalPhase, type AdminAction } from "../shared/workflow";
import { deadlineBody, deadlineRefusal, exemptionRefusal, resendRefusal } from "./people";
import type { AppDeps, CommandResult, MigrationRunner } from "./ports";

export type { AdminAction };

const stopped = (phase: string) => `the migration has already ${phase === "completed" ? "completed" : "stopped"}`;
const when = (iso: string, record: MigrationRecord) => formatHuman(new Date(iso), record.runtime.request.timeZone);

/** Why `action` cannot be taken on the migration as it is now, or undefined when it can. */
function refusal(
  action: AdminAction,
  record: MigrationRecord,
  rt: MigrationRuntime,
  openTasks: readonly TaskRecord[],
): string | undefined {
  switch (action) {
    case "extendDeadline":
      return deadlineRefusal(record);
    case "cancel":
      // The same ETag guard as beginDeletion: one of the two wins, never both.
      if (rt.deletionStartedAt)
        return `deletion started at ${when(rt.deletionStartedAt, record)}; it cannot be cancelled any more`;
      return isFinalPhase(record.phase) ? stopped(record.phase) : undefined;
    case "requestApprovalAgain": {
      if (record.phase !== "approval")
        return `approval can be asked again only while the migration waits at the approval gate (it is in ${record.phase})`;
      const open = openTasks.filter((t) => t.gate?.startsWith("deletionApproval-")).length;
      return open > 0
        ? `an approval round is still open (${plural(open, "link")} waiting for a decision): it can be asked again after a rejection or expiry`
        : undefined;
    }
    case "resume":
      if (isFinalPhase(record.phase)) return stopped(record.phase);
      return rt.attention ? undefined : "nothing to resume: no step is failing";
    case "requestPilotReview":
      return pilotReviewRefusal(record, rt);
    case "exemptPerson":
    case "resendInvitation":
    case "extendPersonDeadline":
      if (rt.commands.cancelRequested) return "the migration is being cancelled";
      return action === "exemptPerson"
        ? exemptionRefusal(record)
        : action === "resendInvitation"
          ? resendRefusal(record)
          : deadlineRefusal(record);
  }
}

/** The pilot review can be asked again only while a wave is on hold after one, and once per hold. */
function pilotReviewRefusal(record: MigrationRecord, rt: MigrationRuntime): string | undefined {
  if (record.phase !== "onboarding") return `no wave waits for a pilot review (the migration is in ${record.phase})`;
  const held = (rt.waves ?? []).find(
    (w) => !w.startedAt && (w.review?.outcome === "held" || w.review?.outcome === "expired"),
  );
  if (!held?.review) return "no wave is on hold after a pilot review";
  const asked = rt.commands.pilotReviewRequested;
  return asked && asked.at >= held.review.at
    ? `already asked at ${when(asked.at, record)}: the new review goes out with the next step`
    : undefined;
}

/** The commands an admin may give now (a repeated cancel changes nothing, so it is not offered again). */
export function allowedActions(record: MigrationRecord, openTasks: readonly TaskRecord[]): AdminAction[] {
  return adminActions.filter(
    (action) =>
      !refusal(action, record, record.runtime, openTasks) &&
      !(action === "cancel" && record.runtime.commands.cancelRequested),
  );
}

/**
 * A later deadline (the window must still be open); the stored deadline only ever moves later. The JSON API sends
 * `{deadline}` in ISO 8601 with an offset; the status page's date-and-time input sends the migration's wall clock
 * (`wallClock`), which is read in the migration's time zone.
 */
export async function extendDeadline(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  body: unknown,
  actor: string,
  options: { wallClock?: boolean } = {},
): Promise<CommandResult<{ deadline: string }>> {
  const record = await deps.store.getMigration(id);
  if (!record) return { kind: "notFound" };
  const early = refusal("extendDeadline", record, record.runtime, []);
  if (early) return { kind: "conflict", reason: early };
  const typed = (body as { deadline?: unknown } | null)?.deadline;
  const parsed = parseDeadlineExtension(
    options.wallClock ? deadlineBody(typed, record, true) : body,
    deps.clock.now(),
    new Date(record.deadline),
  );
  if (!parsed.ok) return { kind: "invalid", errors: parsed.errors };
  const deadline = new Date(parsed.value.deadline).toISOString();
  // Decided against the version being written: whatever order parallel requests land in, the latest accepted wins.
  let reason: string | undefined;
  let from = record.deadline;
  try {
    await updateRuntime(deps, id, (rt, current) => {
      from = current.deadline;
      if (refusal("extendDeadline", current, rt, []))
        reason = "too late: the onboarding window closed while the request was being handled";
      else if (Date.parse(current.deadline) >= Date.parse(deadline))
        reason = `a deadline of ${when(current.deadline, current)}, not earlier than ${when(deadline, current)}, was set meanwhile`;
      return reason ? false : { deadline };
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError)
      return { kind: "conflict", reason: "the migration changed while the request was being handled: send it again" };
    throw err;
  }
  if (reason) return { kind: "conflict", reason };
  await audit(deps, id, actor, "deadline.extended", { from, to: deadline });
  await runner.wake(id);
  return { kind: "accepted", deadline };
}

export const CANCEL_ACCEPTED =
  "Cancellation requested. Nothing is deleted: the Peig migration configuration and the Entra app PeigMigrationManager stay in place until you remove them.";

/** Cancels before deletion starts; a repeat changes nothing (`already`). */
export async function cancelMigration(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  reason: unknown,
  actor: string,
): Promise<CommandResult<{ already: boolean }>> {
  if (reason !== undefined && (typeof reason !== "string" || reason.length > startRequestLimits.maxReasonChars))
    return {
      kind: "invalid",
      errors: [{ field: "reason", message: `must be text of at most ${startRequestLimits.maxReasonChars} characters` }],
    };
  let refused: string | undefined;
  let already = false;
  try {
    await updateRuntime(deps, id, (rt, current) => {
      refused = refusal("cancel", current, rt, []);
      already = !refused && rt.commands.cancelRequested !== undefined;
      if (refused || already) return false;
      rt.commands.cancelRequested = {
        reason: (reason as string | undefined) || "no reason given",
        by: actor,
        at: deps.clock.now().toISOString(),
      };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return { kind: "notFound" };
    throw err;
  }
  if (refused) return { kind: "conflict", reason: `cancellation refused: ${refused}` };
  // Only the request that wrote the cancellation records it; repeats (and parallel duplicates) change nothing.
  if (already) return { kind: "accepted", already: true };
  await audit(deps, id, actor, "migration.cancelRequested", { reason: reason || null });
  const durable = await runner.status(id);
  if (!durable || ["Failed", "Terminated", "Completed"].includes(durable.runtimeStatus)) {
    // Nothing runs that could act on the request (the orchestration failed after its retries, or was
    // terminated): record the end here, so the workspace is free for a new migration.
    const { record } = await updateRuntime(deps, id, () => ({ phase: "cancelled", status: "cancelled" }));
    await deps.store.releaseWorkspace(record.workspace, id);
    await audit(deps, id, actor, "phase.cancelled", {
      detail: `the orchestration was ${durable?.runtimeStatus ?? "missing"}; closed by the cancellation`,
    });
  } else {
    await runner.wake(id);
  }
  return { kind: "accepted", already: false };
}

/** A new approval round after a rejected or expired one. */
export async function requestApprovalAgain(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  actor: string,
): Promise<CommandResult> {
  const record = await deps.store.getMigration(id);
  if (!record) return { kind: "notFound" };
  const refused = refusal(
    "requestApprovalAgain",
    record,
    record.runtime,
    await deps.store.listTasks(id, { status: "open" }),
  );
  if (refused) return { kind: "conflict", reason: refused };
  await updateRuntime(deps, id, (rt) => void (rt.commands.approvalRequested = true));
  await audit(deps, id, actor, "approval.requestedAgain", {});
  await runner.wake(id);
  return { kind: "accepted" };
}

/** A new pilot review round for the wave on hold: the admins get new links, with the results as they are now. */
export const requestPilotReview = (deps: AppDeps, runner: MigrationRunner, id: string, actor: string) =>
  stampedCommand(deps, runner, id, actor, {
    action: "requestPilotReview",
    command: "pilotReviewRequested",
    audited: "pilotReview.requestedAgain",
  });

/** "Try again now" while a step keeps failing (after fixing the cause): the next execution runs it at once. */
export const resumeMigration = (deps: AppDeps, runner: MigrationRunner, id: string, actor: string) =>
  stampedCommand(deps, runner, id, actor, {
    action: "resume",
    command: "resumeRequested",
    audited: "migration.resumeRequested",
    refusedAs: (reason) => `resume refused: ${reason}`,
  });

/**
 * A command the orchestration acts on once per request: who and when, written only while `action` is allowed (in the
 * same ETag-guarded write, so a concurrent change cannot slip between the check and the write), audited, then a wake.
 */
async function stampedCommand(
  deps: AppDeps,
  runner: MigrationRunner,
  id: string,
  actor: string,
  how: {
    action: AdminAction;
    command: "resumeRequested" | "pilotReviewRequested";
    audited: string;
    refusedAs?: (reason: string) => string;
  },
): Promise<CommandResult> {
  let refused: string | undefined;
  try {
    await updateRuntime(deps, id, (rt, current) => {
      refused = refusal(how.action, current, rt, []);
      if (refused) return false;
      rt.commands[how.command] = { by: actor, at: deps.clock.now().toISOString() };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return { kind: "notFound" };
    throw err;
  }
  if (refused) return { kind: "conflict", reason: how.refusedAs?.(refused) ?? refused };
  await audit(deps, id, actor, how.audited, {});
  await runner.wake(id);
  return { kind: "accepted" };
}

const audit = (deps: AppDeps, id: string, actor: string, action: string, details: Record<string, unknown>) =>
  deps.store.appendAudit({ migrationId: id, actor: `admin:${actor}`, action, details, instanceId: id });
