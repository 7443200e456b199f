/**
 * Runbook "Users & Access": a pending request whose typed e-mail is not the Microsoft 365 account's is
 * Merged into the right account. A monitor cycle or check that finds new ones asks the Peig admin in one task;
 * once confirmed, the app merges them (api mode) and the caller checks again at once. A declined or expired
 * round is told to the admins; a new round opens only when new requests appear.
 */
import type { OrchestrationContext } from "durable-functions";
import type { MigrationState, OpenGate } from "../shared/workflow";
import { call, type PhaseStep, type Sleep } from "./common";
import { humanGate, isSleep, type GateSlot } from "./humanGate";

/** The merge task runs alongside the phase's own gate, in a slot of its own. */
const mergeGate: GateSlot = {
  get: (state) => state.merges?.gate,
  set: (state, gate: OpenGate | undefined) => void ((state.merges ??= { round: 0 }).gate = gate),
};

/** Api mode only: in operator mode the app cannot merge, and the Peig admin sees the requests in Peig. */
export const mergesAsked = (state: MigrationState) => state.peigMode === "api";

/**
 * "merged": the round was confirmed and merged, check again now; a sleep: the task is open; nothing: no task (or it
 * ended unconfirmed). `mismatched`, when the caller has just counted them: none and no task open, nothing to plan.
 */
export function* mergeMistypedRequests(
  context: OrchestrationContext,
  state: MigrationState,
  mismatched?: number,
): PhaseStep<Sleep | "merged" | undefined> {
  const { migrationId } = state;
  if (!state.merges?.gate && mismatched === 0) return undefined;
  const merges = (state.merges ??= { round: 0 });
  if (!merges.gate) {
    const plan = yield* call(context, "planMerges", { migrationId, round: merges.round + 1 });
    if (plan.asks === 0) return undefined;
    merges.round++;
    merges.requests = plan.requests;
  }
  const outcome = yield* humanGate(context, state, "peigMerges", merges.round, 1, mergeGate);
  if (isSleep(outcome)) return outcome;
  if (outcome === "done") {
    yield* call(context, "performMerges", { migrationId, round: merges.round });
    merges.requests = undefined;
    return "merged";
  }
  merges.requests = undefined;
  yield* call(context, "notifyAdmins", {
    migrationId,
    event: `merges.${outcome}`,
    details: { round: merges.round },
  });
  return undefined;
}

/** Everything is linked meanwhile (merged by hand in Peig, say): the open merge task is moot. */
export function* closeMergeTask(context: OrchestrationContext, state: MigrationState): PhaseStep {
  const gate = state.merges?.gate;
  if (!gate) return;
  yield* call(context, "closeHumanTasks", {
    migrationId: state.migrationId,
    gate: gate.id,
    outcome: "notNeeded",
  });
  state.merges = { round: state.merges!.round };
}

/** The earlier of two wake-ups (no `until` = the longest wait). */
export function earlier(a: Sleep | undefined, b: Sleep): Sleep {
  if (!a?.until) return b;
  if (!b.until) return a;
  return a.until <= b.until ? a : b;
}
