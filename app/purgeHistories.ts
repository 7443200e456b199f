/**
 * History does not pile up: a finished migration's Durable instances (its orchestration and its Phase 2 batches) are
 * purged once `HISTORY_RETENTION` (30 days by default) has passed since it ended. The app's own rows (migration,
 * users, tasks, audit, report) are the record and stay. A completed migration is purged only once its report is
 * stored; a cancelled or failed one never writes a report, and its audit is its record.
 *
 * The daily timer function (functions/retention.ts) runs this; running it again is harmless: a purged migration is
 * marked (`history.purged`, audited once) and skipped, and purging an instance that is gone deletes nothing.
 * Nothing here waits in an orchestration, so no timer outlives the 6-day rule and no instance purges itself.
 */
import { parseIsoDuration } from "../shared/domain/duration";
import { once } from "../shared/migrationRecord";
import type { MigrationRecord, MigrationStatus } from "../shared/store";
import { isPhase2InstanceOf } from "../shared/workflow";
import type { AppDeps, InstanceHistory } from "./ports";

/** The mark (in the row's `runtime.sent`) and the audit action of a purge. */
export const HISTORY_PURGED = "history.purged";

const ENDED: MigrationStatus[] = ["completed", "cancelled", "failed"];
const FINISHED = ["Completed", "Terminated", "Failed"];

export interface PurgeSummary {
  /** Migrations whose history this run purged, with the instances deleted for each. */
  purged: { migrationId: string; instancesDeleted: number }[];
  /** Ended migrations still within their retention, or whose report is not stored yet. */
  kept: number;
}

export async function purgeFinishedHistories(deps: AppDeps, history: InstanceHistory): Promise<PurgeSummary> {
  const retentionMs = parseIsoDuration(deps.settings.HISTORY_RETENTION);
  const now = deps.clock.now().getTime();
  const summary: PurgeSummary = { purged: [], kept: 0 };
  for (const status of ENDED) {
    for (const record of await deps.store.listMigrations({ status })) {
      if (record.runtime.sent.includes(HISTORY_PURGED)) continue;
      // The row's last change is its end or later (a late task click, a digest mark): never purged early.
      const ready =
        Date.parse(record.updatedAt) + retentionMs <= now &&
        (status !== "completed" || (await deps.store.getReport(record.id)) !== undefined);
      if (!ready || !(await finished(history, record.id))) {
        summary.kept++;
        continue;
      }
      const instancesDeleted = await purgeMigration(history, record);
      await once(deps, record.id, HISTORY_PURGED, async () => {
        await deps.store.appendAudit({
          migrationId: record.id,
          actor: "system",
          action: HISTORY_PURGED,
          details: { instancesDeleted, retention: deps.settings.HISTORY_RETENTION, endedBy: record.updatedAt },
        });
      });
      summary.purged.push({ migrationId: record.id, instancesDeleted });
    }
  }
  return summary;
}

/** The orchestration has finished (or is gone already); a running one is never purged. */
async function finished(history: InstanceHistory, migrationId: string): Promise<boolean> {
  const status = await history.runtimeStatus(migrationId);
  return status === undefined || FINISHED.includes(status);
}

/**
 * The Phase 2 batches first, then the orchestration: a run that stops half way finds the rest next time. The batches
 * are the instances created while the migration ran whose ids it gave them (`phase2BatchInstanceId`).
 */
async function purgeMigration(history: InstanceHistory, record: MigrationRecord): Promise<number> {
  const created = await history.createdBetween(new Date(record.createdAt), new Date(record.updatedAt));
  const batches = created.filter((i) => isPhase2InstanceOf(record.id, i.instanceId));
  let deleted = 0;
  for (const batch of batches)
    if (FINISHED.includes(batch.runtimeStatus)) deleted += await history.purge(batch.instanceId);
  return deleted + (await history.purge(record.id));
}
