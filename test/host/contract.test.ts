/**
 * Host contract tests: each runs the real durable-functions replay engine (pinned 3.5.0) through the
 * local host. They break loudly when an upgrade changes the protocol the host relies on.
 */
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { calls, resetCalls, nondeterminism } from "../../local/host/contractFixtures";
import { DAY } from "../../shared/domain/duration";

let host: TestHost;
const START = new Date("2026-12-01T09:00:00.000Z");

beforeEach(async () => {
  resetCalls();
  host = await createTestHost();
});
afterEach(() => host.stop());

const at = (days: number) => new Date(START.getTime() + days * DAY).toISOString();

describe("activities", () => {
  it("retries a failing activity with the SDK's task numbering: fails twice, succeeds on the third attempt", async () => {
    const id = await host.client.startNew("retrying");
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Completed");
    expect(done.output).toBe("succeeded on attempt 3");
    const scheduling = host
      .history(id)
      .filter((e) => ["TaskScheduled", "TaskFailed", "TimerCreated", "TimerFired", "TaskCompleted"].includes(e.type))
      .map((e) => `${e.type}(${e.EventId >= 0 ? e.EventId : (e.TaskScheduledId ?? e.TimerId)})`);
    // As DTFx's RetryInterceptor and the SDK's own test histories number them.
    expect(scheduling).toEqual([
      "TaskScheduled(0)",
      "TaskFailed(0)",
      "TimerCreated(1)",
      "TimerFired(1)",
      "TaskScheduled(2)",
      "TaskFailed(2)",
      "TimerCreated(3)",
      "TimerFired(3)",
      "TaskScheduled(4)",
      "TaskCompleted(4)",
    ]);
    // The retry timers waited the first retry interval of one minute each.
    const fired = host
      .history(id)
      .filter((e) => e.type === "TimerCreated")
      .map((e) => e.FireAt);
    expect(fired).toEqual(["2026-12-01T09:01:00.000Z", "2026-12-01T09:02:00.000Z"]);
  });

  it("runs every activity twice when asked, so non-idempotent activities show up", async () => {
    const twice = await createTestHost({ runActivitiesTwice: true });
    try {
      const id = await twice.client.startNew("waitsForGo");
      await twice.idle();
      expect(calls.echo).toEqual(["before wait", "before wait"]);
      await twice.client.terminate(id, "test over");
    } finally {
      await twice.stop();
    }
  });

  it("fans out and in over 1,000 activities", async () => {
    const id = await host.client.startNew("fanOut", { input: 1000 });
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Completed");
    expect(done.output).toBe(999 * 1000); // Σ 2i for i < 1000
    expect(host.customStatus(id)).toEqual({ fannedOut: 1000 });
    expect(host.history(id).filter((e) => e.type === "TaskScheduled")).toHaveLength(1000);
  });
});

describe("timers and events", () => {
  it("approves on day 5 of a 14-day long timer raced against an event, after 2 reminders", async () => {
    const id = await host.client.startNew("approvalWindow");
    await host.advanceTo(at(5));
    await host.client.raiseEvent(id, "approval", { by: "cio@contoso.com" });
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ outcome: "approved", reminders: 2, by: { by: "cio@contoso.com" }, at: at(5) });
    expect(calls.remind).toEqual([at(2), at(4)]);
    expect(done.warnings).toEqual([]);
    expect(done.timers).toEqual([]);
  });

  it("expires exactly at day 14 with 6 reminders when the event never comes", async () => {
    const id = await host.client.startNew("approvalWindow");
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ outcome: "expired", reminders: 6, at: at(14) });
    expect(calls.remind).toEqual([2, 4, 6, 8, 10, 12].map(at));
    expect(done.warnings).toEqual([]);
    // One wait per execution: the last one armed a single timer, at the deadline itself.
    expect(done.continuedAsNew).toBe(6);
    expect(
      host
        .history(id)
        .filter((e) => e.type === "TimerCreated")
        .map((e) => e.FireAt),
    ).toEqual([at(14)]);
  });

  it("waits out a 14-day timer in 3-day segments while more than 6 days remain (the Azure Storage limit)", async () => {
    const id = await host.client.startNew("longWait");
    const done = await host.runToCompletion(id);
    expect(done.output).toBe(at(14));
    const created = host
      .history(id)
      .filter((e) => e.type === "TimerCreated")
      .map((e) => e.FireAt);
    // 3-day steps while more than 6 days remain, then one timer to the end (LongTimerTask.getNextTimerTask).
    expect(created).toEqual([3, 6, 9, 14].map(at));
  });

  it("delivers an event raised before the orchestration waits for it", async () => {
    const id = await host.client.startNew("waitsForGo");
    // Raised while the "echo" activity is still outstanding.
    await host.client.raiseEvent(id, "go", "early bird");
    const done = await host.runToCompletion(id);
    expect(done.output).toBe("early bird");
  });

  it("continues as new three times, each execution starting with a fresh history", async () => {
    const id = await host.client.startNew("counter", { input: 0 });
    const done = await host.runToCompletion(id);
    expect(done.output).toEqual({ done: 3, at: at(4) });
    expect(done.continuedAsNew).toBe(3);
    expect(done.history.filter((e) => e.EventType === 0)).toHaveLength(1);
    expect(done.maxHistoryLength).toBeLessThan(15);
  });
});

describe("failures", () => {
  it("lets a parent catch a failing sub-orchestration", async () => {
    const id = await host.client.startNew("catchingParent");
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Completed");
    expect((done.output as { caught: string }).caught).toMatch(/failingChild.*failed.*kaboom/s);
    expect(host.instance(`${id}-child`).status).toBe("Failed");
  });

  it("retries a sub-orchestration with the SDK's numbering", async () => {
    const id = await host.client.startNew("childWithRetry");
    const done = await host.runToCompletion(id);
    expect(done.output).toBe("succeeded on attempt 3");
    expect(
      host
        .history(id)
        .filter((e) => e.type === "SubOrchestrationInstanceCreated")
        .map((e) => e.InstanceId),
    ).toEqual([`${id}:0`]);
  });

  it("fails the instance when the orchestrator throws", async () => {
    const id = await host.client.startNew("throws");
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Failed");
    expect(done.failure?.message).toBe("orchestrator gave up");
    const status = await host.client.getStatus(id);
    expect(status.runtimeStatus).toBe("Failed");
  });

  it("fails an orchestrator that branches differently on replay, naming the action", async () => {
    nondeterminism.flip = false;
    const id = await host.client.startNew("nondeterministic");
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Failed");
    expect(done.failure?.message).toMatch(/Non-deterministic orchestrator 'nondeterministic'.*action #0/);
  });

  it.each([
    ["usesEntity", /does not support callEntity/],
    ["usesHttp", /does not support callHttp/],
  ])("fails fast on an unsupported API (%s) instead of hanging", async (name, message) => {
    const id = await host.client.startNew(name);
    await host.idle();
    expect(host.instance(id).status).toBe("Failed");
    expect(host.instance(id).failure?.message).toMatch(message);
  });

  it("reports an instance that waits for an event nobody will raise instead of hanging", async () => {
    const id = await host.client.startNew("customStatus");
    await expect(host.runToCompletion(id)).rejects.toThrow(/waiting for an external event/);
  });
});

describe("the real DurableClient over HTTP", () => {
  it("starts, queries, raises an event on and terminates instances", async () => {
    const id = await host.client.startNew("customStatus", { instanceId: "fixed-id" });
    expect(id).toBe("fixed-id");
    await host.idle();
    let status = await host.client.getStatus(id);
    expect(status.runtimeStatus).toBe("Running");
    expect(status.customStatus).toEqual({ phase: "waiting" });

    await host.client.raiseEvent(id, "done", {});
    await host.idle();
    status = await host.client.getStatus(id);
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.customStatus).toEqual({ phase: "done" });
    expect(status.output).toMatch(/^[0-9a-f-]{36}$/);

    const other = await host.client.startNew("waitsForGo");
    await host.client.terminate(other, "no longer needed");
    status = await host.client.getStatus(other);
    expect(status.runtimeStatus).toBe("Terminated");
    await expect(host.client.raiseEvent("does-not-exist", "go", 1)).rejects.toThrow(/No instance/);
  });

  it("serves the app's HTTP triggers with route parameters and function keys", async () => {
    const started = await host.fetchApi("fixtures/waitsForGo", { method: "POST", body: "" });
    expect(started.status).toBe(202);
    const payload = (await started.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(started.headers.get("location")).toBe(payload.statusQueryGetUri);
    await host.idle();
    // The webhook URLs of createCheckStatusResponse work as plain HTTP.
    const raised = await fetch(payload.sendEventPostUri.replace("{eventName}", "go"), {
      method: "POST",
      body: JSON.stringify("via webhook"),
      headers: { "content-type": "application/json" },
    });
    expect(raised.status).toBe(202);
    await host.idle();
    const status = await fetch(payload.statusQueryGetUri);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { output: unknown }).output).toBe("via webhook");

    const noKey = await fetch(`${host.baseUrl}/api/fixtures/waitsForGo`, { method: "POST" });
    expect(noKey.status).toBe(401);
    const withoutSystemKey = await fetch(payload.statusQueryGetUri.replace(/code=[^&]+/, "code=wrong"));
    expect(withoutSystemKey.status).toBe(401);
    const ping = await fetch(`${host.baseUrl}/api/ping/ada`);
    expect(await ping.json()).toEqual({ pong: "ada" });
    expect((await fetch(`${host.baseUrl}/api/ping`)).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/api/ping/ada`, { method: "DELETE" })).status).toBe(405);
  });
});

describe("versions", () => {
  it("passes each instance its version and leaves instances of a newer version to a newer host", async () => {
    const older = await createTestHost({ defaultVersion: "2.0" });
    try {
      const own = await older.client.startNew("customStatus");
      const newer = await older.client.startNew("customStatus", { version: "3.0" });
      await older.idle();
      expect(older.instance(own).version).toBe("2.0");
      expect(older.customStatus(own)).toEqual({ phase: "waiting" });
      expect(older.instance(newer).status).toBe("Pending");
      expect(older.history(newer)).toEqual([]);
    } finally {
      await older.stop();
    }
  });
});
