/**
 * Waiting on people: approvers (k of n) or the Peig admin confirming an operator step. The links go
 * out by e-mail; decisions arrive through our own task endpoints, which record them in the store and
 * wake us. The store is the truth: every wake re-reads the tally, so duplicate or late events change
 * nothing.
 */
import type { OrchestrationContext } from "durable-functions";
import { Activities, Events, gateId, type HumanTaskPurpose, type HumanTaskTally, type MigrationState } from "../shared/workflow";
import { at, call, HOUR, readAdminCommands, type PhaseStep } from "./common";

export type HumanOutcome = "approved" | "rejected" | "expired" | "done" | "cancelled";

/** Reminders go to those who have not decided, at most this often while the links are valid. */
const REMIND_EVERY = 24 * HOUR;

export function* waitForPeople(
  context: OrchestrationContext,
  state: MigrationState,
  purpose: HumanTaskPurpose,
  options: { round: number; required: number; linkTtlMs: number },
): PhaseStep<HumanOutcome> {
  const expiresAt = at(context, options.linkTtlMs);
  const gate = gateId(purpose, options.round);
  yield* call(context, Activities.openHumanTasks, { migrationId: state.migrationId, purpose, round: options.round, expiresAt: expiresAt.toISOString() });
  const expiry = context.df.createTimer(expiresAt);
  let wake = context.df.waitForExternalEvent(Events.wake);
  for (;;) {
    // No reminder at or after the expiry: its fresh links would expire at once (and one armed at the
    // expiry's own instant would fire again and again).
    const remindAt = at(context, REMIND_EVERY);
    const reminder = remindAt < expiresAt ? context.df.createTimer(remindAt) : undefined;
    const winner = yield context.df.Task.any(reminder ? [wake, expiry, reminder] : [wake, expiry]);
    if (reminder && winner === reminder) {
      yield* call(context, Activities.remindHumanTasks, { migrationId: state.migrationId, gate });
      continue;
    }
    if (reminder && !reminder.isCompleted) reminder.cancel();
    if (winner === expiry) return yield* closeGate(context, state, gate, "expired");

    wake = context.df.waitForExternalEvent(Events.wake);
    const commands = yield* readAdminCommands(context, state);
    if (commands.cancelRequested) {
      expiry.cancel();
      return yield* closeGate(context, state, gate, "cancelled");
    }
    const tally = yield* call<HumanTaskTally>(context, Activities.tallyHumanTasks, { migrationId: state.migrationId, gate });
    const outcome: HumanOutcome | undefined =
      tally.rejections.length > 0 ? "rejected" : tally.approvals.length >= options.required ? "approved" : tally.done.length > 0 ? "done" : undefined;
    if (outcome) {
      expiry.cancel();
      return yield* closeGate(context, state, gate, outcome);
    }
  }
}

function* closeGate(context: OrchestrationContext, state: MigrationState, gate: string, outcome: HumanOutcome): PhaseStep<HumanOutcome> {
  // Open links of a closed gate stop working (a late approval after a rejection counts for nothing).
  yield* call(context, Activities.closeHumanTasks, { migrationId: state.migrationId, gate, outcome });
  return outcome;
}
