/**
 * The migration, start to finish. Each execution runs one step of the current phase and then
 * continues as new, so the history stays small however long the onboarding window lasts. The phases
 * read like the runbook; this function only dispatches and handles cancellation.
 */
import type { OrchestrationContext } from "durable-functions";
import { Activities, type MigrationState, type Phase } from "../shared/workflow";
import { askApprovers } from "./askApprovers";
import { closeMigration } from "./closeMigration";
import { call, enterPhase, publishProgress, readAdminCommands, type PhaseStep } from "./common";
import { createMissingPeigAccounts } from "./createMissingPeigAccounts";
import { reportMigration } from "./reportMigration";
import { runOnboardingWindow } from "./runOnboardingWindow";
import { setUpMigration } from "./setUpMigration";
import { verifyMigration } from "./verifyMigration";

const FINAL: Phase[] = ["completed", "cancelled", "failed"];

export interface MigrationOutcome {
  phase: Phase;
  stoppedBecause?: string;
  checklist?: MigrationState["checklist"];
}

export function* migrationOrchestrator(context: OrchestrationContext): PhaseStep<MigrationOutcome | undefined> {
  const state = context.df.getInput<MigrationState>();
  if (state.phase !== "report") {
    const commands = yield* readAdminCommands(context, state);
    if (commands.cancelRequested) yield* stopMigration(context, state, commands.cancelRequested.reason, commands.cancelRequested.by);
  }

  const ttl = state.taskLinkTtlMs;
  switch (state.phase) {
    case "setup":
      yield* setUpMigration(context, state, ttl);
      break;
    case "onboarding":
      yield* runOnboardingWindow(context, state);
      break;
    case "phase2":
      yield* createMissingPeigAccounts(context, state, ttl);
      break;
    case "verification":
      yield* verifyMigration(context, state);
      break;
    case "approval":
      yield* askApprovers(context, state, ttl);
      break;
    case "closing":
      yield* closeMigration(context, state, ttl);
      break;
    case "report":
      yield* reportMigration(context, state);
      break;
  }

  publishProgress(context, state);
  if (FINAL.includes(state.phase)) return { phase: state.phase, stoppedBecause: state.stoppedBecause, checklist: state.checklist };
  context.df.continueAsNew(state);
  return undefined;
}

/** Cancelled before deletion: close every open link, tell the admins what was left in place. */
function* stopMigration(context: OrchestrationContext, state: MigrationState, reason: string, by: string): PhaseStep {
  yield* call(context, Activities.closeHumanTasks, { migrationId: state.migrationId, outcome: "cancelled" });
  yield* call(context, Activities.notifyAdmins, { migrationId: state.migrationId, event: "cancelled", details: { reason, by, phase: state.phase } });
  state.stoppedBecause = `cancelled by ${by}: ${reason}`;
  yield* enterPhase(context, state, "cancelled", state.stoppedBecause);
}
