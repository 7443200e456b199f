/**
 * What the Durable extension makes of the actions the SDK returns, episode by episode: which of them it has
 * handed to DTFx yet, when the orchestrator function's result counts, and which raised events DTFx carries into
 * the next execution. Pure functions over the returned actions, the execution's history and the SDK's open
 * tasks; the engine (engine.ts) acts on the answer.
 *
 * The extension's shim replays the action list in order and awaits each action before invoking the next
 * (azure-functions-durable-extension, Listener/OutOfProcOrchestrationShim.cs, ProcessAsyncActionsV2:
 * `Task durableTask = this.InvokeAPIFromAction(action, schema); ... await durableTask;`), a Task.all as .NET's
 * `Task.WhenAll` and a Task.any as `Task.WhenAny` (InvokeAPIFromAction). A `Task.WhenAll` completes only when
 * every child has, failed or not, while the SDK fails a Task.all at its first failed child
 * (durable-functions src/task/WhenAllTask.ts, trySetValue: "If any task failed, we fail the entire compound
 * task"): the code after a failed fan-out is only scheduled once the slowest sibling is done (durable-js
 * issue 477). A timer the SDK marks cancelled is cancelled as soon as it is created (InvokeAPIFromAction,
 * `if (action.IsCanceled) cts.Cancel()`), so a Task.any holding it completes at once.
 *
 * DTFx plays the history in order (DurableTask.Core TaskOrchestrationExecutor.ExecuteCore, ProcessEvents): the
 * shim's actions are invoked as the completions they await are played, and the execution ends only when the
 * function's result is in and nothing is open (`if (!this.context.HasOpenTasks)`, TaskOrchestrationExecutor.cs
 * line 179 at Azure/durabletask 52170329): a timer neither fired nor cancelled keeps an execution that
 * returned, or continued as new, Running until it fires (durable-js issue 577). From the moment ContinueAsNew is
 * invoked, every EventRaised DTFx plays goes to the next execution (TaskOrchestrationContext
 * .HandleEventRaisedEvent → AddEventToNextIteration, BehaviorOnContinueAsNew.Carryover); the ones played before
 * went to this execution, consumed or not.
 */
import { ActionType, EventType, type HistoryEvent } from "./history";
import type { SdkAction, SdkTask } from "./sdkTasks";

/** The SDK's executor as far as the shim's view needs it (durable-functions TaskOrchestrationExecutor.js). */
export interface SdkExecutor {
  openTasks: Record<string, SdkTask>;
  /** Waits for external events, by event name. */
  openEvents?: Record<string, SdkTask[]>;
}

export interface ShimProgress {
  /** Actions the shim has handed to DTFx by the end of the history, compound children included. */
  invoked: Set<SdkAction>;
  /** Every action the function returned has completed on the .NET side: its result (output, failure, continueAsNew) counts. */
  done: boolean;
  /** With `done`: the history index after which the last action was invoked (-1: before any event). */
  doneAt: number;
}

/** Each action's place in the list ("2", "2.0"): stable across replays, unlike the action objects. */
export function actionPaths(actions: SdkAction[]): Map<SdkAction, string> {
  const paths = new Map<SdkAction, string>();
  const walk = (action: SdkAction, path: string) => {
    if (!paths.has(action)) paths.set(action, path);
    action.compoundActions?.forEach((child, i) => walk(child, `${path}.${i}`));
  };
  actions.forEach((action, i) => walk(action, String(i)));
  return paths;
}

/** The action an SDK task stands for: its own, or its parent's for a retry attempt or a long timer's segment. */
export function actionOf(task: SdkTask): SdkAction | undefined {
  if (task.parent && task.parent.actionObj !== "noOp" && (task.parent.retryOptions || isLongTimer(task.parent))) {
    return task.parent.actionObj;
  }
  return task.actionObj === "noOp" ? undefined : task.actionObj;
}

function isLongTimer(task: NonNullable<SdkTask["parent"]>): boolean {
  return task.longRunningTimerIntervalDuration !== undefined;
}

/** Task id → action path for the SDK's open tasks: kept per execution, so a completion can be placed later. */
export function openTaskPaths(executor: SdkExecutor, paths: Map<SdkAction, string>): Record<number, string> {
  const out: Record<number, string> = {};
  for (const task of Object.values(executor.openTasks)) {
    const action = actionOf(task);
    const path = action && paths.get(action);
    if (typeof task.id === "number" && path !== undefined) out[task.id] = path;
  }
  return out;
}

const COMPLETES_TASK: Record<number, (e: HistoryEvent) => number | undefined> = {
  [EventType.TaskCompleted]: (e) => e.TaskScheduledId,
  [EventType.TaskFailed]: (e) => e.TaskScheduledId,
  [EventType.SubOrchestrationInstanceCompleted]: (e) => e.TaskScheduledId,
  [EventType.SubOrchestrationInstanceFailed]: (e) => e.TaskScheduledId,
  [EventType.TimerFired]: (e) => e.TimerId,
};

/** The task id an event completes, if it completes one. */
export function completedTaskId(event: HistoryEvent): number | undefined {
  return COMPLETES_TASK[event.EventType]?.(event);
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Each task id's completion in `history`: the index of the event that completed it. */
function completions(history: HistoryEvent[]): Map<number, number> {
  const done = new Map<number, number>();
  history.forEach((event, index) => {
    const id = completedTaskId(event);
    if (id !== undefined) done.set(id, index);
  });
  return done;
}

/**
 * Where the shim stands after playing `history` with the `actions` the function returned for it.
 * `taskPaths` maps every task id of this execution to its action's path (see openTaskPaths). Completions are
 * read from the history, not from the SDK, which stops playing events once the function has returned
 * (durable-functions TaskOrchestrationExecutor.execute: `if (this.isDoneExecuting()) break;`).
 */
export function shimProgress(
  actions: SdkAction[],
  history: HistoryEvent[],
  executor: SdkExecutor,
  taskPaths: Record<number, string>,
): ShimProgress {
  const paths = actionPaths(actions);
  const done = completions(history);
  const idsByPath = new Map<string, number[]>();
  for (const [id, path] of Object.entries(taskPaths)) append(idsByPath, path, Number(id));
  const sdkOpen = new Set(Object.values(executor.openTasks).map(actionOf));
  const raised = new Map<string, number[]>();
  history.forEach((event, index) => {
    if (event.EventType === EventType.EventRaised) append(raised, event.Name!, index);
  });
  // The n-th wait for a name (in the order the shim invokes them) takes the n-th event of that name: waiters
  // and buffered events are both queues in the extension (DurableOrchestrationContext.RaiseEvent).
  const eventsTaken = new Map<string, number>();

  /** When an action's .NET task completes, as a history index (-1: at once; Infinity: not by the end of `history`). */
  const completion = (action: SdkAction): number => {
    switch (action.actionType) {
      case ActionType.WhenAll:
        return Math.max(-1, ...(action.compoundActions ?? []).map(completion));
      case ActionType.WhenAny: {
        const children = (action.compoundActions ?? []).map(completion);
        return children.length === 0 ? -1 : Math.min(...children);
      }
      case ActionType.ContinueAsNew:
        return -1;
      case ActionType.WaitForExternalEvent: {
        const name = action.externalEventName!;
        const n = eventsTaken.get(name) ?? 0;
        eventsTaken.set(name, n + 1);
        return raised.get(name)?.[n] ?? Infinity;
      }
      case ActionType.CreateTimer:
        if (action.isCanceled) return -1;
        break;
    }
    // A retry or a long timer is done when its last attempt or segment is (every id of its path completed).
    const ids = idsByPath.get(paths.get(action)!) ?? [];
    if (ids.length === 0) return sdkOpen.has(action) ? Infinity : -1;
    return Math.max(...ids.map((id) => done.get(id) ?? Infinity));
  };

  const invoked = new Set<SdkAction>();
  const invoke = (action: SdkAction) => {
    invoked.add(action);
    action.compoundActions?.forEach(invoke);
  };
  let now = -1;
  for (const action of actions) {
    invoke(action);
    now = Math.max(now, completion(action));
    if (now === Infinity) return { invoked, done: false, doneAt: Infinity };
  }
  return { invoked, done: true, doneAt: now };
}

/**
 * The task ids DTFx still counts as open (`HasOpenTasks`): scheduled, not completed in `history`, and not a
 * cancelled timer (TaskOrchestrationContext.CreateTimer removes a cancelled timer from openTasks). A wait for
 * an external event is the extension's own, not a DTFx task, and never holds an execution open.
 */
export function openDurableTasks(
  actions: SdkAction[],
  history: HistoryEvent[],
  scheduledIds: readonly number[],
  taskPaths: Record<number, string>,
): number[] {
  const done = completions(history);
  const byPath = new Map([...actionPaths(actions)].map(([action, path]) => [path, action]));
  return scheduledIds.filter((id) => {
    if (done.has(id)) return false;
    const action = byPath.get(taskPaths[id] ?? "");
    return !(action?.actionType === ActionType.CreateTimer && action.isCanceled);
  });
}

/** The EventRaised events of `history` that DTFx hands to the next execution (those after `doneAt`). */
export function carriedEvents(history: HistoryEvent[], doneAt: number): HistoryEvent[] {
  return history.filter((e, i) => i > doneAt && e.EventType === EventType.EventRaised);
}
