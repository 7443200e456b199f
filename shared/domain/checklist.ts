/**
 * The runbook's "Confirm your setup" checklist, computed from a reconciliation, the Phase 2 result and the deletion
 * status. The first three items gate the irreversible deletion; before deleting, a fresh checklist is compared with
 * the one the approvers saw, and anything that got worse stops the deletion with the reason.
 *
 * Phase 2 accounts: a user who missed the window and got a Peig account from Phase 2 ("Create Peig Account") counts
 * as covered for "All users have been onboarded": Phase 2 is the runbook's way of onboarding those users, and they
 * finish at their first sign-in. In api mode the account must still be linked; in operator mode Peig cannot be read,
 * so the Peig admin's confirmation of Phase 2 is the evidence.
 */
import type { Reconciliation, UserReconciliation } from "./reconcile";

export type ChecklistItemId = "allOnboarded" | "accountsLinked" | "phase2Completed" | "configurationDeleted";

export interface ChecklistItem {
  id: ChecklistItemId;
  /** The runbook's wording. */
  label: string;
  met: boolean;
  evidence: string[];
}

export const checklistLabels: Record<ChecklistItemId, string> = {
  allOnboarded: "All users have been onboarded to Peig",
  accountsLinked: "All accounts are correctly created and linked",
  phase2Completed: "Phase 2 was completed if any users missed the onboarding window",
  configurationDeleted: "The migration configuration has been deleted",
};

/** The items that must be met before the migration configuration may be deleted. */
const GATING_ITEMS: readonly ChecklistItemId[] = ["allOnboarded", "accountsLinked", "phase2Completed"];

/** Offending users listed in an item's evidence; the rest are counted. */
export const EVIDENCE_LIST_LIMIT = 20;

export interface Phase2Result {
  /** notRun: Phase 2 has not happened (yet); skipped: the migration chose phase2 = "skip" or an approver declined it. */
  status: "notRun" | "skipped" | "completed";
  /** Microsoft 365 user ids that got a Peig account from Phase 2 (including ones found already created). */
  created: readonly string[];
  failed: readonly { userId: string; reason: string }[];
}

export interface DeletionStatus {
  migrationConfiguration: "present" | "deleted";
  migrationApp: "present" | "deleted";
}

export interface ChecklistInput {
  reconciliation: Reconciliation;
  phase2: Phase2Result | null;
  deletion: DeletionStatus;
}

function listUsers(users: readonly UserReconciliation[], describe: (u: UserReconciliation) => string): string[] {
  const listed = users.slice(0, EVIDENCE_LIST_LIMIT).map((u) => `${u.userPrincipalName}: ${describe(u)}`);
  return users.length > EVIDENCE_LIST_LIMIT ? [...listed, `…and ${users.length - EVIDENCE_LIST_LIMIT} more`] : listed;
}

const item = (id: ChecklistItemId, met: boolean, evidence: string[]): ChecklistItem => ({
  id,
  label: checklistLabels[id],
  met,
  evidence,
});

export function buildChecklist({ reconciliation, phase2, deletion }: ChecklistInput): ChecklistItem[] {
  const { users, mode } = reconciliation;
  const phase2Accounts = new Set(phase2?.status === "completed" ? phase2.created : []);
  const hasPhase2Account = (u: UserReconciliation) =>
    phase2Accounts.has(u.userId) &&
    (mode === "operator" ? u.state === "notOnboarded" : u.linked && u.state === "awaitingOnboarding");
  const byPhase2 = users.filter(hasPhase2Account);
  const notYetOnboarded = users.filter((u) => u.state !== "onboarded" && !hasPhase2Account(u));
  const emptyScope = users.length === 0 ? ["no users are in scope: check the domain and the scope group"] : [];

  const onboarded = item("allOnboarded", users.length > 0 && notYetOnboarded.length === 0, [
    ...emptyScope,
    `${reconciliation.counts.onboarded} of ${users.length} in-scope users onboarded`,
    ...(byPhase2.length > 0
      ? [`${byPhase2.length} have a Phase 2 account and finish onboarding at their first sign-in`]
      : []),
    ...listUsers(notYetOnboarded, (u) => `${u.state} (${u.evidence[0] ?? "no evidence"})`),
  ]);

  const correctlyLinked = (u: UserReconciliation) =>
    mode === "operator"
      ? u.linked || hasPhase2Account(u)
      : u.linked && (u.state === "onboarded" || u.state === "awaitingOnboarding");
  const badlyLinked = users.filter((u) => !correctlyLinked(u));
  const openMismatches = reconciliation.mismatchedRequests;
  const linked = item("accountsLinked", users.length > 0 && badlyLinked.length === 0 && openMismatches.length === 0, [
    ...emptyScope,
    mode === "operator"
      ? "operator mode: links inferred from migration-app sign-ins and the Peig admin's Phase 2 confirmation"
      : `${users.length - badlyLinked.length} of ${users.length} Microsoft 365 accounts linked to a Peig account`,
    ...listUsers(badlyLinked, (u) => u.evidence.join("; ")),
    ...openMismatches
      .slice(0, EVIDENCE_LIST_LIMIT)
      .map((m) => `request ${m.request.id} (${m.request.email}) is unresolved: ${m.reason}`),
    ...(reconciliation.unmatchedRequests.length > 0
      ? [
          `${reconciliation.unmatchedRequests.length} pending requests match no in-scope user (not counted against this item)`,
        ]
      : []),
  ]);

  const missing = users.filter((u) => !u.linked && !hasPhase2Account(u));
  const failures = phase2?.status === "completed" ? phase2.failed : [];
  const phase2Evidence =
    phase2?.status === "completed"
      ? [
          `Phase 2 created ${phase2.created.length} Peig accounts; ${failures.length} failed`,
          ...failures.slice(0, EVIDENCE_LIST_LIMIT).map((f) => `${f.userId}: ${f.reason}`),
        ]
      : missing.length === 0
        ? ["nobody missed the onboarding window: Phase 2 not needed"]
        : [phase2?.status === "skipped" ? "Phase 2 was skipped" : "Phase 2 has not run"];
  const phase2Item = item("phase2Completed", missing.length === 0 && failures.length === 0, [
    ...phase2Evidence,
    ...(missing.length > 0
      ? [
          `${missing.length} in-scope users still have no Peig account`,
          ...listUsers(missing, (u) => u.evidence[0] ?? u.state),
        ]
      : []),
  ]);

  const deleted = item("configurationDeleted", deletion.migrationConfiguration === "deleted", [
    `Peig migration configuration: ${deletion.migrationConfiguration === "deleted" ? "deleted" : "still present"}`,
    `Entra app PeigMigrationManager: ${deletion.migrationApp === "deleted" ? "deleted" : "still present"}`,
  ]);

  return [onboarded, linked, phase2Item, deleted];
}

/** True when every item that gates deletion (the first three) is met. */
export function readyForDeletion(checklist: readonly ChecklistItem[]): boolean {
  return GATING_ITEMS.every((id) => checklist.find((i) => i.id === id)?.met === true);
}

export interface RecheckResult {
  ready: boolean;
  /** Gating items met when approved but not now. */
  regressions: ChecklistItemId[];
  /** One line per unmet gating item, saying whether it regressed, with the fresh evidence. */
  reasons: string[];
}

/** Compares the fresh re-check with the checklist the approvers approved: deletion goes ahead only if nothing regressed. */
export function compareWithApproved(
  approved: readonly ChecklistItem[],
  fresh: readonly ChecklistItem[],
): RecheckResult {
  const regressions: ChecklistItemId[] = [];
  const reasons: string[] = [];
  for (const id of GATING_ITEMS) {
    const now = fresh.find((i) => i.id === id);
    if (now?.met) continue;
    const wasMet = approved.find((i) => i.id === id)?.met === true;
    if (wasMet) regressions.push(id);
    const evidence = now ? now.evidence.join("; ") : "missing from the re-check";
    reasons.push(
      `"${checklistLabels[id]}" ${wasMet ? "was met when approved but is not any more" : "is not met"}: ${evidence}`,
    );
  }
  return { ready: reasons.length === 0, regressions, reasons };
}
