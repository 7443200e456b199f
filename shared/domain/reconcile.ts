/**
 * THE reconciliation: where each in-scope Microsoft 365 user stands in the onboarding, from what Peig shows
 * (api mode) or from the migration app's sign-ins (operator mode). Pure and linear in users + requests + accounts:
 * every lookup goes through a hash index built once.
 *
 * What counts as onboarded:
 * - api mode: the user's row on MS365 Identifiers > Microsoft 365 Accounts is linked to a Peig account, and that
 *   Peig user's status is Active (Peig's onboarded state). A linked placeholder whose user is still "Not Onboarded"
 *   (what "Create Peig Account" makes in Phase 2) is `awaitingOnboarding`, not onboarded. A Suspended user is not
 *   onboarded either: they cannot sign in after federation.
 * - operator mode: a successful sign-in to the migration app (Entra sign-in logs). Peig links the account during
 *   that sign-in, so in this mode "linked" means "signed in"; Peig itself cannot be observed.
 *
 * Requests (api mode): a pending request whose typed e-mail is the user's own address (mail, or the UPN when the
 * user has no mailbox; the address Peig shows on the Microsoft 365 Accounts tab) is that user's `pendingRequest`.
 * Any other typed e-mail is mismatched: it is looked up among mail, UPN and smtp proxyAddresses first, then
 * otherMails (lower priority: often personal, external addresses); exactly one user → a suggested merge target,
 * several → no suggestion and the reason, none → an unmatched request.
 */
import type { M365User, MigrationSignIn, OnboardingRequest, PeigState, PeigUser } from "./types";

export type UserState = "onboarded" | "pendingRequest" | "mismatched" | "awaitingOnboarding" | "notOnboarded";
export const userStates: readonly UserState[] = [
  "onboarded",
  "pendingRequest",
  "mismatched",
  "awaitingOnboarding",
  "notOnboarded",
];

export type ReconcileInput =
  | { mode: "api"; users: readonly M365User[]; peig: PeigState }
  | { mode: "operator"; users: readonly M365User[]; signIns: readonly MigrationSignIn[] };

export interface UserReconciliation {
  userId: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  state: UserState;
  /** api: linked on the Microsoft 365 Accounts tab; operator: signed in to the migration app (Peig links then). */
  linked: boolean;
  /** api mode only: the linked Peig account. */
  peigAccountId: string | null;
  /**
   * Facts behind the state, in words an admin can check in Peig or Entra. Worded when read: a pass reconciles every
   * user, and only the few the checklist lists are read (a string per user would be held through the whole pass).
   */
  readonly evidence: string[];
  /** operator mode: the first successful sign-in to the migration app. */
  signedInAt?: string;
}

export type MatchedBy = "mail" | "userPrincipalName" | "proxyAddress" | "otherMails";

export interface MergeSuggestion {
  userId: string;
  userPrincipalName: string;
  /** The Peig account to merge into (Merge needs one); null when the user has no linked Peig account yet. */
  peigAccountId: string | null;
  matchedBy: MatchedBy;
}

export interface MismatchedRequest {
  request: OnboardingRequest;
  suggestedMergeTarget: MergeSuggestion | null;
  /** Why this target, or why none. */
  reason: string;
}

export interface UnmatchedRequest {
  request: OnboardingRequest;
  reason: string;
}

export type ReconciliationCounts = Record<UserState, number> & {
  inScope: number;
  mismatchedRequests: number;
  unmatchedRequests: number;
  withoutPeigAccount: number;
};

export interface Reconciliation {
  mode: "api" | "operator";
  users: UserReconciliation[];
  mismatchedRequests: MismatchedRequest[];
  unmatchedRequests: UnmatchedRequest[];
  /** Phase 2's work list: in-scope user ids with no linked Peig account (operator mode: no sign-in). */
  usersWithoutPeigAccount: string[];
  counts: ReconciliationCounts;
}

interface Candidate {
  user: M365User;
  matchedBy: MatchedBy;
}

const normalise = (address: string) => address.trim().toLowerCase();

/** The address Peig shows for a Microsoft 365 account: the mailbox, or the UPN when there is none. */
const ownAddress = (user: M365User) => normalise(user.mail ?? user.userPrincipalName);

/** "SMTP:a@b" / "smtp:a@b" → "a@b"; x500:, sip: and other prefixes are not mail addresses. */
function smtpAddress(proxyAddress: string): string | null {
  return /^smtp:/i.test(proxyAddress) ? normalise(proxyAddress.slice(5)) : null;
}

/** address → the distinct users carrying it, each with the first (most specific) field it was found in. */
class AddressIndex {
  private readonly byAddress = new Map<string, Candidate[]>();

  add(address: string | null, user: M365User, matchedBy: MatchedBy): void {
    if (!address) return;
    const candidates = this.byAddress.get(address);
    if (!candidates) this.byAddress.set(address, [{ user, matchedBy }]);
    // A user's addresses are added together, so a repeat of the same user is always the last entry.
    else if (candidates[candidates.length - 1].user !== user) candidates.push({ user, matchedBy });
  }

  find(address: string): Candidate[] {
    return this.byAddress.get(address) ?? [];
  }
}

/**
 * Indexes only the addresses some request typed: lookups go from a typed address to users, so every
 * other address (most of a large tenant's) would be indexed for nothing.
 */
function indexAddresses(
  users: readonly M365User[],
  typed: ReadonlySet<string>,
): { primary: AddressIndex; otherMails: AddressIndex } {
  const primary = new AddressIndex();
  const otherMails = new AddressIndex();
  const wanted = (address: string | null) => (address !== null && typed.has(address) ? address : null);
  for (const user of users) {
    primary.add(wanted(user.mail && normalise(user.mail)), user, "mail");
    primary.add(wanted(normalise(user.userPrincipalName)), user, "userPrincipalName");
    for (const proxy of user.proxyAddresses) primary.add(wanted(smtpAddress(proxy)), user, "proxyAddress");
    for (const other of user.otherMails) otherMails.add(wanted(normalise(other)), user, "otherMails");
  }
  return { primary, otherMails };
}

const describeCandidates = (candidates: Candidate[]) =>
  candidates.map((c) => `${c.user.userPrincipalName} (${c.matchedBy})`).join(", ");

type RequestMatch =
  | { kind: "exact"; user: M365User }
  | { kind: "mismatched"; candidates: Candidate[]; tier: "primary" | "otherMails" }
  | { kind: "unmatched" };

function matchRequest(request: OnboardingRequest, index: ReturnType<typeof indexAddresses>): RequestMatch {
  const typed = normalise(request.email);
  const primary = index.primary.find(typed);
  if (primary.length === 1 && ownAddress(primary[0].user) === typed) return { kind: "exact", user: primary[0].user };
  if (primary.length > 0) return { kind: "mismatched", candidates: primary, tier: "primary" };
  const other = index.otherMails.find(typed);
  return other.length > 0 ? { kind: "mismatched", candidates: other, tier: "otherMails" } : { kind: "unmatched" };
}

function mismatchReason(request: OnboardingRequest, candidates: Candidate[], tier: "primary" | "otherMails"): string {
  if (candidates.length > 1) {
    return `"${request.email}" matches ${candidates.length} in-scope users: ${describeCandidates(candidates)}; decide by hand which account to merge into`;
  }
  const [{ user, matchedBy }] = candidates;
  const caution =
    tier === "otherMails" ? " (otherMails are often personal addresses: confirm with the person before merging)" : "";
  return `"${request.email}" is ${user.userPrincipalName}'s ${matchedBy}, not the account's address ${ownAddress(user)}${caution}`;
}

/** How the user's Microsoft 365 account stands in Peig: all the api-mode evidence is worded from this. */
interface ApiFacts {
  account: "unlisted" | "unlinked" | "linked";
  peigUser: PeigUser | undefined;
  exact: readonly OnboardingRequest[];
  suggested: readonly OnboardingRequest[];
}

function apiEvidence({ account, peigUser, exact, suggested }: ApiFacts, peigAccountId: string | null): string[] {
  const fact =
    account === "unlisted"
      ? "not listed on MS365 Identifiers > Microsoft 365 Accounts"
      : account === "unlinked"
        ? "Microsoft 365 account is not linked to a Peig account"
        : !peigUser
          ? `linked to Peig account ${peigAccountId}, which Users & Access does not list`
          : `linked to Peig account ${peigUser.id} (${peigUser.email}), status ${peigUser.status}`;
  return [
    fact,
    ...exact.map((r) => `pending onboarding request ${r.id} from ${r.email}, submitted ${r.submittedAt}`),
    ...suggested.map(
      (r) => `pending request ${r.id} typed "${r.email}", which is one of this user's addresses: merge suggested`,
    ),
  ];
}

/** A user's reconciliation whose evidence is worded from the facts kept (the Peig user object, shared with the list). */
class ApiUserReconciliation implements UserReconciliation {
  readonly userId: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  constructor(
    user: M365User,
    readonly state: UserState,
    readonly linked: boolean,
    readonly peigAccountId: string | null,
    private readonly facts: ApiFacts,
  ) {
    this.userId = user.id;
    this.displayName = user.displayName;
    this.userPrincipalName = user.userPrincipalName;
    this.mail = user.mail;
  }
  get evidence(): string[] {
    return apiEvidence(this.facts, this.peigAccountId);
  }
}

class OperatorUserReconciliation implements UserReconciliation {
  readonly userId: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly state: UserState;
  readonly linked: boolean;
  readonly peigAccountId = null;
  readonly signedInAt?: string;
  constructor(user: M365User, signIn: MigrationSignIn | undefined) {
    this.userId = user.id;
    this.displayName = user.displayName;
    this.userPrincipalName = user.userPrincipalName;
    this.mail = user.mail;
    this.state = signIn ? "onboarded" : "notOnboarded";
    this.linked = signIn !== undefined;
    if (signIn) this.signedInAt = signIn.createdDateTime;
  }
  get evidence(): string[] {
    return [
      this.signedInAt
        ? `signed in to the migration app at ${this.signedInAt} (Entra sign-in logs)`
        : "no successful sign-in to the migration app (Entra sign-in logs)",
    ];
  }
}

function countStates(users: UserReconciliation[]): Record<UserState, number> {
  const counts = Object.fromEntries(userStates.map((s) => [s, 0])) as Record<UserState, number>;
  for (const user of users) counts[user.state]++;
  return counts;
}

function summarise(
  mode: Reconciliation["mode"],
  users: UserReconciliation[],
  mismatchedRequests: MismatchedRequest[],
  unmatchedRequests: UnmatchedRequest[],
): Reconciliation {
  const usersWithoutPeigAccount = users.filter((u) => !u.linked).map((u) => u.userId);
  return {
    mode,
    users,
    mismatchedRequests,
    unmatchedRequests,
    usersWithoutPeigAccount,
    counts: {
      ...countStates(users),
      inScope: users.length,
      mismatchedRequests: mismatchedRequests.length,
      unmatchedRequests: unmatchedRequests.length,
      withoutPeigAccount: usersWithoutPeigAccount.length,
    },
  };
}

const NONE: readonly OnboardingRequest[] = [];

function reconcileApi(users: readonly M365User[], peig: PeigState): Reconciliation {
  const accountsByUserId = new Map(peig.microsoft365Accounts.map((a) => [a.id, a]));
  const peigUsersById = new Map(peig.users.map((u) => [u.id, u]));
  const index = indexAddresses(users, new Set(peig.pendingRequests.map((r) => normalise(r.email))));

  const exactRequests = new Map<string, OnboardingRequest[]>();
  const suggestedFor = new Map<string, OnboardingRequest[]>();
  const mismatchedRequests: MismatchedRequest[] = [];
  const unmatchedRequests: UnmatchedRequest[] = [];
  const push = (map: Map<string, OnboardingRequest[]>, key: string, request: OnboardingRequest) => {
    const list = map.get(key);
    if (list) list.push(request);
    else map.set(key, [request]);
  };

  for (const request of peig.pendingRequests) {
    const match = matchRequest(request, index);
    if (match.kind === "exact") push(exactRequests, match.user.id, request);
    else if (match.kind === "unmatched") {
      unmatchedRequests.push({
        request,
        reason: `"${request.email}" matches no mail, UPN, proxy address or otherMails of any in-scope user`,
      });
    } else {
      const target = match.candidates.length === 1 ? match.candidates[0] : null;
      if (target) push(suggestedFor, target.user.id, request);
      const targetAccount = target && accountsByUserId.get(target.user.id);
      mismatchedRequests.push({
        request,
        suggestedMergeTarget: target && {
          userId: target.user.id,
          userPrincipalName: target.user.userPrincipalName,
          peigAccountId: targetAccount?.linkStatus === "linked" ? targetAccount.peigAccountId : null,
          matchedBy: target.matchedBy,
        },
        reason: mismatchReason(request, match.candidates, match.tier),
      });
    }
  }

  const results = users.map((user): UserReconciliation => {
    const account = accountsByUserId.get(user.id);
    const isLinked = account?.linkStatus === "linked" && !!account.peigAccountId;
    const peigUser = isLinked ? peigUsersById.get(account.peigAccountId!) : undefined;
    const exact = exactRequests.get(user.id) ?? NONE;
    const suggested = suggestedFor.get(user.id) ?? NONE;
    const state: UserState =
      isLinked && peigUser?.status === "Active"
        ? "onboarded"
        : exact.length > 0
          ? "pendingRequest"
          : suggested.length > 0
            ? "mismatched"
            : isLinked && peigUser?.status === "Not Onboarded"
              ? "awaitingOnboarding"
              : "notOnboarded";
    return new ApiUserReconciliation(user, state, isLinked, isLinked ? account.peigAccountId : null, {
      account: !account ? "unlisted" : isLinked ? "linked" : "unlinked",
      peigUser,
      exact,
      suggested,
    });
  });
  return summarise("api", results, mismatchedRequests, unmatchedRequests);
}

function reconcileOperator(users: readonly M365User[], signIns: readonly MigrationSignIn[]): Reconciliation {
  // Keyed by object id, and by UPN for log entries that lack it; the earliest sign-in is the onboarding.
  const firstSignIn = new Map<string, MigrationSignIn>();
  const keep = (key: string, signIn: MigrationSignIn) => {
    const known = firstSignIn.get(key);
    if (!known || Date.parse(signIn.createdDateTime) < Date.parse(known.createdDateTime)) firstSignIn.set(key, signIn);
  };
  for (const signIn of signIns) {
    if (signIn.userId) keep(`id:${signIn.userId}`, signIn);
    if (signIn.userPrincipalName) keep(`upn:${normalise(signIn.userPrincipalName)}`, signIn);
  }
  const results = users.map(
    (user): UserReconciliation =>
      new OperatorUserReconciliation(
        user,
        firstSignIn.get(`id:${user.id}`) ?? firstSignIn.get(`upn:${normalise(user.userPrincipalName)}`),
      ),
  );
  return summarise("operator", results, [], []);
}

export function reconcile(input: ReconcileInput): Reconciliation {
  return input.mode === "api" ? reconcileApi(input.users, input.peig) : reconcileOperator(input.users, input.signIns);
}
