/**
 * The migration row's working data (kept in its `settings` JSON): the validated request, what setup
 * created, admin commands, and which one-time sends are done. Activities and HTTP functions change it
 * only through `updateRuntime`, an ETag-guarded read-modify-write, so concurrent writers never lose
 * each other's changes.
 */
import type { MigrationApp } from "./entra/port";
import type { MailRuntime } from "./domain/mailPlan";
import type { Services } from "./services";
import { NotFoundError, PreconditionFailedError, type MigrationPatch, type MigrationRecord } from "./store";
import type { Attention, ChecklistItem, MigrationRequest, OnboardingCounts, PeigMode, Phase2Outcome, WorkflowTimings } from "./workflow";

export interface MigrationRuntime {
  request: MigrationRequest;
  peigMode: PeigMode;
  taskLinkTtlMs: number;
  /** The workflow's timings from the settings at start (absent before version 3.0). */
  timings?: WorkflowTimings;
  server?: string;
  /** What setup made in Entra (the certificate is the public one Peig needs, not a secret). */
  app?: Omit<MigrationApp, "created">;

  commands: {
    cancelRequested?: { reason: string; by: string; at: string };
    /** Set by an admin after a rejected or expired approval round; consumed by the next round. */
    approvalRequested?: boolean;
    /** "Try again now" while the migration needs attention (the latest one counts). */
    resumeRequested?: { by: string; at: string };
  };
  /** A step that keeps failing, as the orchestration last recorded it; absent when all is well. */
  attention?: Attention;
  /** Pending requests whose typed e-mail matches nobody in scope (the latest monitor's, at most 50): Approve or Deny by hand. */
  unmatchedRequests?: { email: string; displayName: string; submittedAt: string; reason: string }[];
  /** How Phase 2 ended (recorded with the move to verification; absent before, and in instances that ended it earlier). */
  phase2?: Phase2Outcome;
  /** The latest verified checklist (what approvers see as evidence). */
  checklist?: ChecklistItem[];
  deletionStartedAt?: string;
  /** operator mode: the newest sign-in to the migration app already recorded on the user rows (the next pass reads from about there). */
  signInCursor?: { newestSeen: string };
  /** Keys of one-time sends already done (invitation and reminder batches, task mails). */
  sent: string[];
  /** What each sender mailbox sent in the last 24 hours, the send still waiting for room, where bounces were read up to. */
  mail?: MailRuntime;
  /** When the admins' last digest went and the counts it reported (the next one waits ADMIN_DIGEST_INTERVAL). */
  lastDigest?: { at: string; counts: OnboardingCounts };
}

export interface LoadedMigration {
  record: MigrationRecord;
  runtime: MigrationRuntime;
}

export async function loadMigration(s: Services, migrationId: string): Promise<LoadedMigration> {
  const record = await s.store.getMigration(migrationId);
  if (!record) throw new NotFoundError(`migration ${migrationId}`);
  return { record, runtime: record.settings as unknown as MigrationRuntime };
}

/**
 * Applies `change` to the latest version and writes it back only if nobody wrote in between (retried
 * on a lost race). `change` may return extra row fields (phase, status, counts, deadline, appId) or
 * `false` to write nothing.
 */
export async function updateRuntime(
  s: Services,
  migrationId: string,
  change: (runtime: MigrationRuntime, record: MigrationRecord) => Omit<MigrationPatch, "settings"> | void | false,
): Promise<LoadedMigration> {
  for (let attempt = 1; ; attempt++) {
    const { record, runtime } = await loadMigration(s, migrationId);
    const patch = change(runtime, record);
    if (patch === false) return { record, runtime };
    try {
      const updated = await s.store.updateMigration(migrationId, { ...(patch ?? {}), settings: runtime as unknown as Record<string, unknown> }, { etag: record.etag });
      return { record: updated, runtime: updated.settings as unknown as MigrationRuntime };
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
