/**
 * Approvers who are out of office: before an approval round's links go out, the app reads each approver's automatic
 * replies (Outlook's "out of office", Graph's automaticRepliesSetting). One whose replies are on for the whole round
 * is not asked; the fallback approvers are asked at once instead, and the audit says why. Pure.
 */

/**
 * A mailbox's automatic replies as Graph's automaticRepliesSetting says: off, on until turned off, or scheduled
 * between two instants; or why they could not be read (403: the app lacks MailboxSettings.Read, or Exchange keeps it
 * from that mailbox; 404: no mailbox; a time zone the app cannot convert).
 */
export type AutomaticReplies =
  | { status: "disabled" }
  | { status: "alwaysEnabled" }
  | { status: "scheduled"; start: string; end: string }
  | { status: "unreadable"; why: "notPermitted" | "noMailbox" | "unknownTimeZone"; detail: string };

/** What one round's check found, kept on the migration row (the status page and the report show it). */
export interface OutOfOfficeCheck {
  /** The gate (round) the check was for. */
  gate: string;
  at: string;
  /** Approvers away for the whole round: not asked. `until` is when their replies end (null: until turned off). */
  away: { approver: string; until: string | null }[];
  /** Approvers whose replies could not be read, and why: they were asked as usual. */
  unread: { approver: string; why: "notPermitted" | "noMailbox" | "unknownTimeZone" }[];
}

/**
 * Whether the replies cover the whole round, from when the links go out to when they expire: on until turned off, or
 * scheduled from no later than the start to no earlier than the end. Someone back before the round ends can still
 * answer, so they are asked.
 */
export function awayForRound(
  replies: AutomaticReplies,
  round: { from: Date; until: Date },
): { away: true; until: string | null } | { away: false } {
  if (replies.status === "alwaysEnabled") return { away: true, until: null };
  if (replies.status !== "scheduled") return { away: false };
  const covers = Date.parse(replies.start) <= round.from.getTime() && Date.parse(replies.end) >= round.until.getTime();
  return covers ? { away: true, until: replies.end } : { away: false };
}

/** Whether nobody's replies could be read for want of the permission (the status page's note). */
export const permissionMissing = (check: OutOfOfficeCheck): boolean =>
  check.unread.length > 0 && check.away.length === 0 && check.unread.every((u) => u.why === "notPermitted");
