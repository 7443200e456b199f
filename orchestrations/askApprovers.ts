/**
 * The approval gate before the irreversible deletion: k of n approvers must approve; any rejection,
 * or the links expiring, stops here and tells the admins, who can ask again.
 */
import type { OrchestrationContext } from "durable-functions";
import { Activities, type MigrationState } from "../shared/workflow";
import { call, enterPhase, publishProgress, readAdminCommands, sleepUntilWoken, type PhaseStep } from "./common";
import { waitForPeople } from "./humanTasks";

export function* askApprovers(context: OrchestrationContext, state: MigrationState, linkTtlMs: number): PhaseStep {
  state.approvalRound++;
  const { requiredApprovals, approvers } = state.request;
  publishProgress(context, state, { waitingFor: `${requiredApprovals} of ${approvers.length} approvers` });
  const outcome = yield* waitForPeople(context, state, "deletionApproval", { round: state.approvalRound, required: requiredApprovals, linkTtlMs });
  if (outcome === "approved") return yield* enterPhase(context, state, "closing", `approved in round ${state.approvalRound}`);
  if (outcome === "cancelled") return; // the dispatcher sees the cancellation on its next read

  yield* call(context, Activities.notifyAdmins, { migrationId: state.migrationId, event: `approval.${outcome}`, details: { round: state.approvalRound } });
  publishProgress(context, state, { waitingFor: `an admin to request approval again (round ${state.approvalRound} ${outcome})` });
  for (;;) {
    yield* sleepUntilWoken(context, undefined);
    const commands = yield* readAdminCommands(context, state);
    if (commands.cancelRequested) return;
    if (commands.approvalRequested) return yield* enterPhase(context, state, "verification", `approval requested again after round ${state.approvalRound}`);
  }
}
