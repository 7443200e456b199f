/** Small builders for hand-made domain cases and for Peig state derived from a generated tenant. */
import type { TenantUser } from "../../local/fixtures/tenant";
import type { Phase2Result } from "../../shared/domain/checklist";
import { migrationFigures, type MigrationFigures, type OperatorReports } from "../../shared/domain/figures";
import type { Reconciliation } from "../../shared/domain/reconcile";
import type {
  M365User,
  Microsoft365Account,
  OnboardingRequest,
  PeigState,
  PeigUser,
  PeigUserStatus,
} from "../../shared/domain/types";

export function m365User(id: string, fields: Partial<Omit<M365User, "id">> = {}): M365User {
  const upn = fields.userPrincipalName ?? `${id}@contoso.com`;
  const mail = fields.mail === undefined ? upn : fields.mail;
  return {
    id,
    displayName: fields.displayName ?? `User ${id}`,
    userPrincipalName: upn,
    mail,
    proxyAddresses: fields.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
    otherMails: fields.otherMails ?? [],
  };
}

export function request(id: string, email: string): OnboardingRequest {
  return { id, email, displayName: `Requester ${id}`, submittedAt: "2026-06-02T09:00:00Z" };
}

/** A Peig state where each listed user is linked to a Peig user with the given status; everyone else is unlinked. */
export function peigState(
  users: readonly M365User[],
  linked: Record<string, PeigUserStatus>,
  pendingRequests: OnboardingRequest[] = [],
): PeigState {
  const peigUsers: PeigUser[] = [];
  const microsoft365Accounts: Microsoft365Account[] = users.map((u) => {
    const status = linked[u.id];
    if (status)
      peigUsers.push({ id: `peig-${u.id}`, email: u.mail ?? u.userPrincipalName, displayName: u.displayName, status });
    return {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      mail: u.mail,
      linkStatus: status ? "linked" : "unlinked",
      peigAccountId: status ? `peig-${u.id}` : null,
    };
  });
  return { users: peigUsers, pendingRequests, microsoft365Accounts };
}

/**
 * Peig as it looks at the end of the window for a generated tenant: people who onboard and typed their own
 * address are linked and Active; people who typed another address have a pending request with it; the rest
 * never came.
 */
export function peigStateAtDeadline(users: readonly TenantUser[]): PeigState {
  const linked: Record<string, PeigUserStatus> = {};
  const requests: OnboardingRequest[] = [];
  for (const user of users) {
    const { onboardsAt, typedEmail } = user.behaviour;
    if (onboardsAt === null) continue;
    if (typedEmail) requests.push(request(`req-${user.id}`, typedEmail));
    else linked[user.id] = "Active";
  }
  return peigState(users, linked, requests);
}

/** Every address of a user the reconciliation may match a typed e-mail against, lower-cased. */
export function addressesOf(user: M365User): string[] {
  const smtp = user.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5));
  return [user.mail, user.userPrincipalName, ...smtp, ...user.otherMails]
    .filter((a): a is string => !!a)
    .map((a) => a.toLowerCase());
}

/**
 * The figures a reconciliation pass would record for `reconciliation` with this Phase 2 result: every listed user is
 * in `created` or `failed`; in operator mode the created ones without a sign-in count as awaiting their first one.
 */
export function figuresOf(
  reconciliation: Reconciliation,
  phase2: Phase2Result | null = null,
  reports?: OperatorReports,
): MigrationFigures {
  const c = reconciliation.counts;
  const created = new Set(phase2?.status === "completed" ? phase2.created : []);
  const covered =
    reconciliation.mode === "operator"
      ? reconciliation.users.filter((u) => u.state === "notOnboarded" && created.has(u.userId)).length
      : 0;
  const listed = new Set([...created, ...(phase2?.failed ?? []).map((f) => f.userId)]);
  return migrationFigures({
    mode: reconciliation.mode,
    counts: {
      inScope: c.inScope,
      onboarded: c.onboarded,
      pending: c.pendingRequest,
      mismatched: c.mismatchedRequests,
      notOnboarded: c.notOnboarded - covered,
      phase2Created: c.awaitingOnboarding + covered,
      phase2Failed: phase2?.failed.length ?? 0,
      phase2Planned: listed.size,
      phase2Made: created.size,
      phase2SignedInSince: reconciliation.users.filter((u) => listed.has(u.userId) && u.state === "onboarded").length,
    },
    phase2: phase2 && {
      created: phase2.created.length,
      failed: phase2.failed.length,
      skipped: phase2.status === "skipped",
    },
    reports,
  });
}
