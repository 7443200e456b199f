/**
 * Which events DTFx carries across a continueAsNew depends on where in the played history the shim reached
 * ContinueAsNew (local/host/shim.ts): these pin the cases the scenarios cannot order at will.
 */
import { ActionType, EventType, historyEvent, type HistoryEvent } from "../../local/host/history";
import { carriedEvents, shimProgress } from "../../local/host/shim";
import type { SdkAction } from "../../local/host/engine";

const t0 = new Date("2026-12-01T09:00:00Z");
const ev = (type: number, fields: Partial<HistoryEvent> = {}) => historyEvent(type, t0, fields);
const wake = () => ev(EventType.EventRaised, { Name: "wake", Input: "{}" });
const started = [ev(EventType.OrchestratorStarted), ev(EventType.ExecutionStarted)];

/** An execution whose last activity (task 0) is followed by continueAsNew. */
const activityThenContinue: SdkAction[] = [
  { actionType: ActionType.CallActivity, functionName: "readAdminCommands" },
  { actionType: ActionType.ContinueAsNew },
];

const carried = (actions: SdkAction[], history: HistoryEvent[], taskPaths: Record<number, string>) => {
  const progress = shimProgress(actions, history, { openTasks: {} }, taskPaths);
  expect(progress.done).toBe(true);
  return carriedEvents(history, progress.doneAt).map((e) => e.Name);
};

describe("events carried into the next execution", () => {
  it("are not carried when played before the completion that lets the shim reach continueAsNew", () => {
    const history = [
      ...started,
      ev(EventType.TaskScheduled, { EventId: 0, Name: "readAdminCommands" }),
      ev(EventType.OrchestratorStarted),
      wake(),
      ev(EventType.TaskCompleted, { TaskScheduledId: 0, Result: "{}" }),
    ];
    expect(carried(activityThenContinue, history, { 0: "0" })).toEqual([]);
  });

  it("are carried when played after it, in the same episode", () => {
    const history = [
      ...started,
      ev(EventType.TaskScheduled, { EventId: 0, Name: "readAdminCommands" }),
      ev(EventType.OrchestratorStarted),
      ev(EventType.TaskCompleted, { TaskScheduledId: 0, Result: "{}" }),
      wake(),
    ];
    expect(carried(activityThenContinue, history, { 0: "0" })).toEqual(["wake"]);
  });

  it("include the wake that won a Task.any whose losing timer is cancelled: the shim passed it at once", () => {
    const actions: SdkAction[] = [
      {
        actionType: ActionType.WhenAny,
        compoundActions: [
          { actionType: ActionType.WaitForExternalEvent, externalEventName: "wake" },
          { actionType: ActionType.CreateTimer, fireAt: t0, isCanceled: true },
        ],
      },
      { actionType: ActionType.ContinueAsNew },
    ];
    const history = [
      ...started,
      ev(EventType.TimerCreated, { EventId: 0, FireAt: t0.toISOString() }),
      ev(EventType.OrchestratorStarted),
      wake(),
    ];
    expect(carried(actions, history, { 0: "0.1" })).toEqual(["wake"]);
  });
});

describe("the shim's Task.all", () => {
  it("holds what follows until its last child is done, failed or not", () => {
    const actions: SdkAction[] = [
      {
        actionType: ActionType.WhenAll,
        compoundActions: [
          { actionType: ActionType.CallActivity, functionName: "a" },
          { actionType: ActionType.CallActivity, functionName: "b" },
        ],
      },
      { actionType: ActionType.CallActivity, functionName: "after" },
    ];
    const history = [
      ...started,
      ev(EventType.TaskScheduled, { EventId: 0, Name: "a" }),
      ev(EventType.TaskScheduled, { EventId: 1, Name: "b" }),
      ev(EventType.OrchestratorStarted),
      ev(EventType.TaskFailed, { TaskScheduledId: 0, Reason: "a failed" }),
    ];
    const progress = shimProgress(actions, history, { openTasks: {} }, { 0: "0.0", 1: "0.1", 2: "2" });
    expect(progress.done).toBe(false);
    expect(progress.invoked.has(actions[1]!)).toBe(false);
  });
});
