/**
 * The approval gate before the irreversible deletion: k of n approvers must approve; any rejection,
 * or the links expiring, stops here and tells the admins, who can ask again.
 */
import type { OrchestrationContext } from "durable-functions";
import type { AdminCommands, MigrationState } from "../shared/workflow";
import { call, enterPhase, publishProgress, type PhaseResult } from "./common";
import { humanGate, isSleep } from "./humanGate";

export function* askApprovers(
  context: OrchestrationContext,
  state: MigrationState,
  commands: AdminCommands,
): PhaseResult {
  const ended = state.approvalEnded;
  if (ended) {
    if (!ended.notified) {
      yield* call(context, "notifyAdmins", {
        migrationId: state.migrationId,
        event: `approval.${ended.outcome}`,
        details: { round: state.approvalRound },
      });
      ended.notified = true;
    }
    if (commands.approvalRequested) {
      yield* enterPhase(context, state, "verification", `approval requested again after round ${state.approvalRound}`);
      state.approvalEnded = undefined;
      return;
    }
    publishProgress(context, state, {
      waitingFor: `an admin to request approval again (round ${state.approvalRound} ${ended.outcome})`,
    });
    return {};
  }

  const round = state.gate?.purpose === "deletionApproval" ? state.gate.round : state.approvalRound + 1;
  const { requiredApprovals, approvers } = state.request;
  const outcome = yield* humanGate(context, state, "deletionApproval", round, requiredApprovals);
  state.approvalRound = round;
  if (isSleep(outcome)) {
    publishProgress(context, state, { waitingFor: `${requiredApprovals} of ${approvers.length} approvers` });
    return outcome;
  }
  if (outcome === "approved") return yield* enterPhase(context, state, "closing", `approved in round ${round}`);
  state.approvalEnded = { outcome: outcome === "rejected" ? "rejected" : "expired", notified: false };
  return yield* askApprovers(context, state, commands);
}
