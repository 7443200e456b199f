/**
 * The rules of the orchestration's waits, as pure functions (docs/architecture.md): how long one wait may
 * last, what a human gate's tally decides, when a failed step is tried again and when it needs attention.
 */
import { DAY, HOUR, MINUTE, parseIsoDuration } from "./duration";
import type { Attention, HumanTaskTally, OpenGate, StepFailure, WorkflowTimings } from "../workflow";

/**
 * No single durable timer lasts longer than this. Azure Storage's maximum timer interval is 6 days; the
 * SDK splits longer timers into segments that keep firing after a cancel and then disagree with the
 * extension on task ids (durable-js LongTimerTask.js). A daily wake-up that re-arms avoids all of it.
 */
export const MAX_SLEEP_MS = DAY;
/** The longest timer the backend takes without splitting it (Azure Storage's maxTimerInterval). */
export const LONGEST_TIMER_MS = 6 * DAY;

export const defaultTimings: WorkflowTimings = {
  gateReminderMs: DAY,
  stepRetryMs: [MINUTE, 5 * MINUTE],
  attentionRetryMs: [15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR],
  attentionRetryForMs: 3 * DAY,
};

/** When one wait ends at the latest: `until`, capped at MAX_SLEEP_MS from now. */
export function sleepEnd(now: Date, until: Date | undefined): Date {
  const cap = now.getTime() + MAX_SLEEP_MS;
  return new Date(until ? Math.min(until.getTime(), cap) : cap);
}

export type GateDecision = "approved" | "rejected" | "done";
export type GateOutcome = GateDecision | "expired";

/** What the recorded decisions say: one rejection stops the gate; k approvals pass it; one "done" completes an operator task. */
export function gateDecision(tally: HumanTaskTally, required: number): GateDecision | undefined {
  if (tally.rejections.length > 0) return "rejected";
  if (tally.approvals.length >= required) return "approved";
  if (tally.done.length > 0) return "done";
  return undefined;
}

/** The gate's next wake-up: the next reminder if it comes before the expiry, else the expiry. */
export function gateWakeAt(gate: OpenGate): Date {
  const reminder = Date.parse(gate.nextReminderAt);
  const expiry = Date.parse(gate.expiresAt);
  const escalation = gate.escalateAt && !gate.escalated ? Date.parse(gate.escalateAt) : Infinity;
  return new Date(Math.min(reminder, expiry, escalation));
}

/** Whether the undecided are due a fresh link: a reminder at or after the expiry would expire at once. */
export function reminderDue(gate: OpenGate, now: Date): boolean {
  return (
    now.getTime() >= Date.parse(gate.nextReminderAt) && Date.parse(gate.nextReminderAt) < Date.parse(gate.expiresAt)
  );
}

/**
 * The state after a step failed again: the quick re-tries first, then "needs attention" with a longer
 * schedule (its last delay repeating), and after `attentionRetryForMs` since the first failure no more
 * tries of its own: only an admin's resume or cancel go on. A step that waits on people ("people") needs attention
 * at once and makes no try of its own.
 */
export function afterFailure(
  previous: Attention | undefined,
  failure: StepFailure,
  now: Date,
  timings: WorkflowTimings,
  incident: number,
): Attention {
  const failures = (previous?.failures ?? 0) + 1;
  const since = previous?.since ?? now.toISOString();
  const quick = timings.stepRetryMs;
  const patienceLeft = Date.parse(since) + (failure.patienceMs ?? 0) - now.getTime();
  // A failure expected to clear up by itself is retried at the longest quick delay, not shown, until its patience
  // ends; then the usual schedule starts, counting only the failures after it.
  const patientFailures = patienceLeft > 0 ? failures : (previous?.patientFailures ?? 0);
  const counted = failures - patientFailures;
  const needed = failure.service === "people" || (patienceLeft <= 0 && counted > quick.length);
  const slow = timings.attentionRetryMs;
  const delay =
    patienceLeft > 0
      ? Math.min(quick[Math.min(failures, quick.length) - 1], patienceLeft)
      : needed
        ? slow[Math.min(counted - quick.length - 1, slow.length - 1)]
        : quick[counted - 1];
  // Waiting on a person: trying again by itself would only ask again what went unanswered; an admin resumes it.
  const givingUp = failure.service === "people" || now.getTime() - Date.parse(since) >= timings.attentionRetryForMs;
  return {
    ...failure,
    incident: previous?.incident ?? incident,
    since,
    failures,
    lastAttemptAt: now.toISOString(),
    nextAttemptAt: givingUp ? undefined : new Date(now.getTime() + delay).toISOString(),
    needed,
    ...(patientFailures > 0 ? { patientFailures } : {}),
  };
}

/** Whether a failed step is tried again now: its time has come, or an admin asked (a resume not acted on yet). */
export function retryDue(attention: Attention, now: Date, newResume: boolean): boolean {
  return newResume || (attention.nextAttemptAt !== undefined && now.getTime() >= Date.parse(attention.nextAttemptAt));
}

/** The timings from the app settings (shared/config.ts has validated their form). */
export function timingsFromSettings(settings: {
  GATE_REMINDER_INTERVAL: string;
  STEP_RETRY_DELAYS: string;
  ATTENTION_RETRY_DELAYS: string;
  ATTENTION_RETRY_FOR: string;
}): WorkflowTimings {
  const list = (text: string) => text.split(",").map((d) => parseIsoDuration(d));
  return {
    gateReminderMs: parseIsoDuration(settings.GATE_REMINDER_INTERVAL),
    stepRetryMs: list(settings.STEP_RETRY_DELAYS),
    attentionRetryMs: list(settings.ATTENTION_RETRY_DELAYS),
    attentionRetryForMs: parseIsoDuration(settings.ATTENTION_RETRY_FOR),
  };
}
