/**
 * The local host plays an episode's actions as the Durable extension's shim and DTFx do (local/host/shim.ts):
 * an execution ends only when nothing is open, a failed Task.all holds what follows until every child is done,
 * events are delivered in their own episode while activities run, a wake played before continueAsNew is not
 * carried, the custom status is limited to 16 KB, and timers fire up to a second early. The same fixtures run on
 * the real extension in conformance/ (strictnessScenarios.ts).
 */
import "../../conformance/fixtures/index";
import "../../conformance/fixtures/strictness";
import { Strictness } from "../../conformance/fixtures/names";
import { holds } from "../../conformance/fixtures/holds";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { EventTypeName, type HistoryEvent } from "../../local/host/history";
import type { InstanceRecord } from "../../local/host/instanceStore";

let host: TestHost;
const executions: HistoryEvent[][] = [];
const START = Date.parse("2026-12-01T09:00:00.000Z");

beforeEach(async () => {
  executions.length = 0;
  holds.reset();
  host = await createTestHost({
    onContinueAsNew: (record: InstanceRecord) => void executions.push([...record.history]),
  });
});
afterEach(() => host.stop());

/** Event types (with task ids) of a history, markers left out. */
const shape = (history: HistoryEvent[]) =>
  history
    .map((e) => {
      const type = EventTypeName[e.EventType]!;
      const id = e.TaskScheduledId ?? e.TimerId ?? (e.EventId >= 0 ? e.EventId : undefined);
      return id === undefined ? type : `${type}#${id}`;
    })
    .filter((t) => !t.startsWith("Orchestrator"));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error("condition not reached");
}

describe("an execution ends only when nothing is open (DTFx HasOpenTasks)", () => {
  it("keeps an execution that continued as new with an uncancelled timer Running until the timer fires", async () => {
    const id = await host.client.startNew(Strictness.openTimerAtContinue, { input: { generation: 0, timerMs: 4000 } });
    await host.idle();
    await host.client.raiseEvent(id, "go", {});
    await host.idle();
    expect(host.instance(id).executionId).toBe(0);
    expect(host.instance(id).status).toBe("Running");
    expect(host.instance(id).warnings.join("\n")).toMatch(/returned, but 1 task it scheduled is still open/);
    await host.advanceBy(4000);
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ generation: 1 });
    expect(shape(executions[0]!)).toEqual([
      "ExecutionStarted",
      "TimerCreated#0",
      "EventRaised",
      "TimerFired#0",
      "ContinueAsNew",
    ]);
  });
});

describe("a failed Task.all, as the shim's Task.WhenAll sees it", () => {
  it("schedules the code after the failure only once the slow sibling is done", async () => {
    const id = await host.client.startNew(Strictness.failedFanOut, { input: { slowMs: 3000 } });
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ failed: true });
    expect(shape(done.history)).toEqual([
      "ExecutionStarted",
      "SubOrchestrationInstanceCreated#0",
      "SubOrchestrationInstanceCreated#1",
      "SubOrchestrationInstanceFailed#0",
      "SubOrchestrationInstanceCompleted#1",
      "TaskScheduled#2",
      "TaskCompleted#2",
      "ExecutionCompleted",
    ]);
  });
});

describe("events while activities run", () => {
  it("delivers a wake raised during an activity in its own episode, where it wins at once", async () => {
    const id = await host.client.startNew(Strictness.wakeWhileRunning, { input: { holdKey: "a" } });
    await holds.started("a");
    await host.client.raiseEvent(id, "wake", {});
    await until(() =>
      host.instance(id).history.some((e) => EventTypeName[e.EventType] === "TaskScheduled" && e.EventId === 1),
    );
    holds.release("a");
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ woken: true });
    expect(shape(done.history)).toEqual([
      "ExecutionStarted",
      "TaskScheduled#0",
      "EventRaised",
      "TaskScheduled#1",
      "TaskCompleted#1",
      "TaskCompleted#0",
      "ExecutionCompleted",
    ]);
  });

  it("does not carry a wake raised during the last activity before continueAsNew: the next execution wakes on its timer", async () => {
    const id = await host.client.startNew(Strictness.wakeBeforeContinue, {
      input: { generation: 0, holdKey: "b", timerMs: 2000 },
    });
    await holds.started("b");
    await host.client.raiseEvent(id, "wake", {});
    await until(() => host.instance(id).history.some((e) => EventTypeName[e.EventType] === "EventRaised"));
    holds.release("b");
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ wokenBy: "its timer" });
  });
});

describe("custom status", () => {
  it("fails the instance when the status is over 16 KB in UTF-16, with the extension's message", async () => {
    const id = await host.client.startNew(Strictness.bigStatus, { input: { chars: 8704 } });
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Failed");
    expect(done.failure?.message).toBe(
      "Orchestrator function 'cfBigStatus' failed: The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
    );
  });

  it("accepts a status just under the limit", async () => {
    const id = await host.client.startNew(Strictness.bigStatus, { input: { chars: 8703 } });
    expect((await host.runToCompletion(id)).status).toBe("Completed");
  });
});

describe("timers on Azure Storage", () => {
  const firedAt = async (h: TestHost) => {
    const id = await h.client.startNew("cfSlowChild", { input: { slowMs: 2750 } });
    await h.runToCompletion(id);
    const fired = h.history(id).find((e) => e.type === "TimerFired")!;
    const episode = h
      .history(id)
      .filter((e) => e.type === "OrchestratorStarted")
      .at(-1)!;
    return { deliveredAfter: Date.parse(episode.Timestamp) - START, namedFor: Date.parse(fired.FireAt!) - START };
  };

  it("fire up to a second early by default: the visibility delay is whole seconds", async () => {
    expect(await firedAt(host)).toEqual({ deliveredAfter: 2000, namedFor: 2750 });
  });

  it("fire on time when the test asks for exact timers", async () => {
    const exact = await createTestHost({ timerEarlyMs: 0 });
    try {
      expect(await firedAt(exact)).toEqual({ deliveredAfter: 2750, namedFor: 2750 });
    } finally {
      await exact.stop();
    }
  });
});
