/**
 * Runbook "Run the onboarding window": invite everyone in scope, remind those not yet onboarded
 * before the deadline, and monitor Users & Access. One call is one cycle; the orchestration continues
 * as new between cycles so its history stays small however long the window runs.
 */
import type { OrchestrationContext } from "durable-functions";
import { nextMonitorAt, reminderKey, reminderTimes } from "../shared/domain/schedule";
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
  const deadline = new Date(state.deadline);
  const schedule = reminderTimes(deadline, request.reminders, new Date(0));
  // Only the latest reminder that has come due is sent: after a long pause nobody gets three at once.
  const due = schedule.filter(
    (r) => r.at <= now && now < deadline && !window.remindersSent.includes(reminderKey(r.label, state.deadline)),
  );
  if (due.length > 0) {
    const latest = due[due.length - 1];
    yield* call(context, "sendReminders", { migrationId, label: latest.label, deadline: state.deadline });
    window.remindersSent.push(...due.map((r) => reminderKey(r.label, state.deadline)));
  }

  // The monitor's times are the schedule's: every `monitorEvery`, and once more at the deadline.
  const monitorAfter = (last: string) => nextMonitorAt(new Date(last), request.monitorEvery, deadline);
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
  if (now >= deadline || (request.endEarly && everyoneIn)) {
    return yield* enterPhase(
      context,
      state,
      "phase2",
      now >= deadline ? "deadline reached" : "everyone onboarded before the deadline",
    );
  }

  const nextReminder = schedule.find(
    (r) => r.at > now && !window.remindersSent.includes(reminderKey(r.label, state.deadline)),
  );
  // The monitor ran before the deadline (else the window ended above), so its next time is never past the deadline.
  const nextMonitor = monitorAfter(window.lastMonitorAt!)!;
  const wakeAt = new Date(Math.min(nextReminder?.at.getTime() ?? Infinity, nextMonitor.getTime()));
  publishProgress(context, state, { nextReminder: nextReminder?.at.toISOString(), waitingFor: "users to onboard" });
  window.cycles++;
  return earlier(merges, { until: wakeAt });
}
