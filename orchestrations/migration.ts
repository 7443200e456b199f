/**
 * The migration, start to finish. Each execution reads the admin commands, runs one step of the
 * current phase, waits at most once (on what the phase asked for), and continues as new, so the
 * history stays small however long the migration lasts. The phases read like the runbook; this
 * function only dispatches, handles cancellation, and turns a failed step into timed re-tries
 * ("needs attention" once the quick ones are used up) instead of a failed orchestration.
 */
import type { OrchestrationContext } from "durable-functions";
import { stepInWords } from "../shared/domain/inWords";
import { afterFailure, retryDue } from "../shared/domain/waits";
import {
  isFinalPhase,
  type AdminCommands,
  type Attention,
  type MigrationState,
  type Phase,
  type StepFailure,
} from "../shared/workflow";
import { askApprovers } from "./askApprovers";
import { closeMigration } from "./closeMigration";
import {
  beginExecution,
  call,
  enterPhase,
  decisionTime,
  publishProgress,
  readAdminCommands,
  StepFailedError,
  waitOnce,
  type PhaseResult,
  type PhaseStep,
} from "./common";
import { createMissingPeigAccounts } from "./createMissingPeigAccounts";
import { reportMigration } from "./reportMigration";
import { runOnboardingWindow } from "./runOnboardingWindow";
import { setUpMigration } from "./setUpMigration";
import { verifyMigration } from "./verifyMigration";

export interface MigrationOutcome {
  phase: Phase;
  stoppedBecause?: string;
  checklist?: MigrationState["checklist"];
}

export function* migrationOrchestrator(context: OrchestrationContext): PhaseStep<MigrationOutcome | undefined> {
  const state = context.df.getInput<MigrationState>();
  beginExecution(context, state);
  publishProgress(context, state);
  const sleep = yield* step(context, state);
  if (isFinalPhase(state.phase)) {
    publishProgress(context, state);
    return { phase: state.phase, stoppedBecause: state.stoppedBecause, checklist: state.checklist };
  }
  if (sleep) {
    const { woken, end } = yield* waitOnce(context, sleep.until);
    // The next execution decides as if at least at the timer's time (Azure Storage may deliver it early).
    if (!woken) state.timerDueAt = end.toISOString();
  }
  context.df.continueAsNew(state);
  return undefined;
}

/** One step: the commands first (a cancel is honoured before anything else), then the phase's work. */
function* step(context: OrchestrationContext, state: MigrationState): PhaseResult {
  try {
    const commands = yield* readAdminCommands(context, state);
    // After deletion started, cancellation is refused at the door, so the report phase never sees one.
    if (commands.cancelRequested && state.phase !== "report")
      return yield* stopMigration(context, state, commands.cancelRequested.reason, commands.cancelRequested.by);
    const attention = state.attention;
    // A resume counts once: the one acted on is remembered (a resume with nothing failing is moot).
    const resumeAt = commands.resumeRequested?.at;
    const newResume = resumeAt !== undefined && resumeAt !== state.resumeSeen;
    state.resumeSeen = resumeAt;
    if (attention && !retryDue(attention, decisionTime(context), newResume)) {
      publishProgress(context, state, { waitingFor: retryInWords(attention) });
      return { until: attention.nextAttemptAt ? new Date(attention.nextAttemptAt) : undefined };
    }
    const sleep = yield* runPhase(context, state, commands);
    if (attention) {
      yield* call(context, "recordAttention", {
        migrationId: state.migrationId,
        attention: null,
        instanceId: context.df.instanceId,
      });
      state.attention = undefined;
    }
    return sleep;
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    return yield* stepFailed(context, state, error.failure);
  }
}

function* runPhase(context: OrchestrationContext, state: MigrationState, commands: AdminCommands): PhaseResult {
  switch (state.phase) {
    case "setup":
      return yield* setUpMigration(context, state);
    case "onboarding":
      return yield* runOnboardingWindow(context, state, commands);
    case "phase2":
      return yield* createMissingPeigAccounts(context, state);
    case "verification":
      return yield* verifyMigration(context, state);
    case "approval":
      return yield* askApprovers(context, state, commands);
    case "closing":
      return yield* closeMigration(context, state);
    case "report":
      return yield* reportMigration(context, state);
  }
}

/** What the migration waits for while a step is to be tried again: the try, or an admin's resume when people did not act. */
const retryInWords = (attention: Attention) =>
  attention.service === "people"
    ? `an admin to press Resume (${stepInWords(attention.step)} was not done)`
    : `a retry of ${stepInWords(attention.step)}`;

/**
 * The step is tried again later, from where it stopped (activities are idempotent). Recording it may
 * fail too (the store or the mail may be what is down): the re-try is scheduled all the same.
 */
function* stepFailed(context: OrchestrationContext, state: MigrationState, failure: StepFailure): PhaseResult {
  const incident = state.attention?.incident ?? (state.incidents ?? 0) + 1;
  state.incidents = incident;
  const attention = afterFailure(state.attention, failure, decisionTime(context), state.timings, incident);
  state.attention = attention;
  publishProgress(context, state, { waitingFor: retryInWords(attention) });
  try {
    yield* call(context, "recordAttention", {
      migrationId: state.migrationId,
      attention,
      instanceId: context.df.instanceId,
    });
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
  }
  return { until: attention.nextAttemptAt ? new Date(attention.nextAttemptAt) : undefined };
}

/** Cancelled before deletion: close every open link, tell the admins what was left in place. */
function* stopMigration(context: OrchestrationContext, state: MigrationState, reason: string, by: string): PhaseStep {
  yield* call(context, "closeHumanTasks", { migrationId: state.migrationId, outcome: "cancelled" });
  yield* call(context, "notifyAdmins", {
    migrationId: state.migrationId,
    event: "cancelled",
    details: { reason, by, phase: state.phase },
  });
  state.stoppedBecause = `cancelled by ${by}: ${reason}`;
  yield* enterPhase(context, state, "cancelled", state.stoppedBecause);
  state.gate = undefined;
  state.attention = undefined;
}
