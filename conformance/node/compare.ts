/**
 * What is compared between the two hosts: per instance and execution, the history the host handed the SDK
 * in that execution's last episode (event types with their task ids and names; no timestamps, no instance or
 * execution ids; a timer due when it is created is marked as such), grouped into episodes, how the execution
 * ended, and the instance's final status and output (a failure's message too).
 *
 * Episodes: every OrchestratorStarted opens one ("— episode —"), so which events a host delivered together is
 * compared. OrchestratorCompleted is dropped: DTFx writes an extra one, with no OrchestratorStarted after it,
 * between the first episode of an execution that continued as new and what that episode scheduled (the new
 * execution runs in the work item that ended the old one, TaskOrchestrationDispatcher.cs), so the closing
 * markers differ where the grouping does not.
 */
import { EventTypeName } from "../../local/host/history";
import { plural } from "../../shared/domain/plural";
import { endsWithContinueAsNew, episodeState, sameExecution, type Episode } from "./recorder";

export interface Trace {
  /** instanceId → executions, each a list of normalised events ending with how the execution ended. */
  instances: Record<string, string[][]>;
  status: string;
  output: unknown;
}

export const EPISODE = "— episode —";
const SCHEDULING = new Set(["TaskScheduled", "TimerCreated", "SubOrchestrationInstanceCreated"]);
const NAMED = new Set(["ExecutionStarted", "TaskScheduled", "SubOrchestrationInstanceCreated", "EventRaised"]);

/** Hosts hand timestamps as ISO strings or (after the SDK's conversion) Date objects. */
const time = (value: unknown) => new Date(value as string | Date).getTime();

const typeOf = (event: Record<string, unknown>) => {
  const raw = event.EventType;
  return typeof raw === "number" ? (EventTypeName[raw] ?? `Event${raw}`) : String(raw);
};

/** `episodeStart` is the time of the OrchestratorStarted before the event: a timer due by then fires at once. */
function normalise(event: Record<string, unknown>, episodeStart: number): string | undefined {
  const type = typeOf(event);
  if (type === "OrchestratorStarted") return EPISODE;
  if (type === "OrchestratorCompleted") return undefined;
  const id = SCHEDULING.has(type) ? event.EventId : type === "TimerFired" ? event.TimerId : event.TaskScheduledId;
  const name = NAMED.has(type) ? event.Name : undefined;
  const atOnce = type === "TimerCreated" && time(event.FireAt) <= episodeStart ? " (due at once)" : "";
  return `${type}${typeof id === "number" ? `#${id}` : ""}${name ? ` ${String(name)}` : ""}${atOnce}`;
}

function normaliseAll(history: Record<string, unknown>[]): string[] {
  let episodeStart = 0;
  const out: string[] = [];
  for (const event of history) {
    if (typeOf(event) === "OrchestratorStarted") episodeStart = time(event.Timestamp);
    const line = normalise(event, episodeStart);
    if (line) out.push(line);
  }
  return out;
}

function ending(e: Episode): string {
  const state = episodeState(e);
  if (e.error || state?.error) return "→ failed";
  if (endsWithContinueAsNew(e)) return "→ continueAsNew";
  return state?.isDone ? "→ completed" : "→ waiting";
}

/**
 * Racing completions (a fan-out): compared as a multiset. How they are grouped into episodes depends on when
 * each message was dequeued on the extension (a batch of up to 32, DurableTask.AzureStorage ControlQueue), so
 * the boundaries are left out there.
 */
const asMultiset = (events: string[]) => events.filter((e) => e !== EPISODE).sort();

/** Groups a side's episodes by instance and execution, keeping the last episode of each execution. */
export function executions(episodes: Episode[], rootId: string, unordered: boolean): Record<string, string[][]> {
  const last: Record<string, Episode[]> = {};
  for (const e of episodes) {
    if (e.instanceId !== rootId && !e.instanceId.startsWith(`${rootId}-`)) continue;
    const list = (last[e.instanceId] ??= []);
    const previous = list.at(-1);
    if (!previous || !sameExecution(previous, e)) list.push(e);
    else list[list.length - 1] = e;
  }
  const result: Record<string, string[][]> = {};
  for (const id of Object.keys(last).sort()) {
    result[id] = last[id]!.map((e) => {
      const events = normaliseAll(e.history);
      return [...(unordered ? asMultiset(events) : events), ending(e)];
    });
  }
  return result;
}

/**
 * What a trace ended with: the output, or for a failed instance the orchestrator's error message. The extension
 * reports a failure as "Orchestrator function '<name>' failed: <message>" followed by the stack
 * (OutOfProcExceptionHelpers.cs, DurableOrchestrationContext); the local host keeps the message itself.
 */
export function outcome(trace: Pick<Trace, "status" | "output">): unknown {
  if (trace.status !== "Failed" || typeof trace.output !== "string") return trace.output;
  const message = trace.output.replace(/^Orchestrator function '[^']*' failed: /, "");
  return message.split("\n")[0]!.trim();
}

/** The differences between the two traces, as lines a person can read; empty when they agree. */
export function differences(extension: Trace, local: Trace): string[] {
  const out: string[] = [];
  if (extension.status !== local.status) out.push(`status: extension ${extension.status}, local host ${local.status}`);
  else if (JSON.stringify(outcome(extension)) !== JSON.stringify(outcome(local))) {
    out.push(`output: extension ${JSON.stringify(outcome(extension))}, local host ${JSON.stringify(outcome(local))}`);
  }
  const ids = [...new Set([...Object.keys(extension.instances), ...Object.keys(local.instances)])].sort();
  for (const id of ids) {
    const a = extension.instances[id] ?? [];
    const b = local.instances[id] ?? [];
    if (a.length !== b.length)
      out.push(`${id}: ${plural(a.length, "execution")} on the extension, ${b.length} on the local host`);
    for (let x = 0; x < Math.min(a.length, b.length); x++) {
      const ea = a[x]!;
      const eb = b[x]!;
      const at = ea.findIndex((ev, i) => ev !== eb[i]);
      if (at < 0 && ea.length === eb.length) continue;
      const i = at < 0 ? Math.min(ea.length, eb.length) : at;
      out.push(
        `${id} execution ${x + 1}, event ${i + 1}: extension [${ea.slice(i, i + 4).join(", ")}] vs local host [${eb.slice(i, i + 4).join(", ")}]`,
      );
    }
  }
  return out;
}
