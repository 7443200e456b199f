/**
 * The onboarding window's side effects: the invitation, the reminders (only to users not yet
 * onboarded at that moment) and the monitor that reconciles, records progress and tells the admins.
 * Mail goes out in batches recorded once each, so a retried activity never mails a batch twice.
 */
import { planSend } from "../shared/domain/mailPlan";
import { RECIPIENTS_PER_MESSAGE } from "../shared/mail/port";
import { adminDigestEmail, invitationEmail, reminderEmail, type EmailContent } from "../shared/email/templates";
import { loadMigration, once, updateRuntime } from "../shared/migrationRecord";
import { services, type Services } from "../shared/services";
import type { OnboardingCounts } from "../shared/workflow";
import { countsOf, hasMailbox, reconcileAndRecord } from "./onboardingState";

export async function sendInvitations(input: { migrationId: string; deadline: string }, s: Services = services()): Promise<{ recipients: number; messages: number }> {
  const { runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation } = await reconcileAndRecord(s, input.migrationId, runtime);
  // Only users with a mailbox can be mailed; the others are counted apart, not as recipients.
  const people = reconciliation.users.filter((u) => u.state !== "onboarded");
  const mailed = people.filter(hasMailbox);
  const mail = (name?: string) => invitationEmail({ workspace: runtime.request.workspace, domain: runtime.request.domain, deadline: new Date(input.deadline), recipientName: name, contact: runtime.request.admins[0] });
  const { messages } = await sendToPeople(s, input.migrationId, "invitation", mailed, mail, runtime.request.personalisedReminders ?? false);
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "mail.invitation.sent", details: { recipients: mailed.length, withoutMailbox: people.length - mailed.length, messages } });
  return { recipients: mailed.length, messages };
}

export async function sendReminders(input: { migrationId: string; label: string; deadline: string; key: string }, s: Services = services()): Promise<{ recipients: number; messages: number }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation, stored } = await reconcileAndRecord(s, input.migrationId, runtime);
  // Keep the row's counts in step with the user rows just written (the status page shows both).
  await updateRuntime(s, input.migrationId, () => ({ counts: countsOf(reconciliation, record.counts.phase2Failed) }));
  const now = s.clock.now();
  const people = reconciliation.users.filter((u) => u.state === "notOnboarded");
  const mailed = people.filter(hasMailbox);
  const mail = (name?: string) => reminderEmail({ workspace: runtime.request.workspace, domain: runtime.request.domain, deadline: new Date(input.deadline), now, recipientName: name, contact: runtime.request.admins[0] });
  const { messages, mailedNow } = await sendToPeople(s, input.migrationId, `reminder:${input.key}`, mailed, mail, runtime.request.personalisedReminders ?? false);
  // Counted for the batches this run sent: a redelivered activity sends nothing again and counts nothing again.
  await s.store.upsertUsers(
    input.migrationId,
    mailed.filter((u) => mailedNow.has(u.userId)).map((u) => ({ userId: u.userId, userPrincipalName: u.userPrincipalName, displayName: u.displayName, state: "notOnboarded" as const, remindersSent: (stored.get(u.userId)?.remindersSent ?? 0) + 1, lastReminderAt: now.toISOString() })),
  );
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "mail.reminder.sent", details: { reminder: input.label, deadline: input.deadline, recipients: mailed.length, withoutMailbox: people.length - mailed.length, messages } });
  return { recipients: mailed.length, messages };
}

/** Reconciles, records per-user state and counts, and mails the admins a digest when something changed. */
export async function monitorOnboarding(input: { migrationId: string }, s: Services = services()): Promise<OnboardingCounts> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation } = await reconcileAndRecord(s, input.migrationId, runtime);
  const counts = countsOf(reconciliation, record.counts.phase2Failed);
  const changed = JSON.stringify(counts) !== JSON.stringify(record.counts);
  await updateRuntime(s, input.migrationId, (rt) => {
    rt.unmatchedRequests = reconciliation.unmatchedRequests
      .slice(0, 50)
      .map((u) => ({ email: u.request.email, displayName: u.request.displayName, submittedAt: u.request.submittedAt, reason: u.reason }));
    return { counts };
  });
  // The status page's chart is drawn from these.
  await s.store.appendAudit({ migrationId: input.migrationId, actor: "system", action: "monitor.progress", details: { counts } });
  if (changed) {
    const digest = adminDigestEmail({
      workspace: runtime.request.workspace,
      now: s.clock.now(),
      deadline: new Date(record.deadline),
      reconciliation,
      statusPageUrl: `${s.settings.PUBLIC_BASE_URL.replace(/\/$/, "")}/api/migrations/${input.migrationId}/page`,
    });
    await s.mail.sendBulk({ subject: digest.subject, html: digest.html, recipients: runtime.request.admins });
  }
  return counts;
}

/**
 * Bulk: the same message in BCC batches of ≤ 500 (⌈n/500⌉ messages). Personalised: one message each,
 * batched by the adapter. Each batch is recorded under `key#i` once sent; `mailedNow` holds the users
 * whose batch this call sent (not one an earlier delivery of the activity had sent already).
 */
async function sendToPeople(
  s: Services,
  migrationId: string,
  key: string,
  people: { userId: string; displayName: string; mail: string | null }[],
  content: (name?: string) => EmailContent,
  personalised: boolean,
): Promise<{ messages: number; mailedNow: Set<string> }> {
  const sorted = people.filter(hasMailbox).sort((a, b) => a.userId.localeCompare(b.userId));
  const perBatch = personalised ? 100 : RECIPIENTS_PER_MESSAGE;
  let messages = 0;
  const mailedNow = new Set<string>();
  for (let i = 0; i * perBatch < sorted.length; i++) {
    const batch = sorted.slice(i * perBatch, (i + 1) * perBatch);
    const sent = await once(s, migrationId, `${key}#${i}`, async () => {
      const result = personalised
        ? await s.mail.sendPersonalised(batch.map((u) => ({ to: u.mail, ...pick(content(u.displayName)) })))
        : await s.mail.sendBulk({ ...pick(content()), recipients: batch.map((u) => u.mail) });
      const failed = result.recipients.filter((r) => r.status === "failed");
      if (failed.length === batch.length) throw new Error(`no message of ${key} batch ${i} was accepted: ${failed[0]?.error ?? "unknown error"}`);
    });
    if (sent) batch.forEach((u) => mailedNow.add(u.userId));
    messages += planSend(batch.length, personalised).messages;
  }
  return { messages, mailedNow };
}

const pick = (c: EmailContent) => ({ subject: c.subject, html: c.html });
