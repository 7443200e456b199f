/** Runbook "Confirm your setup", the final word: the checklist with its evidence, stored and mailed, ready for step 5. */
import type { OrchestrationContext } from "durable-functions";
import type { MigrationState } from "../shared/workflow";
import { call, enterPhase, type PhaseStep } from "./common";

export function* reportMigration(context: OrchestrationContext, state: MigrationState): PhaseStep {
  const report = yield* call(context, "writeReport", { migrationId: state.migrationId });
  state.checklist = report.checklist;
  yield* enterPhase(context, state, "completed");
}
