/**
 * Before an approval round's links go out: which approvers are out of office for the whole round, from their
 * automatic replies (Graph, MailboxSettings.Read). Recorded on the migration row (the status page shows it, with a
 * note when the permission is missing) and audited per approver. Not an activity: openHumanTasks calls it.
 */
import { awayForRound, permissionMissing, type OutOfOfficeCheck } from "../shared/domain/outOfOffice";
import { updateRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";

export async function checkOutOfOffice(
  s: Services,
  migrationId: string,
  gate: string,
  approvers: readonly string[],
  expiresAt: string,
): Promise<OutOfOfficeCheck> {
  const now = s.clock.now();
  const round = { from: now, until: new Date(expiresAt) };
  const check: OutOfOfficeCheck = { gate, at: now.toISOString(), away: [], unread: [] };
  for (const approver of approvers) {
    const replies = await s.mail.readAutomaticReplies(approver);
    if (replies.status === "unreadable") {
      check.unread.push({ approver, why: replies.why });
      continue;
    }
    const away = awayForRound(replies, round);
    if (away.away) check.away.push({ approver, until: away.until });
  }
  // Never everyone skipped with nobody to ask: the caller asks the fallback approvers in their place.
  await updateRuntime(s, migrationId, (rt) => void (rt.outOfOffice = check));
  for (const a of check.away)
    await s.store.appendAudit({
      migrationId,
      actor: "system",
      action: "approver.outOfOffice",
      details: { gate, approver: a.approver, until: a.until },
    });
  if (permissionMissing(check))
    await s.store.appendAudit({
      migrationId,
      actor: "system",
      action: "outOfOffice.notChecked",
      details: { gate, reason: "MailboxSettings.Read not granted" },
    });
  return check;
}
