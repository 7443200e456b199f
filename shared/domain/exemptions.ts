/**
 * People exempted from a migration, one at a time, by an admin with a reason (on long leave, leaving the company):
 * they get no more mail, are counted apart from those not onboarded, get no Phase 2 account, and the checklist the
 * approvers see names every one of them. Pure: the use case records them on the migration row.
 */

export interface Exemption {
  userId: string;
  userPrincipalName: string;
  displayName: string;
  reason: string;
  /** The admin who exempted them, and when (ISO 8601). */
  by: string;
  at: string;
}

/** More than this is not "one at a time": narrow the scope instead (an exclude group). */
export const MAX_EXEMPTIONS = 500;
export const MAX_EXEMPTION_REASON_CHARS = 500;

export const exemptIds = (exemptions: readonly Exemption[] | undefined): ReadonlySet<string> =>
  new Set((exemptions ?? []).map((e) => e.userId));

/** "jane@contoso.com (Jane Doe): on parental leave until March — exempted by it@contoso.com on 3 December 2026". */
export function exemptionSentence(e: Exemption, when: (iso: string) => string): string {
  return `${e.userPrincipalName} (${e.displayName}): ${e.reason} — exempted by ${e.by} on ${when(e.at)}`;
}
