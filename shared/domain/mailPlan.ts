/**
 * Plans the invitation and reminders within Exchange Online's sending limits for one sender mailbox
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1):
 * 30 messages per minute, 500 recipients per message, 10,000 recipients per rolling 24 hours. Bulk mail goes as
 * BCC batches of up to 500; personalised mail is one message per recipient. The same choice applies to the
 * invitation and the reminders.
 */
import { describeDuration } from "./duration";
import { monitorTimes, reminderTimes } from "./schedule";
import type { M365User } from "./types";

export const exchangeLimits = {
  messagesPerMinute: 30,
  recipientsPerMessage: 500,
  recipientsPerDay: 10_000,
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface SendPlan {
  recipients: number;
  messages: number;
  /** Minutes the sends take at 30 messages per minute. */
  minutes: number;
}

export function planSend(recipients: number, personalised: boolean): SendPlan {
  const messages = personalised ? recipients : Math.ceil(recipients / exchangeLimits.recipientsPerMessage);
  return { recipients, messages, minutes: Math.ceil(messages / exchangeLimits.messagesPerMinute) };
}

export interface PlannedSend extends SendPlan {
  /** "invitation" or the reminder's duration ("P7D"). */
  label: string;
  /** ISO 8601. */
  at: string;
}

interface TimedSend extends SendPlan {
  label: string;
  at: Date;
}

const describeSend = (send: TimedSend) => (send.label === "invitation" ? "the invitation" : `the ${send.label} reminder`);

/** Sends that would not finish before the next send (or the deadline) starts. */
function overrunWarnings(sends: readonly TimedSend[], deadline: Date): string[] {
  return sends.flatMap((send, i) => {
    const next = sends[i + 1]?.at ?? deadline;
    const available = next.getTime() - send.at.getTime();
    if (send.minutes * MINUTE_MS <= available) return [];
    return [
      `${describeSend(send)} needs ${send.minutes} minutes (${send.messages} messages at ${exchangeLimits.messagesPerMinute}/min) but ${sends[i + 1] ? describeSend(sends[i + 1]) : "the deadline"} follows after only ${describeDuration(available)}`,
    ];
  });
}

/** Any rolling 24 hours whose sends exceed 10,000 recipients: Exchange refuses the rest. */
function dailyLimitWarnings(sends: readonly TimedSend[]): string[] {
  return sends.flatMap((send, i) => {
    const window = sends.slice(0, i + 1).filter((earlier) => send.at.getTime() - earlier.at.getTime() < DAY_MS);
    const recipients = window.reduce((sum, s) => sum + s.recipients, 0);
    if (recipients <= exchangeLimits.recipientsPerDay) return [];
    return [
      `${recipients} recipients in the 24 hours up to ${describeSend(send)} (${window.map((s) => s.label).join(", ")}) exceed Exchange Online's ${exchangeLimits.recipientsPerDay} recipients per day for one mailbox: use several sender mailboxes or spread the reminders`,
    ];
  });
}

export interface DryRunRequest {
  deadline: string;
  reminders: readonly string[];
  monitorEvery: string;
  personalisedReminders?: boolean;
}

export interface DryRunPlan {
  usersInScope: number;
  /** In-scope users with a mailbox (mail set): the only ones mail can reach. */
  recipients: number;
  personalised: boolean;
  deadline: string;
  invitation: PlannedSend;
  /** Recipient estimates assume nobody has onboarded yet: an upper bound. */
  reminders: PlannedSend[];
  monitor: { every: string; checks: number; first: string | null };
  warnings: string[];
}

/** What a start with `dryRun: true` would do, without doing it. Pure: `now` is when the invitation would go. */
export function dryRunPlan(request: DryRunRequest, users: readonly M365User[], now: Date): DryRunPlan {
  const deadline = new Date(request.deadline);
  const personalised = request.personalisedReminders === true;
  const recipients = users.filter((u) => u.mail !== null && u.mail !== "").length;
  const sends: TimedSend[] = [
    { label: "invitation", at: now, ...planSend(recipients, personalised) },
    ...reminderTimes(deadline, request.reminders, now).map((r) => ({ label: r.label, at: r.at, ...planSend(recipients, personalised) })),
  ];
  const monitorChecks = monitorTimes(now, request.monitorEvery, deadline);
  const withoutMailbox = users.length - recipients;
  const warnings = [
    ...(users.length === 0 ? ["no users are in scope: check the domain and the scope group"] : []),
    ...(withoutMailbox > 0 ? [`${withoutMailbox} in-scope users have no mailbox (mail is empty) and cannot receive the invitation or reminders`] : []),
    ...overrunWarnings(sends, deadline),
    ...dailyLimitWarnings(sends),
  ];
  const planned = sends.map(({ at, ...rest }) => ({ ...rest, at: at.toISOString() }));
  return {
    usersInScope: users.length,
    recipients,
    personalised,
    deadline: deadline.toISOString(),
    invitation: planned[0],
    reminders: planned.slice(1),
    monitor: { every: request.monitorEvery, checks: monitorChecks.length, first: monitorChecks[0]?.toISOString() ?? null },
    warnings,
  };
}
