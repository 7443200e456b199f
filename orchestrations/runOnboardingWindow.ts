/**
 * Runbook "Run the onboarding window": invite everyone in scope, remind those not yet onboarded
 * before the deadline, and monitor Users & Access. One call is one cycle; the orchestration continues
 * as new between cycles so its history stays small however long the window runs.
 */
import type { OrchestrationContext } from "durable-functions";
import { windowDeadlines } from "../shared/domain/personalDeadlines";
import { dueReminders, nextMonitorAt, nextReminderOf } from "../shared/domain/schedule";
import type { MigrationState } from "../shared/workflow";
import { call, enterPhase, decisionTime, publishProgress, type PhaseResult } from "./common";
import { earlier, mergeMistypedRequests, mergesAsked } from "./mergeRequests";

export function* runOnboardingWindow(context: OrchestrationContext, state: MigrationState): PhaseResult {
  const { migrationId, request } = state;
  const window = state.window;
  if (!window.invited) {
    yield* call(context, "sendInvitations", { migrationId, deadline: state.deadline });
    window.invited = true;
  }

  const now = decisionTime(context);
  // The migration's deadline and each later one an admin gave a single person: each has its own reminders, and
  // the window stays open until the latest.
  const deadlines = windowDeadlines(state.deadline, state.personalDeadlines);
  const closesAt = new Date(deadlines[deadlines.length - 1]);
  for (const due of dueReminders(deadlines, request.reminders, now, window.remindersSent)) {
    yield* call(context, "sendReminders", { migrationId, label: due.label, deadline: due.deadline });
    window.remindersSent.push(...due.keys);
  }

  // The monitor's times are the schedule's: every `monitorEvery`, and once more when the window closes.
  const monitorAfter = (last: string) => nextMonitorAt(new Date(last), request.monitorEvery, closesAt);
  const monitorDueAt = window.lastMonitorAt ? monitorAfter(window.lastMonitorAt) : null;
  const monitorDue = !monitorDueAt || now >= monitorDueAt;
  if (monitorDue) {
    window.counts = yield* call(context, "monitorOnboarding", { migrationId });
    window.lastMonitorAt = now.toISOString();
  }
  // A monitor pass that finds new requests typed with another e-mail asks the Peig admin to merge them;
  // an open merge task is looked at on every wake-up (a decision wakes the orchestration).
  const merges =
    mergesAsked(state) && (monitorDue || state.merges?.gate)
      ? yield* mergeMistypedRequests(context, state, window.counts?.mismatched)
      : undefined;
  if (merges === "merged") {
    window.lastMonitorAt = undefined; // monitored again at once: the merged users now count as onboarded
    return;
  }

  const everyoneIn = !!window.counts && window.counts.inScope > 0 && window.counts.onboarded === window.counts.inScope;
  if (now >= closesAt || (request.endEarly && everyoneIn)) {
    return yield* enterPhase(
      context,
      state,
      "phase2",
      now < closesAt
        ? "everyone onboarded before the deadline"
        : deadlines.length > 1
          ? "the last personal deadline reached"
          : "deadline reached",
    );
  }

  const nextReminder = nextReminderOf(deadlines, request.reminders, now, window.remindersSent);
  // The monitor ran before the window closes (else it ended above), so its next time is never past the closing.
  const nextMonitor = monitorAfter(window.lastMonitorAt!)!;
  const wakeAt = new Date(Math.min(nextReminder?.at.getTime() ?? Infinity, nextMonitor.getTime()));
  publishProgress(context, state, { nextReminder: nextReminder?.at.toISOString(), waitingFor: "users to onboard" });
  window.cycles++;
  return earlier(merges, { until: wakeAt });
}
