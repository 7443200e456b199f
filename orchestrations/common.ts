/**
 * What every phase shares: the typed activity call, the one way to wait, and small helpers over
 * context.df. The rules they keep are in docs/architecture.md: an execution calls activities, waits at
 * most once (on fresh tasks, at its very end) and continues as new; a failed activity is not retried
 * here but reported as a StepFailedError, which the dispatcher turns into a timed re-try of the whole step.
 */
import type { OrchestrationContext, Task } from "durable-functions";
import { defaultTimings, sleepEnd } from "../shared/domain/waits";
import { waitingOn } from "../shared/domain/assignees";
import { stepFailureFrom } from "../shared/domain/stepFailure";
import {
  Activities,
  Events,
  type ActivityInput,
  type ActivityName,
  type ActivityResult,
  type AdminCommands,
  type MigrationProgress,
  type MigrationState,
  type Phase,
  type StepFailure,
  type WorkflowTimings,
} from "../shared/workflow";

/** A phase generator: yields durable tasks, returns when its part of the state is done. */
export type PhaseStep<T = void> = Generator<Task, T, unknown>;

/** What a phase asks for when it is done for now: sleep until `until` (or until woken), then look again. */
export interface Sleep {
  until?: Date;
}
/** A phase's step: nothing (go on at once, in a new execution) or a sleep. */
export type PhaseResult = PhaseStep<Sleep | void>;

/**
 * A step failed: its activity threw an ActivityFailedError (its adapters' own bounded retries included), read
 * back here from Durable's failure text. The dispatcher tries the step again later.
 */
export class StepFailedError extends Error {
  constructor(readonly failure: StepFailure) {
    super(`${failure.step} failed: ${failure.message}`);
    this.name = "StepFailedError";
  }
}

/** Per episode (keyed by context.df, new each episode): the time the previous execution's winning timer was set for. */
const timerDue = new WeakMap<object, number>();

/**
 * The orchestration's "now" for deciding what is due. On Azure Storage a TimerFired can arrive up to about a
 * second before the timer's time (the message's visibility delay, DurableTask.AzureStorage TaskHubQueue.cs
 * GetVisibilityDelay; seen on the real extension by conformance/), and currentUtcDateTime is when the episode
 * started. A timer that won the last wait means its time has come, so "now" is never earlier than it.
 */
export function decisionTime(context: OrchestrationContext): Date {
  const due = timerDue.get(context.df);
  const current = context.df.currentUtcDateTime.getTime();
  return new Date(due !== undefined && due > current ? due : current);
}

/** First thing in each execution: takes over the time the previous execution's timer was set for (once). */
export function beginExecution(context: OrchestrationContext, state: MigrationState): void {
  if (state.timerDueAt) timerDue.set(context.df, Date.parse(state.timerDueAt));
  delete state.timerDueAt;
}

export function at(context: OrchestrationContext, offsetMs: number): Date {
  return new Date(decisionTime(context).getTime() + offsetMs);
}

export const timingsOf = (state: MigrationState): WorkflowTimings => state.timings ?? defaultTimings;

/**
 * One activity, one attempt, typed by the ActivityContract. No orchestration-level retry budget: a
 * cancel must not wait behind one (the dispatcher re-reads admin commands before every new try).
 */
export function* call<K extends ActivityName>(
  context: OrchestrationContext,
  name: K,
  input: ActivityInput<K>,
): PhaseStep<ActivityResult<K>> {
  try {
    return (yield context.df.callActivity(name, input)) as ActivityResult<K>;
  } catch (error) {
    throw new StepFailedError(stepFailureFrom(name, error));
  }
}

/** Keyed by context.df, which durable-functions creates afresh for every episode (Orchestrator.js). */
const waited = new WeakSet<object>();

/**
 * The only way an orchestration waits: at most once per execution, on a wake event and a timer created
 * here and now (never yielded before), the timer capped at a day (no long timers: they are split into
 * segments that outlive a cancel). The losing timer is cancelled; the caller continues as new right
 * after, so whatever fires later belongs to a finished execution. Returns true when woken.
 */
export function* waitOnce(
  context: OrchestrationContext,
  until: Date | undefined,
  options: { wake: boolean } = { wake: true },
): PhaseStep<{ woken: boolean; end: Date }> {
  if (waited.has(context.df))
    throw new Error(`orchestration ${context.df.instanceId} tried to wait twice in one execution`);
  waited.add(context.df);
  const end = sleepEnd(decisionTime(context), until);
  if (!options.wake) {
    yield context.df.createTimer(end);
    return { woken: false, end };
  }
  const wake = context.df.waitForExternalEvent(Events.wake);
  const timer = context.df.createTimer(end);
  const winner = yield context.df.Task.any([wake, timer]);
  if (winner === timer) return { woken: false, end };
  timer.cancel();
  return { woken: true, end };
}

export function* readAdminCommands(context: OrchestrationContext, state: MigrationState): PhaseStep<AdminCommands> {
  const commands = yield* call(context, Activities.readAdminCommands, { migrationId: state.migrationId });
  state.deadline = commands.deadline;
  return commands;
}

/** Records the phase first, then moves to it: a failed record leaves the state where the store is. */
export function* enterPhase(
  context: OrchestrationContext,
  state: MigrationState,
  phase: Phase,
  detail?: string,
  outcome: Pick<ActivityInput<"recordPhase">, "phase2"> = {},
): PhaseStep {
  yield* call(context, Activities.recordPhase, {
    migrationId: state.migrationId,
    phase,
    detail,
    instanceId: context.df.instanceId,
    ...outcome,
  });
  state.phase = phase;
}

export function publishProgress(
  context: OrchestrationContext,
  state: MigrationState,
  extra: Partial<MigrationProgress> = {},
): void {
  const attention = state.attention?.needed ? state.attention : undefined;
  const people = [
    state.gate && waitingOn(state.gate, state.request),
    state.merges?.gate && waitingOn(state.merges.gate, state.request, state.merges.requests),
  ].filter((w) => !!w);
  const progress: MigrationProgress = {
    phase: state.phase,
    deadline: state.deadline,
    counts: state.window.counts,
    approvalRound: state.approvalRound,
    updatedAt: decisionTime(context).toISOString(),
    ...(attention
      ? {
          needsAttention: {
            step: attention.step,
            service: attention.service,
            status: attention.status,
            fix: attention.fix,
            since: attention.since,
            nextAttemptAt: attention.nextAttemptAt,
          },
        }
      : {}),
    ...(people.length > 0 ? { waitingOn: people } : {}),
    ...extra,
  };
  context.df.setCustomStatus(progress);
}
