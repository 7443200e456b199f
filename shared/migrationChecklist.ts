/**
 * The runbook's "Confirm your setup" checklist, from fresh state: where everyone stands now, the Phase 2
 * results on the user rows, and the audit entries that show what was deleted. The verification, the
 * re-check before deletion and the report all build it here.
 */
import { buildChecklist, type Phase2Result } from "./domain/checklist";
import { formatHuman } from "./domain/humanTime";
import type { MigrationRuntime } from "./migrationRuntime";
import type { MigrationFigures } from "./domain/figures";
import { recordFigures } from "./migrationRecord";
import { phase2CoversListedUsers, reconcileAndRecord } from "./reconciliationPass";
import type { Services } from "./services";
import type { AuditEntry } from "./store";
import { gateId, type ChecklistItem, type Phase2Outcome } from "./workflow";

export async function freshChecklist(
  s: Services,
  migrationId: string,
  runtime: MigrationRuntime,
  phase2: Phase2Outcome | null,
): Promise<{ checklist: ChecklistItem[]; figures: MigrationFigures }> {
  const created: string[] = [];
  const failed: { userId: string; reason: string }[] = [];
  const operator = runtime.peigMode === "operator";
  // Operator mode: the listed users have a Phase 2 account when the Peig admin's report covers them all.
  const listed: string[] = [];
  // The pass writes states only: the Phase 2 results it reads are current.
  const { reconciliation, counts } = await reconcileAndRecord(s, migrationId, runtime, {
    stored: (u) => {
      if (!phase2) return;
      if (u.phase2.result === "created") created.push(u.userId);
      else if (operator && u.phase2.planned) listed.push(u.userId);
      if (u.phase2.result === "failed") failed.push({ userId: u.userId, reason: u.phase2.error ?? "unknown" });
    },
  });
  if (operator && phase2CoversListedUsers({ ...runtime, phase2: phase2 ?? undefined }, listed.length))
    created.push(...listed);
  const phase2Result: Phase2Result | null = phase2 && {
    status: phase2.skipped ? "skipped" : "completed",
    created,
    failed,
  };
  // The row's figures (recordFigures), with the counts this pass just wrote and Phase 2 as the caller knows it ended.
  const figures = recordFigures({ counts, runtime: { ...runtime, phase2: phase2 ?? undefined } });
  const needsAudit = runtime.deletionStartedAt || (operator && !runtime.operatorReports?.checklist);
  const audit = needsAudit ? await s.store.listAudit(migrationId) : [];
  const deletion =
    runtime.deletionStartedAt && audit.some(recordsPeigConfigurationDeletion)
      ? {
          migrationConfiguration: "deleted" as const,
          migrationApp: audit.some((a) => a.action === "entraApp.deleted")
            ? ("deleted" as const)
            : ("present" as const),
        }
      : { migrationConfiguration: "present" as const, migrationApp: "present" as const };
  const checklist = buildChecklist({
    reconciliation,
    phase2: phase2Result,
    deletion,
    figures,
    peigChecklist: operator ? runtime.operatorReports?.checklist : undefined,
    peigConfirmedWithoutFigures: operator && audit.some(confirmsPeigChecklist),
    exemptions: runtime.exemptions,
    when: (iso) => formatHuman(new Date(iso), runtime.request.timeZone),
  });
  return { checklist, figures };
}

/** The Peig admin's "done" on a checklist confirmation (in instances from before figures were asked, the only record). */
const confirmsPeigChecklist = (entry: Pick<AuditEntry, "action" | "details">) =>
  entry.action === "task.decided" &&
  typeof entry.details?.gate === "string" &&
  entry.details.gate.startsWith("peigChecklist-") &&
  entry.details?.decision === "done";

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
