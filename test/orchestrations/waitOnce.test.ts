/**
 * A woken execution continues as new at once. Azure keeps an execution open while it holds a durable timer that has
 * neither fired nor been cancelled (DTFx waits for every outstanding task; docs/durable-semantics.md), so waitOnce
 * must cancel the timer that lost to the wake: otherwise the continueAsNew that follows takes effect only when that
 * timer would have fired (up to a day later), and whatever the wake was for waits as long.
 */
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { VirtualClock } from "../../local/host/clocks";
import type { InstanceRecord } from "../../local/host/instanceStore";
import { createTestHost, type TestHost } from "../../local/host/testHost";
import { START } from "../../local/fixtures/startRequest";
import { waitOnce } from "../../orchestrations/common";
import { DAY, MINUTE } from "../../shared/domain/duration";
import { Events } from "../../shared/workflow";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";

/** Waits once until `until` (ms from the start), then returns what the wait said. */
df.app.orchestration("waitOnceFor", function* (context: OrchestrationContext) {
  const { untilMs, wake } = context.df.getInput<{ untilMs?: number; wake: boolean }>();
  const until = untilMs === undefined ? undefined : new Date(context.df.currentUtcDateTime.getTime() + untilMs);
  const { woken, end } = yield* waitOnce(context, until, { wake });
  return { woken, end: end.toISOString() };
});

/** Breaks the rule: a second wait in the same execution. */
df.app.orchestration("waitsTwice", function* (context: OrchestrationContext) {
  yield* waitOnce(context, new Date(context.df.currentUtcDateTime.getTime() + MINUTE));
  yield* waitOnce(context, new Date(context.df.currentUtcDateTime.getTime() + MINUTE));
});

/** An execution as it continued as new: when, and the timers it still held that no cancel released. */
interface Ending {
  at: string;
  holdingTimers: string[];
}

describe("waitOnce", () => {
  let run: FakeRun;
  afterEach(() => run.stop());

  it("cancels the losing timer, so a woken execution continues as new at the wake, not when the timer would fire", async () => {
    const endings: Ending[] = [];
    run = await runWithFakes({
      state: { phase: "approval", checklist: [] },
      onContinueAsNew: (record: InstanceRecord) =>
        endings.push({
          at: run.host.clock.now().toISOString(),
          holdingTimers: record.timers.filter((t) => !t.cancelled).map((t) => t.fireAt),
        }),
    });
    // The gate is open and the execution sleeps until the next reminder, a day away.
    const waiting = endings.length;
    expect(run.host.engine.nextTimer()?.fireAt.toISOString()).toBe(afterStart(DAY));

    const readsBefore = run.callsOf("readAdminCommands").length;
    await run.wake();
    // The woken execution (and the one the carried-over wake wakes once more) continued as new at the wake's time.
    const woken = endings.slice(waiting);
    expect(woken.length).toBeGreaterThan(0);
    expect(woken).toEqual(woken.map(() => ({ at: afterStart(0), holdingTimers: [] })));
    // The next executions ran at once and re-read the store; the last one sleeps again.
    const reads = run.callsOf("readAdminCommands").slice(readsBefore);
    expect(reads.length).toBe(woken.length);
    expect(reads.map((c) => c.at)).toEqual(reads.map(() => afterStart(0)));
    expect(run.host.instance(run.id).status).toBe("Running");
  });

  it("holds no timer when an execution ends because its timer fired", async () => {
    const endings: Ending[] = [];
    run = await runWithFakes({
      state: { phase: "approval", checklist: [] },
      onContinueAsNew: (record: InstanceRecord) =>
        endings.push({ at: "", holdingTimers: record.timers.filter((t) => !t.cancelled).map((t) => t.fireAt) }),
    });
    const before = endings.length;
    await run.host.advanceBy(DAY + 1);
    expect(endings.length).toBeGreaterThan(before);
    for (const ending of endings) expect(ending.holdingTimers).toEqual([]);
  });
});

describe("waitOnce, on its own", () => {
  let host: TestHost;
  beforeEach(async () => {
    host = await createTestHost({ clock: new VirtualClock(START) });
  });
  afterEach(() => host.stop());

  const finish = async (id: string) => (await host.runToCompletion(id)).output;

  it("sleeps until the time asked for, capped at a day", async () => {
    const soon = await host.client.startNew("waitOnceFor", { input: { untilMs: 3 * MINUTE, wake: true } });
    expect(await finish(soon)).toEqual({ woken: false, end: afterStart(3 * MINUTE) });
    const late = await host.client.startNew("waitOnceFor", { input: { untilMs: 3 * DAY, wake: true } });
    expect(host.engine.nextTimer()?.fireAt.toISOString()).toBe(afterStart(DAY + 3 * MINUTE));
    expect(await finish(late)).toEqual({ woken: false, end: afterStart(DAY + 3 * MINUTE) });
    const whenever = await host.client.startNew("waitOnceFor", { input: { wake: true } });
    expect(await finish(whenever)).toEqual({ woken: false, end: afterStart(2 * DAY + 3 * MINUTE) });
  });

  it("ends at once on a wake, and says so", async () => {
    const id = await host.client.startNew("waitOnceFor", { input: { untilMs: DAY, wake: true } });
    await host.idle();
    await host.client.raiseEvent(id, Events.wake, {});
    await host.idle();
    expect(host.instance(id)).toMatchObject({ status: "Completed", output: { woken: true, end: afterStart(DAY) } });
  });

  it("without a wake, only the timer ends it", async () => {
    const id = await host.client.startNew("waitOnceFor", { input: { untilMs: 5 * MINUTE, wake: false } });
    await host.idle();
    await host.client.raiseEvent(id, Events.wake, {});
    await host.idle();
    expect(host.instance(id).status).toBe("Running");
    expect(await finish(id)).toEqual({ woken: false, end: afterStart(5 * MINUTE) });
  });

  it("refuses a second wait in the same execution, naming the instance", async () => {
    const id = await host.client.startNew("waitsTwice", { instanceId: "twice" });
    const done = await host.runToCompletion(id);
    expect(done.status).toBe("Failed");
    expect(JSON.stringify(done.output ?? null) + JSON.stringify(host.history(id))).toContain(
      "orchestration twice tried to wait twice in one execution",
    );
  });
});
