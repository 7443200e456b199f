/**
 * Runbook "Close the migration": after approval, check once more (a user may have fallen back to
 * unlinked since); only then delete the Peig migration configuration, then the Entra migration app.
 * Deletion cannot be undone, so it starts only through an ETag-guarded "deletion started" mark that a
 * concurrent cancellation cannot slip past. Once started, a re-try goes on with the deletions only.
 */
import type { OrchestrationContext } from "durable-functions";
import type { MigrationState } from "../shared/workflow";
import { call, enterPhase, publishProgress, type PhaseResult } from "./common";
import { humanGate, isSleep } from "./humanGate";

export function* closeMigration(context: OrchestrationContext, state: MigrationState): PhaseResult {
  const { migrationId } = state;
  if (!state.closing) {
    const recheck = yield* call(context, "verifyChecklist", { migrationId, approved: state.checklist });
    if (!recheck.readyForDeletion) {
      state.checklist = recheck.checklist;
      // The gating items that failed, each with its fresh evidence (who and why): not every unmet item,
      // since "configuration deleted" is never met before the deletion.
      const regressed = recheck.reasons;
      yield* call(context, "notifyAdmins", { migrationId, event: "regressed", details: { regressed } });
      return yield* enterPhase(context, state, "approval", `re-check failed after approval: ${regressed.join("; ")}`);
    }
    const begun = yield* call(context, "beginDeletion", { migrationId, instanceId: context.df.instanceId });
    if (!begun.ok) return; // cancelled first: the dispatcher stops on its next read
    state.closing = { configurationDeleted: false };
  }

  if (!state.closing.configurationDeleted) {
    publishProgress(context, state, { waitingFor: "deletion of the migration configuration" });
    if (state.peigMode === "api") {
      yield* call(context, "deletePeigMigrationConfiguration", { migrationId });
    } else {
      const outcome = yield* humanGate(context, state, "peigDeletion", 1, 1);
      if (isSleep(outcome)) return outcome;
      if (outcome !== "done") {
        state.stoppedBecause = `the Peig admin did not confirm the deletion (${outcome})`;
        return yield* enterPhase(context, state, "failed", state.stoppedBecause);
      }
    }
    state.closing.configurationDeleted = true;
  }
  yield* call(context, "deleteMigrationApp", { migrationId });
  yield* enterPhase(context, state, "report");
}
