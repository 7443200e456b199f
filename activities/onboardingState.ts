/**
 * Where everyone stands, read fresh from the services: Microsoft 365 users in scope (Graph) against
 * Peig's Users & Access and MS365 Identifiers (api mode) or the migration app's sign-ins (operator
 * mode). Shared by the monitor, the reminders, Phase 2 planning and the checklist.
 */
import { reconcile, type Reconciliation, type UserReconciliation } from "../shared/domain/reconcile";
import type { MigrationSignIn } from "../shared/entra/port";
import { updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";
import type { MigrationCounts, UserRecord, UserState as StoredUserState, UserUpsert } from "../shared/store";

/**
 * Sign-in log entries can show up late (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-latencies):
 * each incremental read goes back this far before the newest entry already recorded.
 */
export const SIGN_IN_OVERLAP_MS = 24 * 60 * 60 * 1000;

/**
 * Reconciles. Operator mode reads the sign-in log incrementally: entries since the cursor (minus the
 * overlap), plus the first sign-ins earlier passes recorded on the user rows, so a pass never reads
 * the whole log again. Read-only: the cursor moves in `reconcileAndRecord`, once the rows are written.
 */
export async function currentReconciliation(s: Services, migrationId: string, runtime: MigrationRuntime, stored?: ReadonlyMap<string, UserRecord>): Promise<Reconciliation> {
  const users = await s.entra.listUsersInScope({ domain: runtime.request.domain, groupId: runtime.request.scopeGroupId });
  if (runtime.peigMode === "api") {
    const peig = s.peig!;
    const [peigUsers, pendingRequests, microsoft365Accounts] = await Promise.all([peig.listUsers(), peig.listPendingRequests(), peig.listMicrosoft365Accounts()]);
    return reconcile({ mode: "api", users, peig: { users: peigUsers, pendingRequests, microsoft365Accounts } });
  }
  if (!runtime.app) return reconcile({ mode: "operator", users, signIns: [] });
  const cursor = runtime.signInCursor;
  const since = cursor && new Date(Date.parse(cursor.newestSeen) - SIGN_IN_OVERLAP_MS).toISOString();
  const fresh = await s.entra.listMigrationSignIns({ appId: runtime.app.appId, since });
  const earlier: MigrationSignIn[] = [];
  if (cursor) {
    for (const u of (stored ?? (await storedUsers(s, migrationId))).values()) {
      if (u.signedInAt) earlier.push({ id: `recorded:${u.userId}`, userId: u.userId, userPrincipalName: u.userPrincipalName, createdDateTime: u.signedInAt });
    }
  }
  return reconcile({ mode: "operator", users, signIns: [...earlier, ...fresh] });
}

/**
 * A pass: reconcile, write the rows that changed, then (operator mode) move the sign-in cursor to the
 * newest sign-in now recorded. Returns the reconciliation and the rows as they were before the write.
 */
export async function reconcileAndRecord(s: Services, migrationId: string, runtime: MigrationRuntime): Promise<{ reconciliation: Reconciliation; stored: Map<string, UserRecord> }> {
  // Api mode compares with the stored rows only after listing: a pass at 100,000 users then does not hold them all while it pages.
  const early = runtime.peigMode === "operator" ? await storedUsers(s, migrationId) : undefined;
  const reconciliation = await currentReconciliation(s, migrationId, runtime, early);
  const stored = early ?? (await storedUsers(s, migrationId));
  await s.store.upsertUsers(migrationId, changedRows(userRows(reconciliation), stored));
  if (runtime.peigMode === "operator") {
    const newest = reconciliation.users.reduce<string | undefined>((max, u) => (u.signedInAt && (!max || u.signedInAt > max) ? u.signedInAt : max), runtime.signInCursor?.newestSeen);
    if (newest && newest !== runtime.signInCursor?.newestSeen) {
      await updateRuntime(s, migrationId, (rt) => void (rt.signInCursor = { newestSeen: newest }));
    }
  }
  return { reconciliation, stored };
}

async function storedUsers(s: Services, migrationId: string): Promise<Map<string, UserRecord>> {
  return new Map((await s.store.getUsers(migrationId)).map((u) => [u.userId, u]));
}

const storedState: Record<UserReconciliation["state"], StoredUserState> = {
  onboarded: "onboarded",
  pendingRequest: "pendingRequest",
  mismatched: "mismatched",
  awaitingOnboarding: "phase2Created",
  notOnboarded: "notOnboarded",
};

export const storedStateOf = (u: UserReconciliation): StoredUserState => storedState[u.state];

/** Per-user rows as the monitor sees them (reminder counts and Phase 2 results are kept as they are). */
export function userRows(reconciliation: Reconciliation): UserUpsert[] {
  const suggestions = new Map(
    reconciliation.mismatchedRequests
      .filter((m) => m.suggestedMergeTarget)
      .map((m) => [m.suggestedMergeTarget!.userId, { requestId: m.request.id, typedEmail: m.request.email, matchedBy: m.suggestedMergeTarget!.matchedBy, peigAccountId: m.suggestedMergeTarget!.peigAccountId, reason: m.reason }]),
  );
  return reconciliation.users.map((u) => ({
    userId: u.userId,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    mail: u.mail ?? undefined,
    state: storedStateOf(u),
    mergeSuggestion: suggestions.get(u.userId),
    signedInAt: u.signedInAt,
  }));
}

/**
 * The upserts that would change their stored row (a field they give differs), or add one. */
export function changedRows(rows: readonly UserUpsert[], stored: ReadonlyMap<string, UserRecord>): UserUpsert[] {
  return rows.filter((row) => {
    const current = stored.get(row.userId) as Record<string, unknown> | undefined;
    if (!current) return true;
    return Object.entries(row).some(([field, value]) => value !== undefined && (typeof value === "object" ? JSON.stringify(value) !== JSON.stringify(current[field]) : value !== current[field]));
  });
}

export function countsOf(reconciliation: Reconciliation, phase2Failed = 0): MigrationCounts {
  const c = reconciliation.counts;
  return {
    inScope: c.inScope,
    onboarded: c.onboarded,
    pending: c.pendingRequest,
    mismatched: c.mismatchedRequests,
    notOnboarded: c.notOnboarded,
    phase2Created: c.awaitingOnboarding,
    phase2Failed,
  };
}

/** Only users with a mailbox can be mailed (a UPN without a mailbox receives nothing). */
export const hasMailbox = <T extends { mail: string | null }>(u: T): u is T & { mail: string } => !!u.mail;
