/**
 * Where everyone stands, read fresh from the services: Microsoft 365 users in scope (Graph) against
 * Peig's Users & Access and MS365 Identifiers (api mode) or the migration app's sign-ins (operator
 * mode). Shared by the monitor, the reminders, Phase 2 planning and the checklist.
 */
import { reconcile, type Reconciliation, type UserReconciliation } from "../shared/domain/reconcile";
import type { MigrationRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";
import type { MigrationCounts, UserState as StoredUserState, UserUpsert } from "../shared/store";

export async function currentReconciliation(s: Services, runtime: MigrationRuntime): Promise<Reconciliation> {
  const users = await s.entra.listUsersInScope({ domain: runtime.request.domain, groupId: runtime.request.scopeGroupId });
  if (runtime.peigMode === "api") {
    const peig = s.peig!;
    const [peigUsers, pendingRequests, microsoft365Accounts] = await Promise.all([peig.listUsers(), peig.listPendingRequests(), peig.listMicrosoft365Accounts()]);
    return reconcile({ mode: "api", users, peig: { users: peigUsers, pendingRequests, microsoft365Accounts } });
  }
  const signIns = runtime.app ? await s.entra.listMigrationSignIns({ appId: runtime.app.appId }) : [];
  return reconcile({ mode: "operator", users, signIns });
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
  }));
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
