/**
 * The runbook's "Confirm your setup" checklist, from fresh state: where everyone stands now, the Phase 2
 * results on the user rows, and the audit entries that show what was deleted. The verification, the
 * re-check before deletion and the report all build it here.
 */
import { buildChecklist, type Phase2Result } from "./domain/checklist";
import type { MigrationRuntime } from "./migrationRuntime";
import { reconcileAndRecord } from "./reconciliationPass";
import type { Services } from "./services";
import type { AuditEntry } from "./store";
import { gateId, type ChecklistItem, type Phase2Outcome } from "./workflow";

export async function freshChecklist(
  s: Services,
  migrationId: string,
  runtime: MigrationRuntime,
  phase2: Phase2Outcome | null,
): Promise<ChecklistItem[]> {
  const created: string[] = [];
  const failed: { userId: string; reason: string }[] = [];
  // The pass writes states only: the Phase 2 results it reads are current.
  const { reconciliation } = await reconcileAndRecord(s, migrationId, runtime, {
    stored: (u) => {
      if (!phase2) return;
      if (
        u.phase2.result === "created" ||
        (runtime.peigMode === "operator" && u.phase2.planned && !phase2.skipped && phase2.failed === 0)
      )
        created.push(u.userId);
      if (u.phase2.result === "failed") failed.push({ userId: u.userId, reason: u.phase2.error ?? "unknown" });
    },
  });
  const phase2Result: Phase2Result | null = phase2 && {
    status: phase2.skipped ? "skipped" : "completed",
    created,
    failed,
  };
  const audit = runtime.deletionStartedAt ? await s.store.listAudit(migrationId) : [];
  const deletion = audit.some(recordsPeigConfigurationDeletion)
    ? {
        migrationConfiguration: "deleted" as const,
        migrationApp: audit.some((a) => a.action === "entraApp.deleted") ? ("deleted" as const) : ("present" as const),
      }
    : { migrationConfiguration: "present" as const, migrationApp: "present" as const };
  return buildChecklist({ reconciliation, phase2: phase2Result, deletion });
}

/**
 * The audit entry that shows the Peig migration configuration is gone: the api call's, or in operator
 * mode the Peig admin's "done" on the deletion task (only they can delete it there).
 */
export function recordsPeigConfigurationDeletion(entry: Pick<AuditEntry, "action" | "details">): boolean {
  if (entry.action === "peig.migrationConfig.deleted") return true;
  return (
    entry.action === "task.decided" &&
    entry.details?.gate === gateId("peigDeletion", 1) &&
    entry.details?.decision === "done"
  );
}
