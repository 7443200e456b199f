/**
 * Runbook "Confirm your setup", before anything is deleted: all users onboarded, all accounts created
 * and linked, Phase 2 done where needed. Not ready → the admins hear what is missing, and the check
 * runs again on the monitor schedule or when an admin asks.
 */
import type { OrchestrationContext } from "durable-functions";
import { parseIsoDuration } from "../shared/domain/duration";
import { Activities, type ChecklistItem, type MigrationState } from "../shared/workflow";
import { at, call, enterPhase, publishProgress, sleepUntilWoken, type PhaseStep } from "./common";
import { waitForPeople } from "./humanTasks";

export interface Verification {
  checklist: ChecklistItem[];
  readyForDeletion: boolean;
  /** One line per unmet gating item, with its evidence (what compareWithApproved says on a re-check). */
  reasons: string[];
}

export function* verifyMigration(context: OrchestrationContext, state: MigrationState): PhaseStep {
  const result = yield* call<Verification>(context, Activities.verifyChecklist, { migrationId: state.migrationId, phase2: state.phase2 ?? null });
  state.checklist = result.checklist;
  if (result.readyForDeletion) {
    if (state.peigMode === "api") return yield* enterPhase(context, state, "approval");
    // Operator mode sees sign-ins, not Peig: the Peig admin confirms the links in Peig before anyone
    // is asked to approve the deletion.
    state.peigChecklistRound = (state.peigChecklistRound ?? 0) + 1;
    publishProgress(context, state, { waitingFor: "the Peig admin to confirm every user is onboarded and linked in Peig" });
    const outcome = yield* waitForPeople(context, state, "peigChecklist", { round: state.peigChecklistRound, required: 1, linkTtlMs: state.taskLinkTtlMs });
    if (outcome === "done") return yield* enterPhase(context, state, "approval", "the Peig admin confirmed the checklist in Peig");
    if (outcome === "cancelled") return;
    yield* call(context, Activities.notifyAdmins, { migrationId: state.migrationId, event: "peigChecklist.expired", details: { round: state.peigChecklistRound } });
    return; // verified again on the next execution, with a new confirmation round
  }

  const missing = result.checklist.filter((i) => !i.met).map((i) => i.label);
  // Told once per distinct gap, not at every re-check.
  const gap = missing.join("; ");
  if (state.notReadyNotified !== gap) {
    yield* call(context, Activities.notifyAdmins, { migrationId: state.migrationId, event: "notReady", details: { missing } });
    state.notReadyNotified = gap;
  }
  publishProgress(context, state, { waitingFor: `the checklist: ${missing.join("; ")}` });
  yield* sleepUntilWoken(context, at(context, parseIsoDuration(state.request.monitorEvery)));
}
