/**
 * The histories the real extension handed the SDK, kept as replay fixtures (local/host/replay.ts's format): per
 * instance and execution, the history of the execution's last episode, which holds the whole execution as the
 * extension stored it (its episode markers, its timestamps: timers that fired early included), with the actions
 * the SDK returned for it on the extension. test/replay/replay.test.ts replays the chosen set committed under
 * test/fixtures/extension-histories beside the local host's.
 */
import { EventType, type HistoryEvent } from "../../local/host/history";
import { signature } from "../../local/host/engine";
import type { RecordedExecution } from "../../local/host/replay";
import { endsWithContinueAsNew, episodeState, sameExecution, type Episode } from "./recorder";

type Ended = RecordedExecution["ended"];

/** Every execution of `rootId` and its sub-orchestrations, in the order their last episodes ran. */
export function recordedExecutions(
  scenario: string,
  episodes: Episode[],
  rootId: string,
  finalStatus: Record<string, string>,
): RecordedExecution[] {
  const executions: { episode: Episode; execution: number }[] = [];
  const current = new Map<string, { episode: Episode; execution: number }>();
  for (const episode of episodes) {
    const id = episode.instanceId;
    if (id !== rootId && !id.startsWith(`${rootId}-`)) continue;
    const open = current.get(id);
    const entry =
      open && sameExecution(open.episode, episode)
        ? Object.assign(open, { episode })
        : { episode, execution: open ? open.execution + 1 : 0 };
    if (entry !== open) executions.push(entry);
    current.set(id, entry);
  }
  return executions.map(({ episode, execution }) => {
    const history = JSON.parse(JSON.stringify(episode.history)) as HistoryEvent[];
    const started = history.find((e) => e.EventType === EventType.ExecutionStarted);
    if (!started) throw new Error(`${episode.instanceId}: an episode without ExecutionStarted`);
    const raw = started as HistoryEvent & { ParentInstance?: { OrchestrationInstance?: { InstanceId?: string } } };
    const parentInstanceId = raw.ParentInstance?.OrchestrationInstance?.InstanceId;
    const state = episodeState(episode);
    const latest = current.get(episode.instanceId)!.episode === episode;
    const ended: Ended = endsWithContinueAsNew(episode)
      ? "continuedAsNew"
      : latest
        ? ((finalStatus[episode.instanceId] ?? "Running") as Ended)
        : "Running";
    return {
      scenario,
      instanceId: episode.instanceId,
      name: episode.name,
      version: started.Version ?? "",
      execution,
      input: started.Input === undefined ? null : (JSON.parse(started.Input) as unknown),
      ...(parentInstanceId ? { parentInstanceId } : {}),
      ended,
      history,
      actions: (state?.actions?.[0] ?? []).map((a) => signature(a as Parameters<typeof signature>[0])),
    };
  });
}
