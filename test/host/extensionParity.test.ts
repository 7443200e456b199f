/**
 * Behaviours of the real Durable Task extension that the conformance tier (conformance/) found and the local
 * host now reproduces; each of these tests fails on the host as it was before.
 */
import * as df from "durable-functions";
import "../../local/host/contractFixtures";
import { EventType } from "../../local/host/history";
import { createTestHost, type TestHost } from "../../local/host/testHost";

let host: TestHost;
beforeEach(async () => {
  host = await createTestHost();
});
afterEach(() => host.stop());

let invocations = 0;
df.app.orchestration("terminateProbe", function* (context) {
  invocations++;
  yield context.df.waitForExternalEvent("never");
});

describe("terminate", () => {
  it("runs the orchestrator once more with ExecutionTerminated in its history, then stops", async () => {
    const id = await host.client.startNew("terminateProbe");
    await host.idle();
    const before = invocations;
    await host.client.terminate(id, "cancelled");
    await host.idle();
    expect(invocations).toBe(before + 1);
    expect(host.instance(id).status).toBe("Terminated");
  });
});

/** Waits for "go" (or a day); the first execution continues as new, the second returns what it saw. */
df.app.orchestration("continuesAfterGo", function* (context) {
  const generation = context.df.getInput<number>() ?? 0;
  const go = context.df.waitForExternalEvent("go");
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 86_400_000));
  const winner: unknown = yield context.df.Task.any([go, timer]);
  if (winner === go) timer.cancel();
  if (generation === 0) {
    context.df.continueAsNew(1);
    return undefined;
  }
  return winner === go ? go.result : "timed out";
});

describe("continueAsNew", () => {
  it("carries the events of its episode into the next execution, even the one the code consumed", async () => {
    const id = await host.client.startNew("continuesAfterGo", { input: 0 });
    await host.idle();
    await host.client.raiseEvent(id, "go", { n: 1 });
    await host.idle();
    const done = host.instance(id);
    // The second execution starts with its ExecutionStarted and the carried "go", and takes it at once.
    expect(done.history.filter((e) => e.EventType === EventType.EventRaised).map((e) => e.Input)).toEqual([
      JSON.stringify({ n: 1 }),
    ]);
    expect(done.status).toBe("Completed");
    expect(done.output).toEqual({ n: 1 });
  });

  it("does not carry an event consumed in an earlier episode", async () => {
    const id = await host.client.startNew("continuesAfterWake", { input: 0 });
    await host.idle();
    await host.client.raiseEvent(id, "go", { n: 1 });
    await host.idle();
    expect(host.instance(id).status).toBe("Running"); // the second execution waits for its own "go"
    await host.client.raiseEvent(id, "go", { n: 2 });
    await host.idle();
    expect(host.instance(id).output).toEqual({ n: 2 });
  });
});

/** Like continuesAfterGo, but re-reads (an activity) after the event and continues as new in a later episode. */
df.app.orchestration("continuesAfterWake", function* (context) {
  const generation = context.df.getInput<number>() ?? 0;
  const go = context.df.waitForExternalEvent("go");
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 86_400_000));
  const winner: unknown = yield context.df.Task.any([go, timer]);
  if (winner === go) timer.cancel();
  yield context.df.callActivity("echo", "re-read");
  if (generation === 0) {
    context.df.continueAsNew(1);
    return undefined;
  }
  return winner === go ? go.result : "timed out";
});
