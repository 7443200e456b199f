/**
 * When the next wave starts: at its invitation date, and, when it asks for one, only after a pilot review, a human
 * task to the admins that shows the earlier waves' results and asks "Go on" or "Hold". Hold (or nobody answering)
 * never ends the migration: the wave waits, the admins are told, and an admin asks for the review again from the
 * status page when ready. Called by the onboarding window, which monitors everyone while a wave waits.
 */
import type { OrchestrationContext } from "durable-functions";
import { waveStartsAt, type Wave } from "../shared/domain/waves";
import type { AdminCommands, MigrationState, WaveCursor } from "../shared/workflow";
import { call, decisionTime, type PhaseStep, type Sleep } from "./common";
import { humanGate, isSleep } from "./humanGate";

/** Why a wave has not started yet: what it sleeps until, and who or what it waits for, in words. */
export interface WaveNotStarted {
  sleep: Sleep;
  waitingFor: string;
}

/** Starts the wave under `cursor` when it may (returns undefined then), or says what it waits for. */
export function* startWave(
  context: OrchestrationContext,
  state: MigrationState,
  cursor: WaveCursor,
  waves: readonly Wave[],
  commands: AdminCommands,
): PhaseStep<WaveNotStarted | undefined> {
  const { migrationId } = state;
  const wave = waves[cursor.index];
  if (wave.review && !cursor.reviewed) {
    const review = yield* pilotReview(context, state, cursor, wave, commands);
    if (review) return review;
  }
  const startsAt = waveStartsAt(waves, cursor.index);
  if (startsAt && decisionTime(context) < startsAt)
    return { sleep: { until: startsAt }, waitingFor: `wave "${wave.name}" to start` };
  yield* call(context, "recordWave", { migrationId, wave: cursor.index, started: true });
  cursor.started = true;
  return undefined;
}

/** The pilot review before `wave`: undefined once the admins said "Go on", else what the wave waits for. */
function* pilotReview(
  context: OrchestrationContext,
  state: MigrationState,
  cursor: WaveCursor,
  wave: Wave,
  commands: AdminCommands,
): PhaseStep<WaveNotStarted | undefined> {
  const { migrationId } = state;
  const held = cursor.held;
  if (held) {
    if (!held.notified) {
      yield* call(context, "notifyAdmins", {
        migrationId,
        event: `pilotReview.${held.outcome === "rejected" ? "held" : "expired"}`,
        details: { wave: wave.name, round: cursor.reviewRounds },
      });
      held.notified = true;
    }
    const asked = commands.pilotReviewRequested?.at;
    if (!asked || asked === cursor.reviewAskedSeen)
      return {
        sleep: {},
        waitingFor: `an admin to ask for the pilot review again (wave "${wave.name}" is on hold)`,
      };
    cursor.reviewAskedSeen = asked;
    cursor.held = undefined;
  }
  const open = state.gate?.purpose === "pilotReview";
  const round = open ? state.gate!.round : (cursor.reviewRounds ?? 0) + 1;
  const outcome = yield* humanGate(context, state, "pilotReview", round, 1);
  cursor.reviewRounds = round;
  if (isSleep(outcome)) {
    if (!open)
      yield* call(context, "recordWave", { migrationId, wave: cursor.index, review: { round, outcome: "open" } });
    return { sleep: outcome, waitingFor: `the admins' pilot review before wave "${wave.name}"` };
  }
  const recorded = outcome === "approved" ? "approved" : outcome === "rejected" ? "held" : "expired";
  yield* call(context, "recordWave", { migrationId, wave: cursor.index, review: { round, outcome: recorded } });
  if (outcome === "approved") {
    cursor.reviewed = true;
    return undefined;
  }
  cursor.held = { outcome: outcome === "rejected" ? "rejected" : "expired", notified: false };
  return yield* pilotReview(context, state, cursor, wave, commands);
}
