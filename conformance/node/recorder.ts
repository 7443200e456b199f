/**
 * Wraps every registered orchestrator callback so that both hosts are observed the same way: each episode's
 * binding (the history the host hands the SDK) and the OrchestratorState the SDK returns. A scenario may also
 * pause an episode before its result goes back to the host (to raise an event "between" two executions).
 */
import { registry } from "../../local/host/fakeCore";
import { ActionType, EventType } from "../../local/host/history";

export interface Episode {
  name: string;
  instanceId: string;
  history: Record<string, unknown>[];
  state?: { isDone?: boolean; actions?: { actionType: number }[][]; output?: unknown; error?: string };
  error?: string;
}

type PauseHook = (episode: Episode) => Promise<void> | void;

export class Recorder {
  private episodes: Episode[] = [];
  private pauses: PauseHook[] = [];

  /** Replaces each orchestration callback in the fake core registry by a recording one (once). */
  install(): void {
    for (const [name, reg] of registry) {
      const isOrchestration = Object.values(reg.metadata.bindings).some((b) => b.type === "orchestrationTrigger");
      if (!isOrchestration || (reg.callback as { recorded?: boolean }).recorded) continue;
      const original = reg.callback;
      const recorded = async (
        binding: { instanceId: string; history: Record<string, unknown>[] },
        context: unknown,
      ) => {
        const episode: Episode = { name, instanceId: binding.instanceId, history: structuredClone(binding.history) };
        this.episodes.push(episode);
        try {
          episode.state = (await original(binding, context)) as Episode["state"];
        } catch (err) {
          episode.error = err instanceof Error ? err.message : String(err);
          throw err;
        } finally {
          for (const pause of this.pauses) await pause(episode);
        }
        return episode.state;
      };
      recorded.recorded = true;
      registry.set(name, { metadata: reg.metadata, callback: recorded });
    }
  }

  /** Runs `hook` after every episode until the returned function is called. */
  onEpisode(hook: PauseHook): () => void {
    this.pauses.push(hook);
    return () => {
      this.pauses = this.pauses.filter((p) => p !== hook);
    };
  }

  restore(episodes: Episode[]): void {
    this.episodes = [...episodes, ...this.episodes];
  }

  take(): Episode[] {
    const all = this.episodes;
    this.episodes = [];
    return all;
  }
}

/** The state an episode returned, parsed out of a failure's "$OutOfProcData$" text when the orchestrator threw. */
export function episodeState(e: Episode): Episode["state"] {
  if (e.state) return e.state;
  const marker = "$OutOfProcData$:";
  const at = e.error?.indexOf(marker) ?? -1;
  if (at < 0) return undefined;
  try {
    return JSON.parse(e.error!.slice(at + marker.length));
  } catch {
    return undefined;
  }
}

export const endsWithContinueAsNew = (e: Episode) => {
  const state = episodeState(e);
  return !!state?.isDone && (state.actions?.[0] ?? []).some((a) => a.actionType === ActionType.ContinueAsNew);
};

/**
 * Whether `next` is a later episode of the execution `previous` belongs to. An execution that continued as new
 * with a task still open runs more episodes before it ends (local/host/shim.ts): its history only grows, from
 * the same ExecutionStarted.
 */
export function sameExecution(previous: Episode, next: Episode): boolean {
  if (!endsWithContinueAsNew(previous)) return true;
  const started = (e: Episode) =>
    JSON.stringify(
      e.history.find((h) => h.EventType === EventType.ExecutionStarted || h.EventType === "ExecutionStarted"),
    );
  return next.history.length > previous.history.length && started(next) === started(previous);
}
