/**
 * The runbook's "Confirm your setup" checklist, computed from a reconciliation, the Phase 2 result and the deletion
 * status. The first three items gate the irreversible deletion; before deleting, a fresh checklist is compared with
 * the one the approvers saw, and anything that got worse stops the deletion with the reason.
 *
 * Phase 2 accounts: a user who missed the window and got a Peig account from Phase 2 ("Create Peig Account") counts
 * as covered for "All users have been onboarded": Phase 2 is the runbook's way of onboarding those users, and they
 * finish at their first sign-in. In api mode the account must still be linked; in operator mode Peig cannot be read,
 * so the Peig admin's figures are the evidence: Phase 2 with no failure reported covers the listed users, and
 * "correctly created and linked" needs their checked confirmation of Users & Access and MS365 Identifiers.
 */
import { peigChecklistSentence, phase2Sentence, type MigrationFigures, type PeigChecklistReport } from "./figures";
import { exemptIds, exemptionSentence, type Exemption } from "./exemptions";
import type { Reconciliation, UserReconciliation } from "./reconcile";

export type ChecklistItemId = "allOnboarded" | "accountsLinked" | "phase2Completed" | "configurationDeleted";

export interface ChecklistItem {
  id: ChecklistItemId;
  /** The runbook's wording. */
  label: string;
  met: boolean;
  evidence: string[];
  /**
   * Operator mode: everything the app can check holds, and the item waits only for the Peig admin's confirmation
   * of what Peig shows (the workflow asks for it next). Not met until then.
   */
  awaitsPeigConfirmation?: boolean;
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
  /**
   * Microsoft 365 user ids that have a Peig account from Phase 2 (api: created or found created; operator: listed,
   * when the Peig admin reported no failure).
   */
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
  /** The migration's figures (migrationFigures over the counts this reconciliation recorded): the evidence's numbers. */
  figures: MigrationFigures;
  /** Operator mode: the Peig admin's checked confirmation of the checklist in Peig, if given. */
  peigChecklist?: PeigChecklistReport;
  /** Operator mode: the Peig admin confirmed the checklist before the app asked for figures (instances started earlier). */
  peigConfirmedWithoutFigures?: boolean;
  /** People an admin exempted: they hold up no item, and the first item names every one (the approvers read it). */
  exemptions?: readonly Exemption[];
  /** How a time is shown (the migration's zone, in words). */
  when?: (iso: string) => string;
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

/**
 * What the Peig admin read in Peig supports "correctly created and linked": no request pending in Users & Access,
 * and at least as many linked Microsoft 365 accounts as users in scope. (Checked against more when they confirmed.)
 */
export function peigChecklistHolds(report: PeigChecklistReport, inScope: number): boolean {
  return report.pendingRequests === 0 && report.linkedAccounts >= inScope;
}

export function buildChecklist({
  reconciliation,
  phase2,
  deletion,
  figures,
  peigChecklist,
  peigConfirmedWithoutFigures,
  exemptions = [],
  when = (iso) => iso,
}: ChecklistInput): ChecklistItem[] {
  const { mode } = reconciliation;
  const exempt = exemptIds(exemptions);
  // Exempted people who have not onboarded are named, not counted against any item.
  const exemptedOut = reconciliation.users.filter((u) => exempt.has(u.userId) && u.state !== "onboarded");
  const users = reconciliation.users.filter((u) => !exemptedOut.includes(u));
  const exemptionEvidence = exemptions
    .filter((e) => exemptedOut.some((u) => u.userId === e.userId))
    .map((e) => `exempted, not counted: ${exemptionSentence(e, when)}`);
  const phase2Accounts = new Set(phase2?.status === "completed" ? phase2.created : []);
  const hasPhase2Account = (u: UserReconciliation) =>
    phase2Accounts.has(u.userId) &&
    (mode === "operator" ? u.state === "notOnboarded" : u.linked && u.state === "awaitingOnboarding");
  const notYetOnboarded = users.filter((u) => u.state !== "onboarded" && !hasPhase2Account(u));
  const emptyScope = users.length === 0 ? ["no users are in scope: check the domain and the scope group"] : [];

  const onboarded = item("allOnboarded", users.length > 0 && notYetOnboarded.length === 0, [
    ...emptyScope,
    `${figures.onboarded.text}, of ${figures.inScope.text}`,
    ...(figures.awaitingFirstSignIn.value > 0
      ? [`${figures.awaitingFirstSignIn.text} (Phase 2 onboards them at that sign-in)`]
      : []),
    ...listUsers(notYetOnboarded, (u) => `${u.state} (${u.evidence[0] ?? "no evidence"})`),
    ...exemptionEvidence,
  ]);

  const correctlyLinked = (u: UserReconciliation) =>
    mode === "operator"
      ? u.linked || hasPhase2Account(u)
      : u.linked && (u.state === "onboarded" || u.state === "awaitingOnboarding");
  const badlyLinked = users.filter((u) => !correctlyLinked(u));
  const openMismatches = reconciliation.mismatchedRequests;
  const appSideLinked = users.length > 0 && badlyLinked.length === 0 && openMismatches.length === 0;
  const confirmation =
    mode !== "operator"
      ? undefined
      : !peigChecklist && peigConfirmedWithoutFigures
        ? { holds: true, evidence: "the Peig admin confirmed the checklist in Peig (before the app asked for figures)" }
        : operatorConfirmation(figures, peigChecklist, exemptedOut.length);
  const linked = item("accountsLinked", appSideLinked && (confirmation?.holds ?? true), [
    ...emptyScope,
    mode === "operator"
      ? "operator mode: the app sees sign-ins to the migration app and the Peig admin's Phase 2 figures; Peig itself only through the Peig admin"
      : `${users.length - badlyLinked.length} of ${users.length} Microsoft 365 accounts linked to a Peig account`,
    ...(confirmation ? [confirmation.evidence] : []),
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
  // No confirmation yet, or one that no longer holds (more users in scope since): the Peig admin is asked (again).
  if (appSideLinked && confirmation && !confirmation.holds) linked.awaitsPeigConfirmation = true;

  const missing = users.filter((u) => !u.linked && !hasPhase2Account(u));
  const failures = phase2?.status === "completed" ? phase2.failed : [];
  const failedCount = phase2?.status === "completed" ? Math.max(failures.length, figures.phase2?.failed.value ?? 0) : 0;
  const phase2Evidence =
    phase2?.status === "completed" && figures.phase2
      ? [
          phase2Sentence(figures.phase2),
          ...failures.slice(0, EVIDENCE_LIST_LIMIT).map((f) => `${f.userId}: ${f.reason}`),
        ]
      : missing.length === 0
        ? ["nobody missed the onboarding window: Phase 2 not needed"]
        : [phase2?.status === "skipped" ? "Phase 2 was skipped" : "Phase 2 has not run"];
  const phase2Item = item("phase2Completed", missing.length === 0 && failedCount === 0, [
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

/** Operator mode: the Peig admin's figures from Peig, and whether they support the linking item. */
function operatorConfirmation(
  figures: MigrationFigures,
  report: PeigChecklistReport | undefined,
  exempted: number,
): { holds: boolean; evidence: string } {
  if (!report || !figures.peigChecklist)
    return {
      holds: false,
      evidence:
        "waiting for the Peig admin to confirm in Peig: no pending request in Users & Access, every Microsoft 365 account linked in MS365 Identifiers",
    };
  const needed = figures.inScope.value - exempted;
  const holds = peigChecklistHolds(report, needed);
  return {
    holds,
    evidence: `${peigChecklistSentence(figures.peigChecklist)}${holds ? "" : ` (the checklist needs no pending request and at least ${needed} linked accounts)`}`,
  };
}

/** True when every item that gates deletion (the first three) is met. */
export function readyForDeletion(checklist: readonly ChecklistItem[]): boolean {
  return GATING_ITEMS.every((id) => checklist.find((i) => i.id === id)?.met === true);
}

/** Operator mode: every gating item holds but for the Peig admin's confirmation, which is what the workflow asks next. */
export function readyForPeigConfirmation(checklist: readonly ChecklistItem[]): boolean {
  return GATING_ITEMS.every((id) => {
    const i = checklist.find((c) => c.id === id);
    return i?.met === true || i?.awaitsPeigConfirmation === true;
  });
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
