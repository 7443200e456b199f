/**
 * The replay check, tested by mutation: a history recorded from one version of an orchestration fails
 * to replay against code that changed its actions, with a message that names the orchestration, the
 * first differing action and the way out (raise the version, keep the old path).
 */
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import "../../local/host/contractFixtures";
import { createTestHost } from "../../local/host/testHost";
import {
  compareActions,
  longTimerSegments,
  recordExecution,
  replayExecution,
  reyields,
  type RecordedExecution,
} from "../../local/host/replay";
import { atLeast } from "../../shared/versions";
import { DAY } from "../../shared/domain/duration";

/** Which edit of the fixture orchestration is deployed. */
let deployed: "original" | "extraActivity" | "extraActivityFrom2.1" | "otherInput" = "original";

df.app.orchestration("replayFixture", function* (context: OrchestrationContext) {
  yield context.df.callActivity("echo", deployed === "otherInput" ? { first: true } : "first");
  const extra =
    deployed === "extraActivity" || (deployed === "extraActivityFrom2.1" && atLeast(context.df.version, "2.1"));
  if (extra) yield context.df.callActivity("echo", "added");
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + DAY));
  return yield context.df.callActivity("double", 21);
});

async function record(
  name: string,
  options: { defaultVersion?: string; lenientReyield?: boolean } = {},
): Promise<RecordedExecution> {
  const host = await createTestHost(options);
  try {
    const id = await host.client.startNew(name);
    const done = await host.runToCompletion(id);
    return await recordExecution("mutation", done, done.status);
  } finally {
    await host.stop();
  }
}

afterEach(() => (deployed = "original"));

describe("replaying a recorded history", () => {
  it("passes against the code that recorded it", async () => {
    const recorded = await record("replayFixture", { defaultVersion: "2.0" });
    expect(recorded.actions).toHaveLength(3);
    expect(compareActions(recorded, (await replayExecution(recorded)).actions)).toBeUndefined();
  });

  it("fails with a clear message when an edit adds an activity without raising the version", async () => {
    const recorded = await record("replayFixture", { defaultVersion: "2.0" });
    deployed = "extraActivity";
    const message = compareActions(recorded, (await replayExecution(recorded)).actions);
    expect(message).toMatch(
      /^mutation: 'replayFixture' v2\.0 instance \w+ execution 0: the current code returns different actions for the recorded history, from action #1 on\./,
    );
    expect(message).toContain('recorded: {"actionType":5');
    expect(message).toContain('now:      {"actionType":0,"functionName":"echo","input":"\\"added\\""');
    expect(message).toMatch(/raise host\.json defaultVersion/);
  });

  it("passes when an edit changes only what an activity receives (the extension matches activities by name)", async () => {
    const recorded = await record("replayFixture", { defaultVersion: "2.0" });
    deployed = "otherInput";
    expect(compareActions(recorded, (await replayExecution(recorded)).actions)).toBeUndefined();
  });

  it("passes when the edit only applies from a raised version and the older path is kept", async () => {
    const old = await record("replayFixture", { defaultVersion: "2.0" });
    deployed = "extraActivityFrom2.1";
    expect(compareActions(old, (await replayExecution(old)).actions)).toBeUndefined();
    const current = await record("replayFixture", { defaultVersion: "2.1" });
    expect(current.actions).toHaveLength(4);
    expect(compareActions(current, (await replayExecution(current)).actions)).toBeUndefined();
  });

  it("finds a timer longer than 6 days by its segments, and none in a window of 2-day waits", async () => {
    const long = await record("longWait");
    // The 14-day timer's 3-day segments (each at no timer action's own time); the last one, to day 14, is its own.
    const segments = longTimerSegments(long, (await replayExecution(long)).actions);
    expect(segments).toEqual([
      `${segmentAfter(long, 3 * DAY)} (task 0)`,
      `${segmentAfter(long, 6 * DAY)} (task 1)`,
      `${segmentAfter(long, 9 * DAY)} (task 2)`,
    ]);
    const fixture = await record("replayFixture");
    expect(longTimerSegments(fixture, (await replayExecution(fixture)).actions)).toEqual([]);
  });

  it("finds a re-yielded task in a recorded history", async () => {
    const gate = await record("reyieldingGate", { lenientReyield: true });
    expect(reyields((await replayExecution(gate)).actions)[0]).toMatch(
      /^yielded the timer \(fires at [\d-]+T[\d:.]+Z\), already scheduled, again inside Task\.any: the Durable extension would schedule it anew/,
    );
    const fixture = await record("replayFixture");
    expect(reyields((await replayExecution(fixture)).actions)).toEqual([]);
  });
});

function segmentAfter(recorded: RecordedExecution, ms: number): string {
  const started = recorded.history.find((e) => e.EventType === 12)!.Timestamp;
  return new Date(Date.parse(started) + ms).toISOString();
}
