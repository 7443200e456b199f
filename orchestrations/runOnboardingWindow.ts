/**
 * Runbook "Run the onboarding window": invite everyone in scope, remind those not yet onboarded
 * before the deadline, and monitor Users & Access. One call is one cycle; the orchestration continues
 * as new between cycles so its history stays small however long the window runs.
 *
 * With waves (shared/domain/waves.ts) the window runs them one after another: each wave is invited and reminded
 * on its own schedule, the monitor watches everyone throughout, and a wave that asks for a pilot review starts only
 * after the admins said "Go on" (orchestrations/waveStart.ts). Phase 2 comes after the last wave. Without waves the
 * window is one implicit wave and takes exactly the actions it always took.
 */
import type { OrchestrationContext } from "durable-functions";
import { nextMonitorAt, reminderKey, reminderTimes } from "../shared/domain/schedule";
import { hasWaves, wavesOf } from "../shared/domain/waves";
import type { AdminCommands, MigrationState } from "../shared/workflow";
import { call, enterPhase, decisionTime, publishProgress, type PhaseResult } from "./common";
import { earlier, mergeMistypedRequests, mergesAsked } from "./mergeRequests";
import { startWave } from "./waveStart";

export function* runOnboardingWindow(
  context: OrchestrationContext,
  state: MigrationState,
  commands: AdminCommands,
): PhaseResult {
  const { migrationId, request } = state;
  const window = state.window;
  const waves = wavesOf(request, state.deadline);
  const cursor = hasWaves(request) ? (window.wave ??= { index: 0, started: false }) : undefined;
  const index = cursor?.index ?? 0;
  const wave = waves[index];
  // Waves: the wave's inputs name it; the reminder keys carry its number (two waves may share a deadline label).
  const ofWave = cursor ? { wave: index } : {};
  const keyOf = (label: string) =>
    cursor ? `wave${index}:${reminderKey(label, wave.deadline)}` : reminderKey(label, state.deadline);
  // A wave not started yet waits for its date or its pilot review; the monitor keeps watching meanwhile.
  const notYet = cursor && !cursor.started ? yield* startWave(context, state, cursor, waves, commands) : undefined;
  const running = !notYet;
  if (running && !window.invited) {
    yield* call(context, "sendInvitations", { migrationId, deadline: wave.deadline, ...ofWave });
    window.invited = true;
  }

  const now = decisionTime(context);
  const deadline = new Date(wave.deadline);
  const schedule = running ? reminderTimes(deadline, wave.reminders, new Date(0)) : [];
  // Only the latest reminder that has come due is sent: after a long pause nobody gets three at once.
  const due = schedule.filter((r) => r.at <= now && now < deadline && !window.remindersSent.includes(keyOf(r.label)));
  if (due.length > 0) {
    const latest = due[due.length - 1];
    yield* call(context, "sendReminders", { migrationId, label: latest.label, deadline: wave.deadline, ...ofWave });
    window.remindersSent.push(...due.map((r) => keyOf(r.label)));
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
  if (running && (now >= deadline || (request.endEarly && everyoneIn))) {
    if (cursor && index < waves.length - 1 && !everyoneIn) {
      // The next wave: invited and reminded on its own schedule, once it starts.
      window.wave = { index: index + 1, started: false, reviewRounds: cursor.reviewRounds };
      window.invited = false;
      return;
    }
    return yield* enterPhase(
      context,
      state,
      "phase2",
      now >= deadline ? "deadline reached" : "everyone onboarded before the deadline",
    );
  }

  const nextReminder = schedule.find((r) => r.at > now && !window.remindersSent.includes(keyOf(r.label)));
  // The monitor ran before the deadline (else the window ended above), so its next time is never past the deadline;
  // only a wave still waiting to start may see its deadline pass (a review held that long).
  const nextMonitor = monitorAfter(window.lastMonitorAt!);
  const times = [nextReminder?.at, nextMonitor ?? undefined, notYet?.sleep.until].filter((t) => t !== undefined);
  const wakeAt = times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
  publishProgress(context, state, {
    nextReminder: nextReminder?.at.toISOString(),
    waitingFor: notYet?.waitingFor ?? "users to onboard",
  });
  window.cycles++;
  return earlier(merges, { until: wakeAt });
}
