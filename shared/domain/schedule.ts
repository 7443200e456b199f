/**
 * When reminders go out and when the monitor looks at Users & Access. Reminders are stored as durations before
 * the deadline, not as instants, so extending the deadline moves every reminder still to come. Pure: the caller
 * passes "from" (in an orchestration, context.df.currentUtcDateTime).
 */
import { parseIsoDuration } from "./duration";

export interface ScheduledReminder {
  at: Date;
  /** The reminder's duration as configured ("P7D"): stable across deadline changes, so usable as a key. */
  label: string;
}

/** A reminder is identified by its label and the deadline it counts down to: an extension re-arms it. */
export const reminderKey = (label: string, deadline: string) => `${label}@${deadline}`;

/**
 * Reminders still to come after `from` (strictly), earliest first. Two durations that land on the same instant
 * (P1D and PT24H) produce one reminder, labelled by the first one listed.
 */
export function reminderTimes(deadline: Date, reminders: readonly string[], from: Date): ScheduledReminder[] {
  const byInstant = new Map<number, string>();
  for (const label of reminders) {
    const at = deadline.getTime() - parseIsoDuration(label);
    if (at > from.getTime() && !byInstant.has(at)) byInstant.set(at, label);
  }
  return [...byInstant.entries()].sort(([a], [b]) => a - b).map(([at, label]) => ({ at: new Date(at), label }));
}

/** The first reminder after `from`, or null when none is left. */
export function nextReminder(deadline: Date, reminders: readonly string[], from: Date): ScheduledReminder | null {
  return reminderTimes(deadline, reminders, from)[0] ?? null;
}

/**
 * The next monitor check after `from`: one `every` later, but never past the deadline, because the deadline itself
 * gets a final check. Null once `from` has reached the deadline.
 */
export function nextMonitorAt(from: Date, every: string, deadline: Date): Date | null {
  const everyMs = parseIsoDuration(every);
  if (everyMs <= 0) throw new RangeError(`monitor interval ${every} must be longer than zero`);
  if (from.getTime() >= deadline.getTime()) return null;
  return new Date(Math.min(from.getTime() + everyMs, deadline.getTime()));
}

/** Every monitor check after `from` up to and including the deadline. */
export function monitorTimes(from: Date, every: string, deadline: Date): Date[] {
  const times: Date[] = [];
  for (let at = nextMonitorAt(from, every, deadline); at !== null; at = nextMonitorAt(at, every, deadline))
    times.push(at);
  return times;
}

/** A reminder that has come due: the one to send (the latest due), and the keys of every due one it stands for. */
export interface DueReminder {
  label: string;
  /** The deadline it counts down to (one of the window's deadlines). */
  deadline: string;
  keys: string[];
}

/**
 * For each deadline the window counts down to (the migration's and each later personal one), the latest reminder
 * that has come due and was not sent yet: after a long pause nobody gets three at once. A deadline that has passed
 * is reminded of no more.
 */
export function dueReminders(
  deadlines: readonly string[],
  reminders: readonly string[],
  now: Date,
  sent: readonly string[],
): DueReminder[] {
  return deadlines.flatMap((deadline) => {
    const end = new Date(deadline);
    if (now >= end) return [];
    const due = reminderTimes(end, reminders, new Date(0)).filter(
      (r) => r.at <= now && !sent.includes(reminderKey(r.label, deadline)),
    );
    return due.length === 0
      ? []
      : [{ label: due[due.length - 1].label, deadline, keys: due.map((r) => reminderKey(r.label, deadline)) }];
  });
}

/** The next reminder still to send after `now`, counting down to any of the window's deadlines, or null. */
export function nextReminderOf(
  deadlines: readonly string[],
  reminders: readonly string[],
  now: Date,
  sent: readonly string[],
): ScheduledReminder | null {
  const next = deadlines
    .map((deadline) =>
      reminderTimes(new Date(deadline), reminders, now).find((r) => !sent.includes(reminderKey(r.label, deadline))),
    )
    .filter((r) => r !== undefined)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return next[0] ?? null;
}
