/**
 * Plans the invitation and reminders within Exchange Online's sending limits per sender mailbox
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1):
 * 30 messages per minute, 500 recipients per message, 10,000 recipients per rolling 24 hours. Beyond the daily
 * limit Exchange accepts the request and then bounces the message (NDR 5.1.90), so the plan never books more
 * than a mailbox's 24-hour budget: what does not fit now goes from the next mailbox with room, or waits for the
 * first monitor pass after room frees up. Bulk mail goes as BCC batches of up to 500; personalised mail is one
 * message per recipient. Pure: the caller gives the time and the sender mailboxes; the activities follow the
 * same rule with the real ledger of what each mailbox sent.
 */
import { describeDuration, describeIsoDuration } from "./duration";
import { formatHuman } from "./humanTime";
import { monitorTimes, reminderTimes } from "./schedule";
import type { M365User } from "./types";
import { waveStartsAt, type Wave } from "./waves";

export const exchangeLimits = {
  messagesPerMinute: 30,
  recipientsPerMessage: 500,
  recipientsPerDay: 10_000,
} as const;

const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

export interface SendPlan {
  recipients: number;
  messages: number;
  /** Minutes the sends take at 30 messages per minute (per mailbox, mailboxes in parallel). */
  minutes: number;
}

export function planSend(recipients: number, personalised: boolean): SendPlan {
  const messages = personalised ? recipients : Math.ceil(recipients / exchangeLimits.recipientsPerMessage);
  return { recipients, messages, minutes: Math.ceil(messages / exchangeLimits.messagesPerMinute) };
}

/** Recipients a mailbox sent at one time: the ledger the 24-hour budget is counted over. */
export interface LedgerEntry {
  sender: string;
  /** ISO 8601. */
  at: string;
  recipients: number;
}

/**
 * Recipients per 24 hours the first sender mailbox keeps for the admins' digests and notices and the approvers' task
 * mails, which it sends outside the plan: 96 monitor passes a day (PT15M) to 10 admins stay below it.
 */
export const ADMIN_MAIL_RESERVE = 1_000;

/** Recipients `sender` may still send at `now` without passing 10,000 (less `reserve`) in the rolling 24 hours. */
export function dailyBudget(ledger: readonly LedgerEntry[], sender: string, now: Date, reserve = 0): number {
  const since = now.getTime() - DAY_MS;
  const used = ledger
    .filter((e) => e.sender === sender && Date.parse(e.at) > since)
    .reduce((sum, e) => sum + e.recipients, 0);
  return Math.max(0, exchangeLimits.recipientsPerDay - reserve - used);
}

/** The plan's budget for `sender`: the first mailbox keeps ADMIN_MAIL_RESERVE for the admins' and approvers' mail. */
const budgetOf = (ledger: readonly LedgerEntry[], senders: readonly string[], sender: string, now: Date) =>
  dailyBudget(ledger, sender, now, sender === senders[0] ? ADMIN_MAIL_RESERVE : 0);

/** Entries still inside some mailbox's rolling 24 hours at `now` (older ones no longer count). */
export function liveLedger(ledger: readonly LedgerEntry[], now: Date): LedgerEntry[] {
  return ledger.filter((e) => Date.parse(e.at) > now.getTime() - DAY_MS);
}

/** The running migration's mail bookkeeping (kept with the migration row). */
export interface MailRuntime {
  ledger: LedgerEntry[];
  /** The invitation or reminder whose recipients did not all fit in the mailboxes' budgets yet: the monitor sends the rest. */
  pending?: { purpose: string; kind: "invitation" | "reminder"; label: string; deadline: string; wave?: number };
  /** ISO 8601: non-delivery reports up to here are recorded. */
  bouncesReadUntil?: string;
  /**
   * Users whose last mail bounced: how many, and the first of them (by user id), kept here so that the status
   * JSON and page show them without reading the user rows. Recomputed from the rows wherever a bounce changes.
   */
  bounced?: { total: number; first: BouncedUserSummary[] };
}

export interface BouncedUserSummary {
  userPrincipalName: string;
  displayName: string;
  address: string;
  cause: string;
  reason: string;
  at: string;
}

/** How many bounced users the migration row lists (the rest are counted). */
export const BOUNCED_LISTED = 100;

/** The bounced users among `rows` (every user row of a migration), as the migration row keeps them. */
export function bouncedSummary(
  rows: Iterable<{
    userId: string;
    userPrincipalName: string;
    displayName: string;
    bounce?: { address: string; cause: string; reason: string; at: string } | null;
  }>,
): { total: number; first: BouncedUserSummary[] } {
  const bounced = [...rows].filter((u) => u.bounce).sort((a, b) => a.userId.localeCompare(b.userId));
  return {
    total: bounced.length,
    first: bounced
      .slice(0, BOUNCED_LISTED)
      .map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName, ...u.bounce! })),
  };
}

/** The first sender (in order) whose 24-hour budget (less the first one's reserve) holds `recipients` more at `now`. */
export function senderWithRoom(
  ledger: readonly LedgerEntry[],
  senders: readonly string[],
  recipients: number,
  now: Date,
): string | undefined {
  return senders.find((sender) => budgetOf(ledger, senders, sender, now) >= recipients);
}

/** One mailbox's part of a send at one time. */
export interface MailSlot {
  sender: string;
  /** ISO 8601: when this part goes (the send's time, or the first monitor pass after the mailbox has room). */
  at: string;
  recipients: number;
  messages: number;
}

export interface PlannedSend extends SendPlan {
  /** "invitation" or the reminder's duration ("P7D"). */
  label: string;
  /** ISO 8601: when the send starts. */
  at: string;
  /** Who sends how many when. */
  slots: MailSlot[];
  /** ISO 8601: when the last recipient is mailed (null if the plan never gets there). */
  finishesAt: string | null;
}

interface TimedSend extends SendPlan {
  label: string;
  at: Date;
}

const describeSend = (send: { label: string }) =>
  send.label === "invitation"
    ? "the invitation"
    : `the reminder ${describeIsoDuration(send.label)} before the deadline`;

/**
 * Books `send` onto the mailboxes, earliest first: every mailbox's remaining 24-hour budget now, then (when
 * that is not enough) again at the first pass time after a booking falls out of the window. Mutates `ledger`.
 */
function book(
  send: TimedSend,
  senders: readonly string[],
  ledger: LedgerEntry[],
  passTimes: readonly number[],
  personalised: boolean,
  horizon: number,
): { slots: MailSlot[]; finishesAt: number | null } {
  const slots: MailSlot[] = [];
  let remaining = send.recipients;
  let t = send.at.getTime();
  let finishesAt = t;
  while (remaining > 0) {
    for (const sender of senders) {
      if (remaining === 0) break;
      const take = Math.min(remaining, budgetOf(ledger, senders, sender, new Date(t)));
      if (take === 0) continue;
      const { messages, minutes } = planSend(take, personalised);
      ledger.push({ sender, at: new Date(t).toISOString(), recipients: take });
      slots.push({ sender, at: new Date(t).toISOString(), recipients: take, messages });
      finishesAt = Math.max(finishesAt, t + minutes * MINUTE_MS);
      remaining -= take;
    }
    if (remaining === 0) break;
    // The next moment any mailbox gets room back, then the first pass (the activity's next chance) after it.
    const freed = Math.min(
      ...ledger.filter((e) => Date.parse(e.at) > t - DAY_MS).map((e) => Date.parse(e.at) + DAY_MS),
    );
    const pass = passTimes.find((p) => p >= freed);
    if (!Number.isFinite(freed) || pass === undefined || pass > horizon) return { slots, finishesAt: null };
    t = pass;
  }
  return { slots, finishesAt };
}

/** Sends that would not finish before the next send (or the deadline) starts: a warning, not a refusal. */
function overrunWarnings(sends: readonly (TimedSend & { finishesAt: number | null })[], deadline: Date): string[] {
  return sends.flatMap((send, i) => {
    const next = sends[i + 1]?.at ?? deadline;
    const available = next.getTime() - send.at.getTime();
    if (send.minutes * MINUTE_MS <= available) return [];
    return [
      `${describeSend(send)} needs ${send.minutes} minutes (${send.messages} messages at ${exchangeLimits.messagesPerMinute}/min) but ${sends[i + 1] ? describeSend(sends[i + 1]) : "the deadline"} follows after only ${describeDuration(available)}`,
    ];
  });
}

export interface MailPlanRequest {
  deadline: string;
  reminders: readonly string[];
  monitorEvery: string;
  personalisedReminders?: boolean;
  /** IANA zone the plan's messages give times in (default UTC). */
  timeZone?: string;
}

export interface MailPlan {
  senders: string[];
  personalised: boolean;
  invitation: PlannedSend;
  /** Recipient estimates assume nobody has onboarded yet: an upper bound. */
  reminders: PlannedSend[];
  /**
   * What the plan cannot do in time (the invitation before the first reminder, each reminder before the
   * deadline), each with its fix. A start with any is refused unless it accepts the plan's warnings.
   */
  shortfalls: string[];
  /** Sends that overrun the next one at 30 messages per minute. */
  warnings: string[];
}

interface Schedule {
  booked: (TimedSend & { slots: MailSlot[]; finishesAt: number | null })[];
  /** Indexes of sends that do not reach everyone in time. */
  late: number[];
}

function schedule(
  request: MailPlanRequest,
  recipients: number,
  senders: readonly string[],
  now: Date,
  ledger: LedgerEntry[] = [],
): Schedule {
  const deadline = new Date(request.deadline);
  const personalised = request.personalisedReminders === true;
  const passTimes = monitorTimes(now, request.monitorEvery, deadline).map((d) => d.getTime());
  const timed: TimedSend[] = [
    { label: "invitation", at: now, ...planSend(recipients, personalised) },
    ...reminderTimes(deadline, request.reminders, now).map((r) => ({
      label: r.label,
      at: r.at,
      ...planSend(recipients, personalised),
    })),
  ];
  const booked = timed.map((send) => ({
    ...send,
    ...book(send, senders, ledger, passTimes, personalised, deadline.getTime()),
  }));
  // The invitation must reach everyone before the first reminder; each reminder before the deadline.
  const late = booked.flatMap((send, i) => {
    const limit = i === 0 ? (booked[1]?.at ?? deadline) : deadline;
    return send.recipients > 0 && (send.finishesAt === null || send.finishesAt > limit.getTime()) ? [i] : [];
  });
  return { booked, late };
}

/**
 * The whole window's mail from `senders`, starting with the invitation at `now`. `ledger`: what the mailboxes are
 * booked with already (an earlier wave's sends); the plan adds its own bookings to it.
 */
export function planMail(
  request: MailPlanRequest,
  recipients: number,
  senders: readonly string[],
  now: Date,
  ledger: LedgerEntry[] = [],
): MailPlan {
  if (senders.length === 0) throw new RangeError("at least one sender mailbox is needed");
  const deadline = new Date(request.deadline);
  const { booked, late } = schedule(request, recipients, senders, now, ledger);
  const fix = late.length > 0 ? fixFor(request, recipients, senders.length, now) : "";
  const shortfalls = late.map((i) => {
    const send = booked[i];
    const before =
      i === 0 && booked[1]
        ? `the first reminder (${describeIsoDuration(booked[1].label)} before the deadline, ${formatHuman(booked[1].at, request.timeZone)})`
        : `the deadline (${formatHuman(deadline, request.timeZone)})`;
    const reach =
      send.finishesAt === null
        ? `does not reach everyone before ${before}`
        : `reaches everyone only on ${formatHuman(new Date(send.finishesAt), request.timeZone)}, after ${before}`;
    return `${describeSend(send)} to ${send.recipients} recipients from ${senders.length} sender mailbox${senders.length === 1 ? "" : "es"} ${reach}: ${fix}`;
  });
  const planned = booked.map(({ at, finishesAt, ...rest }) => ({
    ...rest,
    at: at.toISOString(),
    finishesAt: finishesAt === null ? null : new Date(finishesAt).toISOString(),
  }));
  return {
    senders: [...senders],
    personalised: request.personalisedReminders === true,
    invitation: planned[0],
    reminders: planned.slice(1),
    shortfalls,
    warnings: overrunWarnings(booked, deadline),
  };
}

/** The smallest number of sender mailboxes (from `atLeast`, up to 100) whose plan invites and reminds everyone in time. */
export function sendersNeeded(
  request: MailPlanRequest,
  recipients: number,
  now: Date,
  atLeast = 1,
): number | undefined {
  for (let n = Math.max(1, atLeast); n <= 100; n++) {
    const names = Array.from({ length: n }, (_, i) => `sender${i}`);
    if (schedule(request, recipients, names, now).late.length === 0) return n;
  }
  return undefined;
}

/** What would make the plan fit, as advice. */
function fixFor(request: MailPlanRequest, recipients: number, senders: number, now: Date): string {
  const limits = `Exchange Online allows each sender mailbox ${exchangeLimits.recipientsPerDay} recipients per rolling 24 hours (the first keeps ${ADMIN_MAIL_RESERVE} of them for the admins' and approvers' mail)`;
  const moreTime = "give the window more time (a later deadline, reminders further apart)";
  const n = sendersNeeded(request, recipients, now, senders + 1);
  return n !== undefined
    ? `${limits}; list ${n} sender mailboxes in MAIL_SENDERS (now ${senders}), or ${moreTime}`
    : `${limits}; ${moreTime}, or list more sender mailboxes in MAIL_SENDERS`;
}

export type DryRunRequest = MailPlanRequest & { waves?: Wave[] };

/** One wave's part of the dry-run plan: how many it takes, when it runs, and its own mail on the shared mailboxes. */
export interface WavePlan {
  name: string;
  usersInScope: number;
  recipients: number;
  /** ISO 8601: when its invitation would go at the earliest (a pilot review may make it later). */
  startsAt: string;
  deadline: string;
  reviewFirst: boolean;
  mail: MailPlan;
}

/**
 * Each wave's mail, one after another on the same sender mailboxes (one ledger, so a wave that starts while an
 * earlier one's sends still count in a mailbox's 24 hours gets only the room left). `people[i]`: wave i's users.
 */
export function planWaves(
  request: DryRunRequest & { waves: Wave[] },
  people: readonly (readonly M365User[])[],
  now: Date,
  senders: readonly string[],
): WavePlan[] {
  const ledger: LedgerEntry[] = [];
  return request.waves.map((wave, i) => {
    const startsAt = new Date(Math.max(now.getTime(), waveStartsAt(request.waves, i)?.getTime() ?? 0));
    const recipients = (people[i] ?? []).filter((u) => u.mail !== null && u.mail !== "").length;
    const mail = planMail(
      { ...request, deadline: wave.deadline, reminders: wave.reminders },
      recipients,
      senders,
      startsAt,
      ledger,
    );
    const named = (text: string) => `Wave "${wave.name}": ${text}`;
    return {
      name: wave.name,
      usersInScope: people[i]?.length ?? 0,
      recipients,
      startsAt: startsAt.toISOString(),
      deadline: wave.deadline,
      reviewFirst: !!wave.review,
      mail: { ...mail, shortfalls: mail.shortfalls.map(named), warnings: mail.warnings.map(named) },
    };
  });
}

export interface DryRunPlan extends MailPlan {
  /** A migration with waves: each wave's part (the plan's own sends are then the first wave's). */
  waves?: WavePlan[];
  usersInScope: number;
  /** In-scope users with a mailbox (mail set): the only ones mail can reach. */
  recipients: number;
  deadline: string;
  monitor: { every: string; checks: number; first: string | null };
}

/** What a start with `dryRun: true` would do, without doing it. Pure: `now` is when the invitation would go. */
export function dryRunPlan(
  request: DryRunRequest,
  users: readonly M365User[],
  now: Date,
  senders: readonly string[],
  /** With waves: each wave's users, in wave order. */
  wavePeople?: readonly (readonly M365User[])[],
): DryRunPlan {
  const deadline = new Date(request.deadline);
  const recipients = users.filter((u) => u.mail !== null && u.mail !== "").length;
  const waves = request.waves?.length
    ? planWaves({ ...request, waves: request.waves }, wavePeople ?? [], now, senders)
    : undefined;
  const mail = waves
    ? {
        ...waves[0].mail,
        shortfalls: waves.flatMap((w) => w.mail.shortfalls),
        warnings: waves.flatMap((w) => w.mail.warnings),
      }
    : planMail(request, recipients, senders, now);
  const monitorChecks = monitorTimes(now, request.monitorEvery, deadline);
  const withoutMailbox = users.length - recipients;
  const warnings = [
    ...(users.length === 0 ? ["no users are in scope: check the domain and the scope group"] : []),
    ...(withoutMailbox > 0
      ? [
          `${withoutMailbox} in-scope users have no mailbox (mail is empty) and cannot receive the invitation or reminders`,
        ]
      : []),
    ...mail.warnings,
    ...mail.shortfalls,
  ];
  return {
    ...mail,
    ...(waves ? { waves } : {}),
    usersInScope: users.length,
    recipients,
    deadline: deadline.toISOString(),
    monitor: {
      every: request.monitorEvery,
      checks: monitorChecks.length,
      first: monitorChecks[0]?.toISOString() ?? null,
    },
    warnings,
  };
}
