/**
 * The out-of-proc orchestration protocol of durable-functions v3 as the local host speaks it: history
 * event and action numbers (durable-functions/lib/src/history/HistoryEventType.js and
 * actions/ActionType.js, pinned at 3.5.0) and the binding the orchestrator trigger receives.
 * See docs/durable-semantics.md#the-protocol-between-the-node-sdk-and-the-extension. The strict rules: docs/local-host.md.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export const EventTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(EventType).map(([k, v]) => [v, k]),
);

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** Actions the local host refuses with an explicit error rather than leaving an instance to hang. */
export const UnsupportedActions: Record<number, string> = {
  [ActionType.CallEntity]: "callEntity (durable entities)",
  [ActionType.SignalEntity]: "signalEntity (durable entities)",
  [ActionType.LockEntities]: "lock (durable entities)",
  [ActionType.ReleaseEntities]: "lock release (durable entities)",
  [ActionType.CallHttp]: "callHttp",
};

/** A history event as stored by the host: timestamps as ISO strings, payloads as JSON strings. */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string;
  Result?: string;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  Version?: string;
}

export function historyEvent(type: number, at: Date, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

/**
 * The orchestration trigger's value. The SDK compares OrchestratorStarted timestamps with its current
 * time using `>`, so timestamps must reach it as Date objects (the worker converts them; so do we).
 */
export function toBindingHistory(events: HistoryEvent[], playedCount: number): Record<string, unknown>[] {
  return events.map((e, i) => ({
    ...e,
    IsPlayed: i < playedCount,
    Timestamp: new Date(e.Timestamp),
    ...(e.FireAt ? { FireAt: new Date(e.FireAt) } : {}),
  }));
}

/** Azure Storage provider values for the long-timer split (schema V3 requires them). */
export const MAX_SHORT_TIMER = "6.00:00:00";
export const LONG_TIMER_INTERVAL = "3.00:00:00";
/** ReplaySchema.V3 in durable-functions 3.5.0. */
export const UPPER_SCHEMA_VERSION = 2;

/** host.json's durableTask.defaultVersion: the version the deployed code runs. */
export function hostJsonDefaultVersion(): string | undefined {
  const hostJson = require("../../host.json") as { extensions?: { durableTask?: { defaultVersion?: string } } };
  return hostJson.extensions?.durableTask?.defaultVersion;
}
