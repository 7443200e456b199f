/**
 * What every phase shares: the retry policy for activities (the one retry layer at orchestration
 * level for whole activities; adapters retry single HTTP calls) and small helpers over context.df.
 */
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";
import { Activities, Events, type AdminCommands, type MigrationProgress, type MigrationState, type Phase } from "../shared/workflow";

/** A phase generator: yields durable tasks, returns when its part of the state is done. */
export type PhaseStep<T = void> = Generator<Task, T, unknown>;

/** 30 s, 1 min, 2 min, 4 min, 8 min: outlasts a Graph or Peig outage of a quarter of an hour. */
export const activityRetry = (() => {
  const options = new df.RetryOptions(30_000, 6);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 10 * 60_000;
  return options;
})();

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function at(context: OrchestrationContext, offsetMs: number): Date {
  return new Date(context.df.currentUtcDateTime.getTime() + offsetMs);
}

export function* call<T>(context: OrchestrationContext, activity: string, input: unknown): PhaseStep<T> {
  return (yield context.df.callActivityWithRetry(activity, activityRetry, input)) as T;
}

export function* readAdminCommands(context: OrchestrationContext, state: MigrationState): PhaseStep<AdminCommands> {
  const commands = yield* call<AdminCommands>(context, Activities.readAdminCommands, { migrationId: state.migrationId });
  state.deadline = commands.deadline;
  return commands;
}

export function* enterPhase(context: OrchestrationContext, state: MigrationState, phase: Phase, detail?: string): PhaseStep {
  state.phase = phase;
  yield* call(context, Activities.recordPhase, { migrationId: state.migrationId, phase, detail, instanceId: context.df.instanceId });
}

export function publishProgress(context: OrchestrationContext, state: MigrationState, extra: Partial<MigrationProgress> = {}): void {
  const progress: MigrationProgress = {
    phase: state.phase,
    deadline: state.deadline,
    counts: state.window.counts,
    approvalRound: state.approvalRound,
    updatedAt: context.df.currentUtcDateTime.toISOString(),
    ...extra,
  };
  context.df.setCustomStatus(progress);
}

/**
 * Waits until `until` or until an admin command / task decision wakes the orchestration, whichever
 * comes first; the losing timer is always cancelled. Returns true when woken.
 */
export function* sleepUntilWoken(context: OrchestrationContext, until: Date | undefined): PhaseStep<boolean> {
  const wake = context.df.waitForExternalEvent(Events.wake);
  if (!until) {
    yield wake;
    return true;
  }
  const timer = context.df.createTimer(until);
  const winner = yield context.df.Task.any([wake, timer]);
  if (winner === timer) return false;
  timer.cancel();
  return true;
}
