/**
 * What every phase shares: the typed activity call, the one way to wait, and small helpers over
 * context.df. The rules they keep are in docs/architecture.md: an execution calls activities, waits at
 * most once (on fresh tasks, at its very end) and continues as new; a failed activity is not retried
 * here but reported as a StepFailedError, which the dispatcher turns into a timed re-try of the whole step.
 */
import type { OrchestrationContext, Task } from "durable-functions";
import { sleepEnd } from "../shared/domain/waits";
import { waitingOn } from "../shared/domain/assignees";
import { stepFailureFrom } from "../shared/domain/stepFailure";
import type { ActivityDefinitions } from "../activities";
import {
  Events,
  type AdminCommands,
  type MigrationProgress,
  type MigrationState,
  type Phase,
  type StepFailure,
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

/** An activity's input and result, read off its handler `(input, services) => Promise<result>`. */
type InputOf<F> = F extends (input: infer I, deps: never) => unknown ? I : never;
type ResultOf<F> = F extends (input: never, deps: never) => Promise<infer R> ? R : never;

/**
 * The activities as the orchestrations see them: each one's input and result, derived from the handlers
 * themselves (activities/index.ts) by a type-only import, which is erased at run time: no activity code is
 * loaded here, and no list is kept in step by hand.
 */
export type ActivityContract = {
  [K in keyof ActivityDefinitions]: {
    input: InputOf<ActivityDefinitions[K]>;
    result: ResultOf<ActivityDefinitions[K]>;
  };
};
export type ActivityName = keyof ActivityContract;
export type ActivityInput<K extends ActivityName> = ActivityContract[K]["input"];
export type ActivityResult<K extends ActivityName> = ActivityContract[K]["result"];

/**
 * `call` for a set of activity handlers `T`: by name, with the input and the result each handler declares.
 * One activity, one attempt. No orchestration-level retry budget: a cancel must not wait behind one (the
 * dispatcher re-reads admin commands before every new try).
 */
export function callerFor<T>() {
  return function* <K extends keyof T & string>(
    context: OrchestrationContext,
    name: K,
    input: InputOf<T[K]>,
  ): PhaseStep<ResultOf<T[K]>> {
    try {
      return (yield context.df.callActivity(name, input)) as ResultOf<T[K]>;
    } catch (error) {
      throw new StepFailedError(stepFailureFrom(name, error));
    }
  };
}

/** Calls one of the app's activities: `yield* call(context, "planPhase2", { migrationId })`. */
export const call = callerFor<ActivityDefinitions>();

/** An orchestration that others start as a sub-orchestration: its registered name, and its body with its input typed. */
export interface SubOrchestration<I, R> {
  name: string;
  run(context: OrchestrationContext, input: I): PhaseStep<R>;
}

/** The handler Durable registers for `sub`: its body, given the input its caller sent. */
export const subOrchestrationHandler =
  <I, R>(sub: SubOrchestration<I, R>) =>
  (context: OrchestrationContext) =>
    sub.run(context, context.df.getInput<I>());

/**
 * Starts `sub` once per call, all at once, and waits for every result (typed by `sub`'s body). Each runs under
 * the parent's version, not whatever the host deploys meanwhile.
 */
export function* callSubOrchestrations<I, R>(
  context: OrchestrationContext,
  sub: SubOrchestration<I, R>,
  calls: { input: I; instanceId: string }[],
): PhaseStep<R[]> {
  const tasks = calls.map((c) => context.df.callSubOrchestrator(sub.name, c.input, c.instanceId, context.df.version));
  return (yield context.df.Task.all(tasks)) as R[];
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
  const commands = yield* call(context, "readAdminCommands", { migrationId: state.migrationId });
  state.deadline = commands.deadline;
  if (commands.personalDeadlines) state.personalDeadlines = commands.personalDeadlines;
  else delete state.personalDeadlines;
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
  yield* call(context, "recordPhase", {
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
