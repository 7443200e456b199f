/**
 * A woken execution continues as new at once. Azure keeps an execution open while it holds a durable timer that has
 * neither fired nor been cancelled (DTFx waits for every outstanding task; docs/durable-semantics.md), so waitOnce
 * must cancel the timer that lost to the wake: otherwise the continueAsNew that follows takes effect only when that
 * timer would have fired (up to a day later), and whatever the wake was for waits as long.
 */
import { DAY } from "../../shared/domain/duration";
import type { InstanceRecord } from "../../local/host/instanceStore";
import { afterStart, runWithFakes, type FakeRun } from "./fakeActivities";

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
