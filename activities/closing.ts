/**
 * Verification and the irreversible end: the checklist from fresh state, the ETag-guarded "deletion
 * started" mark (a cancellation and a deletion cannot both win), and the two deletions, each
 * tolerant of "already gone" so a retry is harmless.
 */
import { buildChecklist, compareWithApproved, readyForDeletion, type Phase2Result } from "../shared/domain/checklist";
import { loadMigration, updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import { services, type Services } from "../shared/services";
import type { AuditEntry } from "../shared/store";
import { gateId, type ActivityInput, type ActivityResult, type ChecklistItem, type Phase2Outcome } from "../shared/workflow";
import { countsOf, reconcileAndRecord } from "./onboardingState";

/** What instances that finished Phase 2 before it was recorded in the store pass instead. */
export interface EarlierPhase2Input {
  phase2?: Phase2Outcome | null;
}

/** How Phase 2 ended, as the store records it (or, for an instance that finished it earlier, as the orchestration passed it). */
export const phase2Outcome = (runtime: MigrationRuntime, input: EarlierPhase2Input): Phase2Outcome | null => runtime.phase2 ?? input.phase2 ?? null;

export async function verifyChecklist(input: ActivityInput<"verifyChecklist"> & EarlierPhase2Input, s: Services = services()): Promise<ActivityResult<"verifyChecklist">> {
  const { runtime } = await loadMigration(s, input.migrationId);
  const checklist = await freshChecklist(s, input.migrationId, runtime, phase2Outcome(runtime, input));
  const recheck = input.approved ? compareWithApproved(input.approved, checklist) : { ready: readyForDeletion(checklist), reasons: [] as string[] };
  await updateRuntime(s, input.migrationId, (rt) => void (rt.checklist = checklist));
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: input.approved ? "checklist.rechecked" : "checklist.verified",
    details: { ready: recheck.ready, items: checklist.map((i) => ({ id: i.id, met: i.met })), reasons: recheck.reasons },
  });
  return { checklist, readyForDeletion: recheck.ready, reasons: recheck.reasons };
}

export async function freshChecklist(s: Services, migrationId: string, runtime: MigrationRuntime, phase2: Phase2Outcome | null): Promise<ChecklistItem[]> {
  const { reconciliation } = await reconcileAndRecord(s, migrationId, runtime);
  const users = await s.store.getUsers(migrationId);
  await s.store.updateMigration(migrationId, { counts: countsOf(reconciliation, users.filter((u) => u.phase2.result === "failed").length) });
  const phase2Result: Phase2Result | null = !phase2
    ? null
    : {
        status: phase2.skipped ? "skipped" : "completed",
        created: users.filter((u) => u.phase2.result === "created" || (runtime.peigMode === "operator" && u.phase2.planned && !phase2.skipped && phase2.failed === 0)).map((u) => u.userId),
        failed: users.filter((u) => u.phase2.result === "failed").map((u) => ({ userId: u.userId, reason: u.phase2.error ?? "unknown" })),
      };
  const audit = runtime.deletionStartedAt ? await s.store.listAudit(migrationId) : [];
  const deletion = audit.some(recordsPeigConfigurationDeletion)
    ? { migrationConfiguration: "deleted" as const, migrationApp: audit.some((a) => a.action === "entraApp.deleted") ? ("deleted" as const) : ("present" as const) }
    : { migrationConfiguration: "present" as const, migrationApp: "present" as const };
  return buildChecklist({ reconciliation, phase2: phase2Result, deletion });
}

/**
 * The audit entry that shows the Peig migration configuration is gone: the api call's, or in operator
 * mode the Peig admin's "done" on the deletion task (only they can delete it there).
 */
export function recordsPeigConfigurationDeletion(entry: Pick<AuditEntry, "action" | "details">): boolean {
  if (entry.action === "peig.migrationConfig.deleted") return true;
  return entry.action === "task.decided" && entry.details?.gate === gateId("peigDeletion", 1) && entry.details?.decision === "done";
}

/** Marks "deletion started" unless a cancellation got there first; from then on cancel is refused. */
export async function beginDeletion(input: { migrationId: string; instanceId: string }, s: Services = services()): Promise<{ ok: boolean; reason?: string }> {
  let refused: string | undefined;
  await updateRuntime(s, input.migrationId, (rt) => {
    if (rt.commands.cancelRequested) {
      refused = `cancelled by ${rt.commands.cancelRequested.by}`;
      return false;
    }
    if (rt.deletionStartedAt) return false;
    rt.deletionStartedAt = s.clock.now().toISOString();
  });
  if (refused) return { ok: false, reason: refused };
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "deletion.started", details: {}, instanceId: input.instanceId });
  return { ok: true };
}

export async function deletePeigMigrationConfiguration(input: { migrationId: string }, s: Services = services()): Promise<"deleted" | "alreadyDeleted"> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.deletionStartedAt) throw new Error("refusing to delete: deletion was not started through beginDeletion");
  const result = await s.peig!.deleteMigrationConfiguration();
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "peig.migrationConfig.deleted", details: { result } });
  return result;
}

export async function deleteMigrationApp(input: { migrationId: string }, s: Services = services()): Promise<{ servicePrincipal: string; application: string }> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.deletionStartedAt) throw new Error("refusing to delete: deletion was not started through beginDeletion");
  if (!runtime.app) return { servicePrincipal: "alreadyGone", application: "alreadyGone" };
  const result = await s.entra.deleteMigrationApp({ appId: runtime.app.appId });
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "entraApp.deleted", details: { appId: runtime.app.appId, ...result } });
  return result;
}
