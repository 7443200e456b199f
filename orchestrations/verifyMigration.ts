/**
 * Runbook "Confirm your setup", before anything is deleted: all users onboarded, all accounts created
 * and linked, Phase 2 done where needed. Not ready → the admins hear what is missing, and the check
 * runs again on the monitor schedule or when an admin asks.
 */
import type { OrchestrationContext } from "durable-functions";
import { parseIsoDuration } from "../shared/domain/duration";
import { atLeast, since } from "../shared/versions";
import type { ChecklistItem, MigrationState } from "../shared/workflow";
import { at, call, enterPhase, publishProgress, type PhaseResult } from "./common";
import { humanGate, isSleep } from "./humanGate";
import { closeMergeTask, earlier, mergeMistypedRequests, mergesAsked } from "./mergeRequests";
import { askPeigAdminAgain, askPeigAdminForAccounts } from "./peigAccountsTask";

/** Operator mode: Phase 2 ran with the Peig admin, and the checklist still finds users it should have covered. */
const phase2AccountsMissing = (state: MigrationState, checklist: readonly ChecklistItem[]) =>
  state.peigMode === "operator" &&
  state.phase2?.skipped === false &&
  checklist.some((i) => i.id === "phase2Completed" && !i.met);

export function* verifyMigration(context: OrchestrationContext, state: MigrationState): PhaseResult {
  // Operator mode: the Peig admin is asked again for the Phase 2 accounts still missing; once they confirm, check again.
  if (state.gate?.purpose === "peigAccounts") return yield* askForAccounts(context, state);
  const confirming = state.gate?.purpose === "peigChecklist";
  if (!confirming) {
    const result = yield* call(context, "verifyChecklist", { migrationId: state.migrationId });
    state.checklist = result.checklist;
    if (!result.readyForDeletion) {
      const missing = result.checklist.filter((i) => !i.met).map((i) => i.label);
      // Told once per distinct gap, not at every re-check.
      const gap = missing.join("; ");
      if (state.notReadyNotified !== gap) {
        yield* call(context, "notifyAdmins", {
          migrationId: state.migrationId,
          event: "notReady",
          details: { missing },
        });
        state.notReadyNotified = gap;
      }
      // Phase 2's task was confirmed (or its last round here expired), yet listed users still have no Peig account: not
      // re-checked silently, the Peig admin is asked again (the task page names who has no sign-in yet). Checked
      // first, so a round is asked only while accounts are missing.
      if (atLeast(context.df.version, since.peigAccountsRounds) && phase2AccountsMissing(state, result.checklist)) {
        yield* askPeigAdminAgain(context, state, "incomplete");
        return yield* askForAccounts(context, state);
      }
      const recheck = { until: at(context, parseIsoDuration(state.request.monitorEvery)) };
      // Requests typed with another e-mail go to the Peig admin as one merge task; once merged, check again at once.
      const merges = mergesAsked(state) ? yield* mergeMistypedRequests(context, state) : undefined;
      if (merges === "merged") return;
      publishProgress(context, state, { waitingFor: `the checklist: ${missing.join("; ")}` });
      return earlier(merges, recheck);
    }
    if (mergesAsked(state)) yield* closeMergeTask(context, state);
    if (state.peigMode === "api") return yield* enterPhase(context, state, "approval");
  }

  // Operator mode sees sign-ins, not Peig: the Peig admin confirms the links in Peig before anyone is
  // asked to approve the deletion.
  const round = confirming ? state.gate!.round : (state.peigChecklistRound ?? 0) + 1;
  const outcome = yield* humanGate(context, state, "peigChecklist", round, 1);
  state.peigChecklistRound = round;
  if (isSleep(outcome)) {
    publishProgress(context, state, {
      waitingFor: "the Peig admin to confirm every user is onboarded and linked in Peig",
    });
    return outcome;
  }
  if (outcome === "done")
    return yield* enterPhase(context, state, "approval", "the Peig admin confirmed the checklist in Peig");
  yield* call(context, "notifyAdmins", {
    migrationId: state.migrationId,
    event: "peigChecklist.expired",
    details: { round },
  });
  // Verified again on the next execution, with a new confirmation round.
}

/** The Peig admin's Phase 2 task from the verification: once they confirm, the checklist is checked again at once. */
function* askForAccounts(context: OrchestrationContext, state: MigrationState): PhaseResult {
  const asked = yield* askPeigAdminForAccounts(context, state);
  return asked === "done" ? undefined : asked;
}
