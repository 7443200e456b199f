/**
 * Waiting on people: approvers (k of n) or the Peig admin confirming an operator step. The links go out
 * by e-mail; decisions arrive through our own task endpoints, which record them in the store and wake
 * us. A gate is a cycle like the onboarding window: its state (round, expiry, next reminder) lives in
 * MigrationState, and every wake-up, whatever caused it, reads the tally before deciding. A reminder and
 * the expiry are only the next wake-up times; a stray or duplicate wake only means "look again".
 */
import type { OrchestrationContext } from "durable-functions";
import { gateDecision, gateWakeAt, reminderDue, type GateOutcome } from "../shared/domain/waits";
import { gateId, type HumanTaskPurpose, type MigrationState, type OpenGate } from "../shared/workflow";
import { at, call, decisionTime, type PhaseStep, type Sleep } from "./common";

export type { GateOutcome };

/** Where a gate's state is kept: the phase's own gate, or the merge task that runs alongside a phase. */
export interface GateSlot {
  get(state: MigrationState): OpenGate | undefined;
  set(state: MigrationState, gate: OpenGate | undefined): void;
}

const phaseGate: GateSlot = {
  get: (state) => state.gate,
  set: (state, gate) => void (state.gate = gate),
};

/** The gate's outcome once decided or expired; until then, the sleep to its next wake-up. */
export function* humanGate(
  context: OrchestrationContext,
  state: MigrationState,
  purpose: HumanTaskPurpose,
  round: number,
  required: number,
  slot: GateSlot = phaseGate,
): PhaseStep<GateOutcome | Sleep> {
  const { migrationId } = state;
  const id = gateId(purpose, round);
  const now = decisionTime(context);
  const gate = slot.get(state);
  if (gate?.id !== id) {
    const expiresAt = at(context, state.taskLinkTtlMs).toISOString();
    const issued = yield* call(context, "openHumanTasks", { migrationId, purpose, round, expiresAt });
    const opened: OpenGate = {
      purpose,
      round,
      id,
      required,
      expiresAt,
      nextReminderAt: at(context, state.timings.gateReminderMs).toISOString(),
      openedAt: now.toISOString(),
      ...(issued.escalateAfterMs !== undefined
        ? { escalateAt: at(context, issued.escalateAfterMs).toISOString() }
        : {}),
      // An approver out of office for the whole round: the fallback approvers were asked at once, with the others.
      ...(issued.escalated ? { escalated: true, away: issued.away } : {}),
    };
    slot.set(state, opened);
    return { until: gateWakeAt(opened) };
  }

  const tally = yield* call(context, "tallyHumanTasks", { migrationId, gate: id });
  const decision = gateDecision(tally, gate.required);
  if (decision || now.getTime() >= Date.parse(gate.expiresAt)) {
    // Closed first, so no link can decide any more; the tally after closing is final and counts any
    // decision recorded while this one was being read.
    yield* call(context, "closeHumanTasks", { migrationId, gate: id, outcome: decision ?? "expired" });
    const final = yield* call(context, "tallyHumanTasks", { migrationId, gate: id });
    slot.set(state, undefined);
    return gateDecision(final, gate.required) ?? "expired";
  }
  if (reminderDue(gate, now)) {
    yield* call(context, "remindHumanTasks", { migrationId, gate: id });
    gate.nextReminderAt = at(context, state.timings.gateReminderMs).toISOString();
  }
  if (gate.escalateAt && !gate.escalated && now.getTime() >= Date.parse(gate.escalateAt)) {
    // No quorum in time: the fallback approvers get tasks in the same round, and the admins are told. After the
    // reminder, so their first e-mail is not followed by a second at the same moment.
    yield* call(context, "escalateHumanTasks", { migrationId, gate: id, expiresAt: gate.expiresAt });
    gate.escalated = true;
  }
  return { until: gateWakeAt(gate) };
}

export const isSleep = (outcome: GateOutcome | Sleep): outcome is Sleep => typeof outcome !== "string";
