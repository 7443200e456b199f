/**
 * One person's own, later deadline, set by an admin (back from leave, a new starter): their reminders count down to
 * it, the onboarding window stays open until the latest of them, and Phase 2 does not take them before it. Everyone
 * else keeps the migration's deadline. Pure: the use case records them on the migration row, the orchestration
 * schedules from the instants, the reminder activity picks its recipients here.
 */

export interface PersonalDeadline {
  userId: string;
  userPrincipalName: string;
  displayName: string;
  /** Their own deadline (ISO 8601 UTC). */
  deadline: string;
  /** The deadline they had before this extension (ISO 8601 UTC). */
  from: string;
  /** Why, as the admin wrote it (optional). */
  reason?: string;
  /** The admin who extended it, and when (ISO 8601). */
  by: string;
  at: string;
  /** When a monitor pass found them onboarded: their deadline no longer keeps the window open. */
  onboardedAt?: string;
}

/** More than this is not "one at a time": extend the migration's deadline instead. */
export const MAX_PERSONAL_DEADLINES = 500;
export const MAX_EXTENSION_REASON_CHARS = 500;

/** The personal deadlines that still matter: later than the migration's (an extended migration can overtake them). */
export function laterThanMigration(
  migrationDeadline: string,
  personal: readonly PersonalDeadline[] | undefined,
): PersonalDeadline[] {
  const base = Date.parse(migrationDeadline);
  return (personal ?? []).filter((p) => Date.parse(p.deadline) > base);
}

/** A person's deadline: their own when it is later than the migration's, else the migration's. */
export function deadlineOf(
  userId: string,
  migrationDeadline: string,
  personal: readonly PersonalDeadline[] | undefined,
): string {
  return (
    laterThanMigration(migrationDeadline, personal).find((p) => p.userId === userId)?.deadline ?? migrationDeadline
  );
}

/**
 * The distinct deadlines the window counts down to, earliest first: the migration's, then each later personal one
 * (ISO 8601 UTC, as the orchestration keys its reminders by them). The last one is when the window closes.
 */
export function windowDeadlines(migrationDeadline: string, personalLater: readonly string[] | undefined): string[] {
  const base = Date.parse(migrationDeadline);
  const later = [...new Set((personalLater ?? []).map((d) => new Date(d).toISOString()))]
    .filter((d) => Date.parse(d) > base)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return [migrationDeadline, ...later];
}

/** The personal deadlines that keep the window open: of people not onboarded yet (a monitor pass marks the others). */
export const openDeadlines = (personal: readonly PersonalDeadline[] | undefined): string[] =>
  (personal ?? []).filter((p) => !p.onboardedAt).map((p) => p.deadline);

/** When the onboarding window closes: at the latest deadline of anyone who has not onboarded yet. */
export function windowClosesAt(migrationDeadline: string, personal: readonly PersonalDeadline[] | undefined): string {
  const all = windowDeadlines(migrationDeadline, openDeadlines(personal));
  return all[all.length - 1];
}

/**
 * The personal deadlines with those of people now onboarded marked (at `now`), or undefined when nothing changes.
 */
export function markOnboarded(
  personal: readonly PersonalDeadline[] | undefined,
  onboarded: (userId: string) => boolean,
  now: string,
): PersonalDeadline[] | undefined {
  const newly = (personal ?? []).filter((p) => !p.onboardedAt && onboarded(p.userId));
  if (newly.length === 0) return undefined;
  return (personal ?? []).map((p) => (newly.includes(p) ? { ...p, onboardedAt: now } : p));
}

/**
 * Whether a reminder counting down to `reminderDeadline` is for this person: the migration's reminders go to
 * everyone without a later deadline of their own; a personal deadline's reminders only to the people who have it.
 */
export function remindedFor(
  reminderDeadline: string,
  migrationDeadline: string,
  personal: readonly PersonalDeadline[] | undefined,
): (userId: string) => boolean {
  const own = new Map(laterThanMigration(migrationDeadline, personal).map((p) => [p.userId, Date.parse(p.deadline)]));
  const target = Date.parse(reminderDeadline);
  return (userId) => (own.get(userId) ?? Date.parse(migrationDeadline)) === target;
}

/** "jane@contoso.com (Jane Doe): until 12 January 2027, 17:00 — was 15 December 2026, 17:00; back from leave — by it@contoso.com". */
export function extensionSentence(p: PersonalDeadline, when: (iso: string) => string): string {
  return `${p.userPrincipalName} (${p.displayName}): until ${when(p.deadline)}, was ${when(p.from)}${p.reason ? `; ${p.reason}` : ""} — extended by ${p.by} on ${when(p.at)}`;
}
