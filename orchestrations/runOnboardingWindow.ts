/**
 * Runbook "Run the onboarding window": invite everyone in scope, remind those not yet onboarded
 * before the deadline, and monitor Users & Access. One call is one cycle; the orchestration continues
 * as new between cycles so its history stays small however long the window runs.
 *
 * With waves (shared/domain/waves.ts) the window runs them one after another: each wave is invited and reminded
 * on its own schedule, the monitor watches everyone throughout, and a wave that asks for a pilot review starts only
 * after the admins said "Go on" (orchestrations/waveStart.ts). Phase 2 comes after the last wave, whose deadline is
 * the migration's: the later deadlines admins gave single people count there. Without waves the window is one
 * implicit wave and takes exactly the actions it always took.
 */
import type { OrchestrationContext } from "durable-functions";
import { windowDeadlines } from "../shared/domain/personalDeadlines";
import { dueReminders, nextMonitorAt, nextReminderOf } from "../shared/domain/schedule";
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
  const last = index === waves.length - 1;
  // Waves: the wave's inputs name it (its people are mailed, to its deadline).
  const ofWave = cursor ? { wave: index } : {};
  // A wave not started yet waits for its date or its pilot review; the monitor keeps watching meanwhile.
  const notYet = cursor && !cursor.started ? yield* startWave(context, state, cursor, waves, commands) : undefined;
  const running = !notYet;
  if (running && !window.invited) {
    yield* call(context, "sendInvitations", { migrationId, deadline: wave.deadline, ...ofWave });
    window.invited = true;
  }

  const now = decisionTime(context);
  // The wave's deadline and, in the last wave, each later one an admin gave a single person: each has its own
  // reminders, and the window stays open until the latest.
  const deadlines = !running ? [] : last ? windowDeadlines(wave.deadline, state.personalDeadlines) : [wave.deadline];
  const closesAt = new Date(deadlines.length > 0 ? deadlines[deadlines.length - 1] : wave.deadline);
  for (const due of dueReminders(deadlines, wave.reminders, now, window.remindersSent)) {
    yield* call(context, "sendReminders", { migrationId, label: due.label, deadline: due.deadline, ...ofWave });
    window.remindersSent.push(...due.keys);
  }

  // The monitor's times are the schedule's: every `monitorEvery`, and once more when the window (or wave) closes.
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
  if (running && (now >= closesAt || (request.endEarly && everyoneIn))) {
    if (cursor && !last && !everyoneIn) {
      // The next wave: invited and reminded on its own schedule, once it starts. The review rounds go on counting,
      // and an admin's request for a review already acted on stays acted on (it must not reopen a later hold).
      const { reviewRounds, reviewAskedSeen } = cursor;
      window.wave = { index: index + 1, started: false, reviewRounds, reviewAskedSeen };
      window.invited = false;
      return;
    }
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

  const nextReminder = nextReminderOf(deadlines, wave.reminders, now, window.remindersSent);
  // The monitor ran before the window closes (else it ended above), so its next time is never past the closing;
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
