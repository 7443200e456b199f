/**
 * The host is as strict as the Durable extension where the two could differ: each test pins one rule
 * that local/host cites from the extension's or DTFx's source.
 */
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { MemoryInstanceStore } from "../../local/host/instanceStore";
import { VirtualClock } from "../../local/host/clocks";
import { calls, resetCalls } from "../../local/host/contractFixtures";
import { DAY } from "../../shared/domain/duration";
import { compareVersions } from "../../shared/versions";

let host: TestHost;
const START = new Date("2026-12-01T09:00:00.000Z");
const at = (ms: number) => new Date(START.getTime() + ms).toISOString();

beforeEach(async () => {
  resetCalls();
  host = await createTestHost();
});
afterEach(() => host.stop());

describe("task ids as the extension's shim allocates them", () => {
  it("fails an orchestration that yields its expiry timer again in a new Task.any, naming the orchestration and the task", async () => {
    const id = await host.client.startNew("reyieldingGate");
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Failed");
    // echo is task 0, the expiry timer task 1, the first reminder task 2, "remind" task 3: the second
    // Task.any repeats the expiry (and the wake wait) next to the new reminder.
    expect(done.failure?.message).toMatch(
      new RegExp(
        `^orchestration 'reyieldingGate' \\(instance ${id}\\) yielded the timer \\(fires at ${at(3 * DAY)}\\) scheduled as task 1 again inside Task\\.any: ` +
          "the Durable extension would schedule it anew with the next sequence id \\(durable-js issue 574\\)",
      ),
    );
    // It failed at the first repeat, after the first reminder.
    expect(calls.remind).toEqual([at(DAY)]);
  });

  it("runs the same orchestration to its end when the temporary lenient option is set, and records the problem as a warning", async () => {
    const lenient = await createTestHost({ lenientReyield: true });
    try {
      const id = await lenient.client.startNew("reyieldingGate");
      const done = await lenient.runToCompletion(id);
      expect(done.status).toBe("Completed");
      expect(done.output).toBe("expired");
      expect(done.warnings.some((w) => /yielded the timer .* scheduled as task 1 again inside Task\.any/.test(w))).toBe(
        true,
      );
      expect(done.warnings.some((w) => /yielded the wait for event 'wake' again/.test(w))).toBe(true);
    } finally {
      await lenient.stop();
    }
  });
});

describe("cancelled timers", () => {
  it("still delivers the TimerFired of a cancelled timer, and the orchestration goes on", async () => {
    const id = await host.client.startNew("cancelsTimer");
    await host.idle();
    await host.client.raiseEvent(id, "go", 1);
    await host.idle();
    // The cancelled timer is still due: DTFx has no "cancel timer" event.
    expect(host.engine.nextTimer()?.fireAt.toISOString()).toBe(at(DAY));
    await host.advanceBy(DAY);
    expect(
      host
        .history(id)
        .filter((e) => e.type === "TimerFired")
        .map((e) => e.TimerId),
    ).toEqual([0]);
    expect(host.instance(id).status).toBe("Running");
    await host.client.raiseEvent(id, "done", "finished");
    const done = await host.runToCompletion(id);
    expect(done.output).toBe("finished");
    expect(done.warnings).toEqual([]);
  });

  it("fails when a cancelled long timer's segment fires and the SDK starts a segment the extension would not", async () => {
    const id = await host.client.startNew("cancelsLongTimer");
    await host.idle();
    await host.client.raiseEvent(id, "reject", "no");
    await host.idle();
    expect(host.instance(id).status).toBe("Running");
    // The first 3-day segment (task 0) still fires; the SDK then allocates task 1 for the next one.
    await host.advanceBy(3 * DAY);
    const record = host.instance(id);
    expect(record.status).toBe("Failed");
    expect(record.failure?.message).toMatch(
      new RegExp(
        `^orchestration 'cancelsLongTimer' \\(instance ${id}\\) cancelled a long timer \\(fires at ${at(7 * DAY)}\\) that kept firing: the SDK started its next segment as task 1`,
      ),
    );
  });
});

describe("retries", () => {
  it("surfaces the failure right after the last attempt, without another retry interval", async () => {
    const id = await host.client.startNew("exhaustsRetries");
    const done = await host.runToCompletion(id);
    // Attempts at 0, +1 min, +2 min (RetryOptions(60 s, 3)); the failure is seen at +2 min, not +3.
    expect(done.output).toBe(at(2 * 60_000));
    const timers = host
      .history(id)
      .filter((e) => e.type === "TimerCreated")
      .map((e) => `${e.EventId}@${e.FireAt}`);
    expect(timers).toEqual([`1@${at(60_000)}`, `3@${at(2 * 60_000)}`, `5@${at(2 * 60_000)}`]);
    // The timer after the last attempt is written and fires like the others, as on the extension
    // (conformance scenario "activity exhausts its retries"): the SDK counts its id.
    expect(
      host
        .history(id)
        .filter((e) => e.type === "TimerFired")
        .map((e) => e.TimerId),
    ).toEqual([1, 3, 5]);
  });
});

describe("instance ids", () => {
  it.each([
    ["a/b", /must not contain \//],
    ["a\\b", /must not contain/],
    ["a#b", /must not contain/],
    ["a?b", /must not contain/],
    ["a\u0007b", /control characters/],
    ["@entity", /must not start with @/],
    ["x".repeat(257), /must not exceed 256/],
  ])("refuses %j with 400 on the management API", async (instanceId, message) => {
    const url = `${host.server.clientData().baseUrl}/orchestrators/customStatus/${encodeURIComponent(instanceId)}?code=${host.server.systemKey}`;
    const res = await fetch(url, { method: "POST", body: "" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    await expect(host.engine.startNew("customStatus", { instanceId })).rejects.toThrow(message);
  });

  it("accepts a 256-character id and refuses to start an id that is still running", async () => {
    const id = "x".repeat(256);
    expect(await host.client.startNew("customStatus", { instanceId: id })).toBe(id);
    await host.idle();
    await expect(host.client.startNew("customStatus", { instanceId: id })).rejects.toThrow(
      /already exists and is Running/,
    );
  });
});

describe("versions", () => {
  it.each([
    ["2.0", "2.0.0", -1],
    ["2.0.0", "2.0", 1],
    ["1.10", "1.9", 1],
    ["2.0", "2.0", 0],
    ["", "1.0", -1],
    ["1.0", "", 1],
    ["2", "10", 1], // not System.Version (one part): ordinal text
    ["beta", "BETA", 0],
  ])("compares %j with %j as System.Version (or as text) -> %d", (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it("gates orchestrations by version but still runs activities of a newer instance", async () => {
    const store = new MemoryInstanceStore();
    const clock = new VirtualClock(START);
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const newer = await createTestHost({
      clock,
      store,
      defaultVersion: "2.0.1",
      activities: { echo: () => blocked.then(() => "late") },
    });
    const id = await newer.client.startNew("waitsForGo");
    await new Promise((r) => setTimeout(r, 50));
    newer.engine.crash();
    await newer.server.close();
    release();

    // "2.0" < "2.0.1": this host does not replay the instance, but it runs its pending activity.
    const older = await createTestHost({ clock, store, defaultVersion: "2.0" });
    try {
      await older.idle();
      expect(calls.echo).toEqual(["before wait"]);
      const record = older.instance(id);
      expect(record.inbox.map((e) => e.EventType)).toEqual([5]); // TaskCompleted, waiting for a 2.0.1 host
      expect(record.status).toBe("Running");
    } finally {
      await older.stop();
    }
  });
});

describe("the management API", () => {
  it("needs the system key on the app's port, webhook and rpc routes alike, while the client binding still works", async () => {
    const id = await host.client.startNew("customStatus");
    await host.idle();
    for (const path of [`/runtime/webhooks/durabletask/instances/${id}`, `/durabletask/instances/${id}`]) {
      expect((await fetch(`${host.baseUrl}${path}`)).status).toBe(401);
      expect((await fetch(`${host.baseUrl}${path}?code=wrong`)).status).toBe(401);
      expect((await fetch(`${host.baseUrl}${path}?code=${host.server.systemKey}`)).status).toBe(202);
    }
    // The binding's rpcBaseUrl is a loopback listener of its own, as the extension's LocalHttpListener.
    const rpc = new URL(host.server.clientData().rpcBaseUrl);
    expect(rpc.hostname).toBe("127.0.0.1");
    expect(rpc.origin).not.toBe(host.baseUrl);
    expect((await host.client.getStatus(id)).runtimeStatus).toBe("Running");
    // The app's own HTTP functions are unaffected.
    expect((await host.fetchApi("fixtures/waitsForGo", { method: "POST", body: "" })).status).toBe(202);
  });
});
