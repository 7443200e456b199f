/**
 * The merge gate's decisions, pure: which mistyped pending requests the Peig admin is asked about, when a
 * new round is due, and what confirming does to each request. Peig's Merge attaches a request whose typed
 * e-mail differs from the Microsoft 365 account to that user's existing Peig account
 * (https://docs.peig.io/welcome-to-peig-documentation/admin-guide/managing-access); Merge needs a target
 * account, so a user without one gets it first, as Phase 2's "Create Peig Account" makes it.
 */
import type { Reconciliation } from "./reconcile";

/** A request the app can merge: its typed e-mail is one in-scope user's address. */
export interface MergeItem {
  requestId: string;
  typedEmail: string;
  /** The name typed with the request. */
  requestName: string;
  userId: string;
  userPrincipalName: string;
  /** The user's linked Peig account; null when they have none yet (it is created before the merge). */
  peigAccountId: string | null;
  reason: string;
}

/** A request the app cannot match to exactly one user: the Peig admin resolves it in Peig. */
export interface ManualItem {
  requestId: string;
  typedEmail: string;
  requestName: string;
  reason: string;
  /** What to do in Peig's own words (docs/peig-ui.md). */
  whatToDo: string;
}

export interface MergeList {
  merges: MergeItem[];
  manual: ManualItem[];
  /** Requests left for a later round: a task row stays small (Table Storage strings, 32 K characters here). */
  more: number;
}

/** Per round: the page stays readable and the task row within Table Storage's string limit. */
export const MERGES_PER_ROUND = 40;
export const MANUAL_PER_ROUND = 10;

const SEVERAL =
  "In Users & Access, verify who sent the request, then click Merge and choose that person's existing account.";
const NOBODY =
  "In Users & Access, verify who sent the request: Approve it if they should get a new account, Merge it into their existing account if they have one, otherwise Deny it.";

/**
 * The round's list, from a fresh reconciliation: one Merge per request with exactly one candidate; requests with
 * several candidates or none are for the Peig admin's judgement. Only mismatched requests gate the checklist, so
 * unmatched ones come after them and only in the room that is left.
 */
export function mergeList(reconciliation: Pick<Reconciliation, "mismatchedRequests" | "unmatchedRequests">): MergeList {
  const mergeable = reconciliation.mismatchedRequests.filter((m) => m.suggestedMergeTarget);
  const ambiguous = reconciliation.mismatchedRequests.filter((m) => !mergeable.includes(m));
  const merges = mergeable.slice(0, MERGES_PER_ROUND).map(({ request, suggestedMergeTarget: target, reason }) => ({
    requestId: request.id,
    typedEmail: request.email,
    requestName: request.displayName,
    userId: target!.userId,
    userPrincipalName: target!.userPrincipalName,
    peigAccountId: target!.peigAccountId,
    reason,
  }));
  const manualAll = [
    ...ambiguous.map((m) => ({
      requestId: m.request.id,
      typedEmail: m.request.email,
      requestName: m.request.displayName,
      reason: m.reason,
      whatToDo: SEVERAL,
    })),
    ...reconciliation.unmatchedRequests.map((u) => ({
      requestId: u.request.id,
      typedEmail: u.request.email,
      requestName: u.request.displayName,
      reason: u.reason,
      whatToDo: NOBODY,
    })),
  ];
  const manual = manualAll.slice(0, MANUAL_PER_ROUND);
  return { merges, manual, more: mergeable.length - merges.length + manualAll.length - manual.length };
}

/**
 * The requests that hold up "All accounts are correctly created and linked" and no earlier round listed:
 * a new round is due only when there is one (a declined or expired round is not asked again by itself).
 * Unmatched requests do not count: they do not gate the checklist.
 */
export function newRequests(list: MergeList, covered: ReadonlySet<string>): string[] {
  const gating = [
    ...list.merges.map((m) => m.requestId),
    ...list.manual.filter((m) => m.whatToDo === SEVERAL).map((m) => m.requestId),
  ];
  return gating.filter((id) => !covered.has(id));
}

/** What confirming does to one listed request, decided from Peig as it is now (read again just before). */
export type MergeAction =
  | { kind: "skip"; why: string }
  | { kind: "merge"; targetUserId: string }
  | { kind: "createAccountThenMerge"; microsoft365UserId: string };

export function mergeAction(
  item: MergeItem,
  now: { pending: boolean; account: { linkStatus: string; peigAccountId: string | null } | null },
): MergeAction {
  // Handled meanwhile (by hand in Peig, or by an earlier attempt whose answer was lost).
  if (!now.pending) return { kind: "skip", why: "the request is no longer pending" };
  if (!now.account)
    return { kind: "skip", why: `${item.userPrincipalName} is not on the Microsoft 365 Accounts tab any more` };
  if (now.account.linkStatus === "linked" && now.account.peigAccountId)
    return { kind: "merge", targetUserId: now.account.peigAccountId };
  return { kind: "createAccountThenMerge", microsoft365UserId: item.userId };
}
