/**
 * The onboarding window's side effects: the invitation, the reminders (only to users not yet
 * onboarded at that moment) and the monitor that reconciles, records progress and tells the admins.
 * Each user row records the last invitation or reminder it was mailed, so a retried activity never mails anyone
 * twice, and sends stay within each sender mailbox's 24-hour budget (the rest waits for the next monitor pass).
 */
import { bouncedSummary, liveLedger, senderWithRoom, type MailRuntime } from "../shared/domain/mailPlan";
import type { Reconciliation, UserReconciliation } from "../shared/domain/reconcile";
import { parseIsoDuration } from "../shared/domain/duration";
import { exemptIds } from "../shared/domain/exemptions";
import { deadlineOf, markOnboarded, remindedFor } from "../shared/domain/personalDeadlines";
import { RECIPIENTS_PER_MESSAGE } from "../shared/mail/port";
import { sendKey } from "../shared/mail/sendKey";
import { adminDigestEmail, invitationEmail, reminderEmail, type EmailContent } from "../shared/mail/templates";
import { loadMigration, recordFigures, updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";
import type { MigrationRecord, UserRecord } from "../shared/store";
import { reminderKey } from "../shared/domain/schedule";
import type { MigrationCounts } from "../shared/workflow";
import {
  hasMailbox,
  reconcileAndRecord,
  storedStateOf,
  waveAssignment,
  type WaveOf,
} from "../shared/reconciliationPass";
import { wavesOf } from "../shared/domain/waves";

/** `wave`: a migration with waves invites one wave at a time, each to its own deadline. */
export async function sendInvitations(
  input: { migrationId: string; deadline: string; wave?: number },
  s: Services,
): Promise<{ recipients: number; messages: number }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation, waveOf } = await reconcileAndRecord(s, input.migrationId, runtime);
  const result = await mailOnboarding(s, record, runtime, inWave(reconciliation, waveOf, input.wave), {
    purpose: input.wave === undefined ? "invitation" : `invitation:wave${input.wave}`,
    kind: "invitation",
    label: "invitation",
    deadline: input.deadline,
    ...(input.wave === undefined ? {} : { wave: input.wave }),
  });
  return { recipients: result.recipients, messages: result.messages };
}

/**
 * The invitation (everyone not yet onboarded) or a reminder (everyone not onboarded at all whose deadline it counts
 * down to), to those not mailed it yet, or as much of it as the mailboxes have room for. Only users with a mailbox
 * can be mailed; the others are counted apart, not as recipients.
 */
async function mailOnboarding(
  s: Services,
  record: Pick<MigrationRecord, "id" | "deadline">,
  runtime: MigrationRuntime,
  reconciliation: Reconciliation,
  send: PendingSend,
): Promise<SendOutcome> {
  const migrationId = record.id;
  const invitation = send.kind === "invitation";
  // Exempted people get no more mail (they stay in scope, counted apart); a reminder goes to those whose own
  // deadline it counts down to (the migration's, or a later one an admin gave them).
  const exempt = exemptIds(runtime.exemptions);
  const theirs = remindedFor(send.deadline, waveDeadline(record, runtime, send.wave), runtime.personalDeadlines);
  const people = reconciliation.users.filter(
    (u) =>
      !exempt.has(u.userId) && (invitation ? u.state !== "onboarded" : u.state === "notOnboarded" && theirs(u.userId)),
  );
  const mailed = people.filter(hasMailbox);
  const now = s.clock.now();
  const context = {
    workspace: runtime.request.workspace,
    domain: runtime.request.domain,
    deadline: new Date(send.deadline),
  };
  const mail = (recipientName?: string) =>
    invitation
      ? invitationEmail({ ...context, recipientName, ...mailContext(runtime) })
      : reminderEmail({ ...context, now, recipientName, ...mailContext(runtime) });
  const outcome = await sendToPeople(
    s,
    migrationId,
    send,
    mailed,
    mail,
    runtime.request.personalisedReminders ?? false,
  );
  await s.store.appendAudit({
    migrationId,
    actor: "system",
    action: `mail.${send.kind}.sent`,
    details: {
      ...(send.wave === undefined ? {} : { wave: runtime.request.waves?.[send.wave]?.name }),
      ...(invitation ? {} : { reminder: send.label, deadline: send.deadline }),
      recipients: mailed.length,
      withoutMailbox: people.length - mailed.length,
      ...auditOf(outcome),
    },
  });
  return outcome;
}

/** The reminder's key is reminderKey(label, deadline): a reminder is sent again for an extended deadline. */
export async function sendReminders(
  input: { migrationId: string; label: string; deadline: string; wave?: number },
  s: Services,
): Promise<{ recipients: number; messages: number }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation, waveOf } = await reconcileAndRecord(s, input.migrationId, runtime);
  // A wave's reminder goes to that wave's people; a later deadline of one person's own, to whoever has it.
  const wave = input.deadline === waveDeadline(record, runtime, input.wave) ? input.wave : undefined;
  const result = await mailOnboarding(s, record, runtime, inWave(reconciliation, waveOf, wave), {
    purpose: `reminder:${reminderKey(input.label, input.deadline)}`,
    kind: "reminder",
    label: input.label,
    deadline: input.deadline,
    ...(wave === undefined ? {} : { wave }),
  });
  return { recipients: result.recipients, messages: result.messages };
}

/** The deadline of wave `wave` (the migration's without one). */
function waveDeadline(record: Pick<MigrationRecord, "deadline">, runtime: MigrationRuntime, wave: number | undefined) {
  return wave === undefined
    ? record.deadline
    : (wavesOf(runtime.request, record.deadline)[wave]?.deadline ?? record.deadline);
}

/** The people of one wave (shared/domain/waves.ts), or everyone when the send names no wave. */
function inWave(reconciliation: Reconciliation, waveOf: WaveOf | undefined, wave: number | undefined): Reconciliation {
  if (wave === undefined || !waveOf) return reconciliation;
  return { ...reconciliation, users: reconciliation.users.filter((u) => waveOf(u.userId) === wave) };
}

/** What every onboarding mail takes from the start request: who to ask, the zone for dates, the admins' note. */
const mailContext = (runtime: MigrationRuntime) => ({
  contact: runtime.request.admins[0],
  timeZone: runtime.request.timeZone,
  note: runtime.request.note,
});

/**
 * Reconciles, records per-user state and counts, and mails the admins a digest when the counts differ from the
 * last digest's, at most once per ADMIN_DIGEST_INTERVAL (a 14-day window at hourly monitoring would otherwise
 * send hundreds). The last digest is recorded on the migration row, so the orchestration's actions never depend on it.
 */
export async function monitorOnboarding(input: { migrationId: string }, s: Services): Promise<MigrationCounts> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  const { reconciliation, counts, waveOf } = await reconcileAndRecord(s, input.migrationId, runtime, {
    // Pending requests whose typed e-mail matches nobody in scope, for the admins to Approve or Deny by hand.
    runtime: (rt, { unmatchedRequests, users }) => {
      rt.unmatchedRequests = unmatchedRequests.slice(0, 50).map((u) => ({
        email: u.request.email,
        displayName: u.request.displayName,
        submittedAt: u.request.submittedAt,
        reason: u.reason,
      }));
      // Someone given a later deadline who has onboarded no longer keeps the window open for everyone else.
      const onboarded = new Set(users.filter((u) => u.state === "onboarded").map((u) => u.userId));
      const marked = markOnboarded(rt.personalDeadlines, (id) => onboarded.has(id), s.clock.now().toISOString());
      if (marked) rt.personalDeadlines = marked;
    },
  });
  await recordBounces(s, input.migrationId, reconciliation);
  const pending = runtime.mail?.pending;
  // The rest of an invitation or reminder the mailboxes had no room for when it started.
  if (pending) await mailOnboarding(s, record, runtime, inWave(reconciliation, waveOf, pending.wave), pending);
  // The status page's chart is drawn from these.
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "monitor.progress",
    details: { counts },
  });
  const now = s.clock.now();
  const last = runtime.lastDigest;
  if (digestDue(last, counts, now, parseIsoDuration(s.settings.ADMIN_DIGEST_INTERVAL))) {
    const digest = adminDigestEmail({
      workspace: runtime.request.workspace,
      now,
      deadline: new Date(record.deadline),
      reconciliation,
      figures: recordFigures({ counts, runtime }),
      statusPageUrl: `${s.settings.PUBLIC_BASE_URL.replace(/\/$/, "")}/api/migrations/${input.migrationId}/page`,
      timeZone: runtime.request.timeZone,
    });
    // The key names the previous digest: a retried pass finds this one in Sent Items instead of sending it twice.
    await s.mail.sendBulk({
      subject: digest.subject,
      html: digest.html,
      recipients: runtime.request.admins,
      key: sendKey(input.migrationId, "digest", last?.at ?? null, counts),
    });
    await updateRuntime(s, input.migrationId, (rt) => void (rt.lastDigest = { at: now.toISOString(), counts }));
  }
  return counts;
}

/** A digest goes when the counts moved since the last one and the interval has passed (the first one goes at once). */
export function digestDue(
  last: MigrationRuntime["lastDigest"],
  counts: MigrationCounts,
  now: Date,
  intervalMs: number,
): boolean {
  if (!last) return true;
  return JSON.stringify(counts) !== JSON.stringify(last.counts) && now.getTime() - Date.parse(last.at) >= intervalMs;
}

/** Reads the sender mailboxes' non-delivery reports since the last pass and records them on the users they name. */
async function recordBounces(s: Services, migrationId: string, reconciliation: Reconciliation): Promise<void> {
  const { record, runtime } = await loadMigration(s, migrationId);
  const now = s.clock.now().toISOString();
  const bounces = await s.mail.readBounces(runtime.mail?.bouncesReadUntil ?? record.createdAt);
  // Both look-ups only when there are reports to place: most passes read none, and everyone is 30,000 at scale.
  const byAddress =
    bounces.length > 0
      ? new Map(reconciliation.users.filter(hasMailbox).map((u) => [u.mail.toLowerCase(), u]))
      : new Map<string, Person>();
  const stored =
    bounces.length > 0
      ? new Map((await s.store.getUsers(migrationId)).map((u) => [u.userId, u]))
      : new Map<string, UserRecord>();
  // A report read again (the window starts at the last read) must not undo a later personal mail that cleared it.
  const supersededBy = (userId: string, at: string) => {
    const row = stored.get(userId);
    return row?.bounce === undefined && row?.lastReminderAt !== undefined && row.lastReminderAt > at;
  };
  const rows = bounces.flatMap((b) => {
    const user = byAddress.get(b.address.toLowerCase());
    return user && !supersededBy(user.userId, b.at)
      ? [
          {
            userId: user.userId,
            userPrincipalName: user.userPrincipalName,
            displayName: user.displayName,
            state: storedStateOf(user),
            bounce: { address: b.address, cause: b.cause, reason: b.status, at: b.at },
          },
        ]
      : [];
  });
  await s.store.upsertUsers(migrationId, rows);
  const bounced =
    rows.length > 0
      ? bouncedSummary(
          new Map([...stored, ...rows.map((r) => [r.userId, { ...stored.get(r.userId)!, ...r }] as const)]).values(),
        )
      : undefined;
  await updateRuntime(
    s,
    migrationId,
    (rt) => void (rt.mail = { ...mailRuntime(rt), bouncesReadUntil: now, ...(bounced ? { bounced } : {}) }),
  );
  if (rows.length > 0) {
    await s.store.appendAudit({
      migrationId,
      actor: "system",
      action: "mail.bounced",
      details: { users: rows.length, causes: countBy(rows.map((r) => r.bounce.cause)) },
    });
  }
}

interface PendingSend {
  /** "invitation" or "reminder:<key>": what each user row records as its last mail. */
  purpose: string;
  kind: "invitation" | "reminder";
  label: string;
  deadline: string;
  /** A migration with waves: the wave it goes to. */
  wave?: number;
}

interface SendOutcome {
  recipients: number;
  messages: number;
  /** Users left for a later monitor pass (the mailboxes' 24-hour budgets are used up). */
  deferred: number;
  /** Bounced users whose address still does not exist: not mailed again until it changes. */
  stillBouncing: number;
}

const auditOf = (o: SendOutcome) => ({ messages: o.messages, deferred: o.deferred, stillBouncing: o.stillBouncing });

type Person = UserReconciliation & { mail: string };

/**
 * Mails everyone in `people` whose row does not record this purpose yet. Bulk: BCC batches of ≤ 500;
 * personalised: one message each. A user whose last mail bounced gets this one personally (once the cause can
 * have changed: a missing mailbox only under a new address). Each batch goes from the first sender mailbox with
 * room in its rolling 24 hours (the mail plan's rule); what finds no room waits as `pending` for the next monitor
 * pass. Each batch's users are marked once it is accepted, and its send key is deterministic, so a retried or
 * redelivered activity neither skips nor repeats anyone.
 */
async function sendToPeople(
  s: Services,
  migrationId: string,
  send: PendingSend,
  people: Person[],
  content: (name?: string) => EmailContent,
  personalised: boolean,
): Promise<SendOutcome> {
  const stored = new Map((await s.store.getUsers(migrationId)).map((u) => [u.userId, u]));
  const todo = people
    .filter((u) => stored.get(u.userId)?.lastMail !== send.purpose)
    .sort((a, b) => a.userId.localeCompare(b.userId));
  const bounceOf = (u: Person) => stored.get(u.userId)?.bounce ?? undefined;
  const stillBouncing = todo.filter(
    (u) => bounceOf(u)?.cause === "recipientNotFound" && bounceOf(u)!.address.toLowerCase() === u.mail.toLowerCase(),
  );
  const sendable = todo.filter((u) => !stillBouncing.includes(u));
  const batches: { users: Person[]; personal: boolean }[] = [];
  const personal = sendable.filter((u) => personalised || bounceOf(u));
  const bulk = sendable.filter((u) => !personalised && !bounceOf(u));
  for (let i = 0; i < personal.length; i += PERSONALISED_PER_BATCH)
    batches.push({ users: personal.slice(i, i + PERSONALISED_PER_BATCH), personal: true });
  for (let i = 0; i < bulk.length; i += RECIPIENTS_PER_MESSAGE)
    batches.push({ users: bulk.slice(i, i + RECIPIENTS_PER_MESSAGE), personal: false });

  let messages = 0;
  let deferred = 0;
  let failedBatch: string | undefined;
  const cleared = new Set<string>();
  for (const batch of batches) {
    const { runtime } = await loadMigration(s, migrationId);
    const sender = senderWithRoom(mailRuntime(runtime).ledger, s.mail.senders, batch.users.length, s.clock.now());
    if (!sender) {
      deferred += batch.users.length;
      continue;
    }
    const key = sendKey(
      migrationId,
      send.purpose,
      batch.users.map((u) => u.userId),
    );
    const result = batch.personal
      ? await s.mail.sendPersonalised(
          batch.users.map((u) => ({ to: u.mail, ...pick(content(u.displayName)), key: `${key}/${u.userId}` })),
          { sender },
        )
      : await s.mail.sendBulk({ ...pick(content()), recipients: batch.users.map((u) => u.mail), key, sender });
    const sentTo = new Set(result.recipients.filter((r) => r.status === "sent").map((r) => r.address.toLowerCase()));
    const sent = batch.users.filter((u) => sentTo.has(u.mail.toLowerCase()));
    if (sent.length === 0) {
      failedBatch = result.recipients.find((r) => r.status === "failed")?.error ?? "unknown error";
      continue;
    }
    messages += result.messages;
    const at = s.clock.now().toISOString();
    await updateRuntime(s, migrationId, (rt) => {
      const mail = mailRuntime(rt);
      rt.mail = {
        ...mail,
        ledger: [...liveLedger(mail.ledger, s.clock.now()), { sender, at, recipients: sent.length }],
      };
    });
    if (batch.personal) for (const u of sent) if (bounceOf(u)) cleared.add(u.userId);
    await s.store.upsertUsers(
      migrationId,
      sent.map((u) => ({
        userId: u.userId,
        userPrincipalName: u.userPrincipalName,
        displayName: u.displayName,
        state: storedStateOf(u),
        lastMail: send.purpose,
        ...(batch.personal && bounceOf(u) ? { bounce: null } : {}),
        ...(send.kind === "reminder"
          ? { remindersSent: (stored.get(u.userId)?.remindersSent ?? 0) + 1, lastReminderAt: at }
          : {}),
      })),
    );
  }
  // A personal mail that went out cleared its user's bounce: the migration row's list follows.
  if (cleared.size > 0) {
    const bounced = bouncedSummary(
      [...stored.values()].map((u) => (cleared.has(u.userId) ? { ...u, bounce: null } : u)),
    );
    await updateRuntime(s, migrationId, (rt) => void (rt.mail = { ...mailRuntime(rt), bounced }));
  }
  // Only the newest send waits: a later reminder supersedes what an earlier one had left.
  await updateRuntime(s, migrationId, (rt) => {
    const mail = mailRuntime(rt);
    const next = deferred > 0 ? send : mail.pending?.purpose === send.purpose ? undefined : mail.pending;
    if (JSON.stringify(next) === JSON.stringify(mail.pending) && rt.mail) return false;
    rt.mail = { ...mail, pending: next };
  });
  // A whole batch refused: the activity's retry picks up exactly the users not marked yet.
  if (failedBatch !== undefined) throw new Error(`${send.purpose}: no message of a batch was accepted: ${failedBatch}`);
  return { recipients: people.length, messages, deferred, stillBouncing: stillBouncing.length };
}

/**
 * The invitation once more, to one person, now (an admin's "resend invitation"): one personal message from the
 * first sender mailbox with room, counted in its 24-hour ledger. Not an activity: the admin's request sends it, and
 * the key names the request's time, so a retried request finds the message in Sent Items instead of sending twice.
 * Returns the sender, or why it cannot go now.
 */
export async function resendInvitation(
  s: Services,
  migrationId: string,
  person: { userId: string; displayName: string; mail: string },
  requestedAt: string,
): Promise<{ sent: true; sender: string } | { sent: false; reason: string }> {
  const { record, runtime } = await loadMigration(s, migrationId);
  const sender = senderWithRoom(mailRuntime(runtime).ledger, s.mail.senders, 1, s.clock.now());
  if (!sender)
    return {
      sent: false,
      reason:
        "every sender mailbox has used its 24-hour sending limit: try again later (the status page says when the mail plan has room)",
    };
  // With waves, the person's own wave's deadline.
  const wave = (await waveAssignment(s, runtime.request))?.(person.userId);
  const deadline = waveDeadline(record, runtime, wave);
  const content = invitationEmail({
    workspace: runtime.request.workspace,
    domain: runtime.request.domain,
    deadline: new Date(deadlineOf(person.userId, deadline, runtime.personalDeadlines)),
    recipientName: person.displayName,
    ...mailContext(runtime),
  });
  const key = sendKey(migrationId, "invitation-resent", person.userId, requestedAt);
  const result = await s.mail.sendPersonalised([{ to: person.mail, ...pick(content), key }], { sender });
  const failed = result.recipients.find((r) => r.status !== "sent");
  if (failed) return { sent: false, reason: `the mail was not accepted: ${failed.error ?? "unknown error"}` };
  const at = s.clock.now().toISOString();
  await updateRuntime(s, migrationId, (rt) => {
    const mail = mailRuntime(rt);
    rt.mail = { ...mail, ledger: [...liveLedger(mail.ledger, s.clock.now()), { sender, at, recipients: 1 }] };
  });
  return { sent: true, sender };
}

/** Personalised messages per batch (each batch one send key and one ledger entry). */
const PERSONALISED_PER_BATCH = 100;

const mailRuntime = (rt: MigrationRuntime): MailRuntime => rt.mail ?? { ledger: [] };

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

const pick = (c: EmailContent) => ({ subject: c.subject, html: c.html });

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const onboardingActivities = { sendInvitations, sendReminders, monitorOnboarding };
