/**
 * The migration row's working data (MigrationRuntime, in its `runtime` column). Activities and HTTP
 * functions change it only through `updateRuntime`, an ETag-guarded read-modify-write, so concurrent
 * writers never lose each other's changes.
 */
import { migrationFigures, type MigrationFigures } from "./domain/figures";
import type { MigrationRuntime } from "./migrationRuntime";
import type { Services } from "./services";
import { NotFoundError, PreconditionFailedError, type MigrationPatch, type MigrationRecord } from "./store";

export type { MigrationRuntime };

export interface LoadedMigration {
  record: MigrationRecord;
  runtime: MigrationRuntime;
}

export async function loadMigration(s: Services, migrationId: string): Promise<LoadedMigration> {
  const record = await s.store.getMigration(migrationId);
  if (!record) throw new NotFoundError(`migration ${migrationId}`);
  return { record, runtime: record.runtime };
}

/**
 * Applies `change` to the latest version and writes it back only if nobody wrote in between (retried
 * on a lost race). `change` may return extra row fields (phase, status, counts, deadline, appId) or
 * `false` to write nothing.
 */
export async function updateRuntime(
  s: Services,
  migrationId: string,
  change: (runtime: MigrationRuntime, record: MigrationRecord) => Omit<MigrationPatch, "runtime"> | void | false,
): Promise<LoadedMigration> {
  for (let attempt = 1; ; attempt++) {
    const { record, runtime } = await loadMigration(s, migrationId);
    const patch = change(runtime, record);
    if (patch === false) return { record, runtime };
    try {
      const updated = await s.store.updateMigration(migrationId, { ...(patch ?? {}), runtime }, { etag: record.etag });
      return { record: updated, runtime: updated.runtime };
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= 10) throw err;
    }
  }
}

/** Runs `send` once per key across retries and redeliveries: the key is recorded after it succeeds. */
export async function once(s: Services, migrationId: string, key: string, send: () => Promise<void>): Promise<boolean> {
  const { runtime } = await loadMigration(s, migrationId);
  if (runtime.sent.includes(key)) return false;
  await send();
  await updateRuntime(s, migrationId, (rt) => (rt.sent.includes(key) ? false : void rt.sent.push(key)));
  return true;
}

/** The migration's figures from its row: the counts the last pass wrote, how Phase 2 ended, the Peig admin's reports. */
export function recordFigures(record: Pick<MigrationRecord, "counts" | "runtime">): MigrationFigures {
  return migrationFigures({
    mode: record.runtime.peigMode,
    counts: record.counts,
    phase2: record.runtime.phase2 ?? null,
    reports: record.runtime.operatorReports,
    personalDeadlines: record.runtime.personalDeadlines?.length,
    waves: record.runtime.request.waves,
  });
}
