/**
 * Runbook "Confirm your setup", before anything is deleted: all users onboarded, all accounts created
 * and linked, Phase 2 done where needed. Not ready → the admins hear what is missing, and the check
 * runs again on the monitor schedule or when an admin asks.
 */
import type { OrchestrationContext } from "durable-functions";
import { parseIsoDuration } from "../shared/domain/duration";
import { Activities, type ChecklistItem, type MigrationState } from "../shared/workflow";
import { at, call, enterPhase, publishProgress, sleepUntilWoken, type PhaseStep } from "./common";

export interface Verification {
  checklist: ChecklistItem[];
  readyForDeletion: boolean;
  /** One line per unmet gating item, with its evidence (what compareWithApproved says on a re-check). */
  reasons: string[];
}

export function* verifyMigration(context: OrchestrationContext, state: MigrationState): PhaseStep {
  const result = yield* call<Verification>(context, Activities.verifyChecklist, { migrationId: state.migrationId, phase2: state.phase2 ?? null });
  state.checklist = result.checklist;
  if (result.readyForDeletion) return yield* enterPhase(context, state, "approval");

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
