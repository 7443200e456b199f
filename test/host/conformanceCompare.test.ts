/**
 * What the conformance tier compares between the real extension and the local host (conformance/node/compare.ts),
 * checked without dotnet: episodes are grouped by OrchestratorStarted (DTFx's extra OrchestratorCompleted after a
 * continued execution's first episode is no difference), a different grouping is one, and a failed instance's
 * message is compared without the extension's prefix and stack.
 */
import { differences, executions, outcome, type Trace } from "../../conformance/node/compare";
import type { Episode } from "../../conformance/node/recorder";
import { ActionType, EventType } from "../../local/host/history";

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
const event = (type: number, s: number, fields: Record<string, unknown> = {}) => ({
  EventType: type,
  EventId: -1,
  Timestamp: at(s),
  ...fields,
});
const started = (s: number) => event(EventType.OrchestratorStarted, s);
const completed = (s: number) => event(EventType.OrchestratorCompleted, s);
const execution = (s: number) => event(EventType.ExecutionStarted, s, { Name: "gate" });
const scheduled = (id: number, s: number) => event(EventType.TaskScheduled, s, { EventId: id, Name: "read" });
const done = (id: number, s: number) => event(EventType.TaskCompleted, s, { TaskScheduledId: id });
const wake = (s: number) => event(EventType.EventRaised, s, { Name: "wake" });

const episode = (history: Record<string, unknown>[], isDone = false): Episode => ({
  name: "gate",
  instanceId: "i",
  history,
  state: { isDone, actions: [[]] },
});
const trace = (episodes: Episode[], status = "Running", output: unknown = null): Trace => ({
  instances: executions(episodes, "i", false),
  status,
  output,
});

describe("the conformance comparison", () => {
  it("groups events into episodes by OrchestratorStarted, whatever the closing markers", () => {
    // A continued execution's first episode: DTFx closes it before what it scheduled; the local host after.
    const extension = [
      started(0),
      execution(0),
      wake(0),
      completed(0),
      scheduled(0, 0),
      completed(0),
      started(1),
      done(0, 1),
    ];
    const local = [started(0), execution(0), wake(0), scheduled(0, 0), completed(0), started(1), done(0, 1)];
    expect(trace([episode(extension)]).instances).toEqual({
      i: [
        [
          "— episode —",
          "ExecutionStarted gate",
          "EventRaised wake",
          "TaskScheduled#0 read",
          "— episode —",
          "TaskCompleted#0",
          "→ waiting",
        ],
      ],
    });
    expect(differences(trace([episode(extension)]), trace([episode(local)]))).toEqual([]);
  });

  it("tells apart an event delivered in its own episode from one delivered with a completion", () => {
    const own = [started(0), execution(0), scheduled(0, 0), completed(0), started(1), wake(1), started(2), done(0, 2)];
    const together = [started(0), execution(0), scheduled(0, 0), completed(0), started(2), wake(1), done(0, 2)];
    expect(differences(trace([episode(own)]), trace([episode(together)]))).toEqual([
      "i execution 1, event 6: extension [— episode —, TaskCompleted#0, → waiting] vs local host [TaskCompleted#0, → waiting]",
    ]);
  });

  it("starts a new execution after an episode that continued as new", () => {
    const continued: Episode = {
      ...episode([started(0), execution(0), wake(0)], true),
      state: { isDone: true, actions: [[{ actionType: ActionType.ContinueAsNew }]] },
    };
    expect(trace([continued, episode([started(1), execution(1)])]).instances.i).toHaveLength(2);
  });

  it("compares a failed instance's message, without the extension's prefix and stack", () => {
    const extension = "Orchestrator function 'gate' failed: Activity function 'read' failed: boom \n {\"$type\": …}";
    expect(outcome({ status: "Failed", output: extension })).toBe("Activity function 'read' failed: boom");
    const local = (output: string) => ({ instances: {}, status: "Failed", output });
    expect(
      differences(
        { instances: {}, status: "Failed", output: extension },
        local("Activity function 'read' failed: boom \n Error: boom"),
      ),
    ).toEqual([]);
    expect(
      differences(
        { instances: {}, status: "Failed", output: extension },
        local("Activity function 'read' failed: bang"),
      ),
    ).toEqual([
      "output: extension \"Activity function 'read' failed: boom\", local host \"Activity function 'read' failed: bang\"",
    ]);
  });
});
