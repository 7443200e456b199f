/**
 * Recorded histories, replayed (as Temporal's replay tests do): every execution of every instance of
 * a scenario run is kept as JSON with the actions the orchestrator returned for it; a replay feeds the
 * recorded history to the current orchestrator code through the real durable-functions replay engine
 * and compares the actions. A difference means that a running instance of that version would no
 * longer replay: raise host.json defaultVersion and keep the older version's code path instead.
 */
import fs from "node:fs";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { findReyields, runOrchestrator, signature, type OrchestratorContext, type SdkAction } from "./engine";
import { registry } from "./fakeCore";
import { ActionType, EventType, LONG_TIMER_INTERVAL, type HistoryEvent } from "./history";
import type { InstanceRecord } from "./instanceStore";

export interface RecordedExecution {
  scenario: string;
  instanceId: string;
  name: string;
  /** The orchestration version the instance runs (ExecutionStarted.Version); "" when none. */
  version: string;
  /** 0 for the first execution, +1 for each continueAsNew. */
  execution: number;
  input: unknown;
  parentInstanceId?: string;
  /** How this execution ended when it was recorded. */
  ended: "continuedAsNew" | InstanceRecord["status"];
  history: HistoryEvent[];
  /** signature() of each action the orchestrator returned for the whole history. */
  actions: string[];
}

/** Keeps one execution: the actions are those the recording code returns for its complete history. */
export async function recordExecution(
  scenario: string,
  record: InstanceRecord,
  ended: RecordedExecution["ended"],
): Promise<RecordedExecution> {
  const recorded: RecordedExecution = {
    scenario,
    instanceId: record.instanceId,
    name: record.name,
    version: record.version ?? "",
    execution: record.executionId,
    input: record.input,
    ...(record.parent ? { parentInstanceId: record.parent.instanceId } : {}),
    ended,
    history: JSON.parse(JSON.stringify(record.history)) as HistoryEvent[],
    actions: [],
  };
  recorded.actions = (await replayExecution(recorded)).actions.map(signature);
  return recorded;
}

export interface Replay {
  actions: SdkAction[];
  isDone: boolean;
  failure?: string;
}

/** Runs the current code of the recorded orchestration over the recorded history, all of it already played. */
export async function replayExecution(recorded: RecordedExecution): Promise<Replay> {
  const registration = registry.get(recorded.name);
  if (!registration)
    throw new Error(
      `no orchestration named '${recorded.name}' is registered: a recorded instance of it could not replay`,
    );
  const context = new InvocationContext({ functionName: recorded.name }) as OrchestratorContext;
  const { state, failure } = await runOrchestrator(
    registration,
    {
      history: recorded.history,
      playedCount: recorded.history.length,
      instanceId: recorded.instanceId,
      input: recorded.input,
      parentInstanceId: recorded.parentInstanceId,
    },
    context,
  );
  return { actions: state.actions?.[0] ?? [], isDone: state.isDone, failure: failure?.message };
}

/** Undefined when the replay returns the recorded actions; otherwise what differs, first difference first. */
export function compareActions(recorded: RecordedExecution, replayed: SdkAction[]): string | undefined {
  const now = replayed.map(signature);
  const at = recorded.actions.findIndex((a, i) => now[i] === undefined || replayShape(a) !== replayShape(now[i]));
  const index = at >= 0 ? at : now.length > recorded.actions.length ? recorded.actions.length : -1;
  if (index < 0) return undefined;
  return (
    `${label(recorded)}: the current code returns different actions for the recorded history, from action #${index} on.\n` +
    `  recorded: ${recorded.actions[index] ?? "(none)"}\n` +
    `  now:      ${now[index] ?? "(none)"}\n` +
    `A running instance of version '${recorded.version}' would not replay. Keep that version's code path (branch on context.df.version) ` +
    `and raise host.json defaultVersion for the new behaviour, then run \`npm run record-histories\`.`
  );
}

/**
 * What replay depends on. DurableTask.Core matches a scheduled activity by name only
 * (TaskOrchestrationContext.HandleTaskScheduledEvent throws NonDeterministicOrchestrationException on a
 * different name, never on a different input), and continueAsNew's input is the next execution's, not
 * replayed: a running instance still replays when an activity's input or the carried state changes shape.
 */
function replayShape(signatureText: string): string {
  const action = JSON.parse(signatureText) as Record<string, unknown>;
  const inputIgnored: readonly number[] = [
    ActionType.CallActivity,
    ActionType.CallActivityWithRetry,
    ActionType.ContinueAsNew,
  ];
  if (inputIgnored.includes(action.actionType as number)) delete action.input;
  if (Array.isArray(action.compound)) action.compound = (action.compound as string[]).map(replayShape);
  return JSON.stringify(action);
}

/** Long timers in a recorded history: segments the SDK created (see below), as "<fireAt> (task <id>)". */
export function longTimerSegments(recorded: RecordedExecution, replayed: SdkAction[]): string[] {
  // A timer over maximumShortTimerDuration is waited on in longRunningTimerIntervalDuration steps
  // (durable-functions LongTimerTask): its first TimerCreated is exactly one interval after it was
  // created and matches no timer action's own fireAt.
  const interval = parseTimeSpan(LONG_TIMER_INTERVAL);
  const fireAts = new Set(
    flatten(replayed)
      .filter((a) => a.actionType === ActionType.CreateTimer)
      .map((a) => new Date(a.fireAt!).toISOString()),
  );
  return recorded.history
    .filter(
      (e) =>
        e.EventType === EventType.TimerCreated &&
        !fireAts.has(e.FireAt!) &&
        Date.parse(e.FireAt!) - Date.parse(e.Timestamp) === interval,
    )
    .map((e) => `${e.FireAt} (task ${e.EventId})`);
}

/** Re-yielded task objects in the replayed actions (the strict host fails them; see findReyields). */
export function reyields(replayed: SdkAction[]): string[] {
  return findReyields(replayed);
}

export function label(recorded: RecordedExecution): string {
  return `${recorded.scenario}: '${recorded.name}' v${recorded.version || "(none)"} instance ${recorded.instanceId} execution ${recorded.execution}`;
}

// ---- fixture files ---------------------------------------------------------------------------------

/** <root>/<version>/<scenario>/<nn>-<orchestration>-<execution>.json, numbered in the order recorded. */
export function writeFixtures(root: string, scenario: string, executions: RecordedExecution[]): string[] {
  const written: string[] = [];
  const byVersion = new Map<string, RecordedExecution[]>();
  for (const e of executions) byVersion.set(e.version || "none", [...(byVersion.get(e.version || "none") ?? []), e]);
  for (const [version, list] of byVersion) {
    const folder = path.join(root, version, scenario);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    list.forEach((e, i) => {
      const file = path.join(folder, `${String(i).padStart(2, "0")}-${e.name}-${e.execution}.json`);
      fs.writeFileSync(file, JSON.stringify(e, null, 1) + "\n");
      written.push(file);
    });
  }
  return written;
}

export function readFixtures(root: string): { file: string; recorded: RecordedExecution }[] {
  if (!fs.existsSync(root)) return [];
  const files = fs
    .readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .sort();
  return files.map((f) => ({
    file: f,
    recorded: JSON.parse(fs.readFileSync(path.join(root, f), "utf8")) as RecordedExecution,
  }));
}

function flatten(actions: SdkAction[]): SdkAction[] {
  return actions.flatMap((a) => [a, ...flatten(a.compoundActions ?? [])]);
}

/** "d.hh:mm:ss" (a .NET TimeSpan as the binding carries it) in milliseconds. */
function parseTimeSpan(text: string): number {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) throw new Error(`not a TimeSpan: ${text}`);
  return (((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1000;
}
