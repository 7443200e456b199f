/**
 * What moves durable timers: a virtual driver that tests call (time skipping), or a real-time
 * scheduler for the demo that sleeps until the next timer on an accelerated clock.
 */
import type { LocalDurableEngine } from "./engine";
import { isTerminal } from "./engine";
import type { AcceleratedClock, VirtualClock } from "./clocks";
import type { InstanceRecord } from "./instanceStore";

export class VirtualTimeDriver {
  constructor(
    private readonly engine: LocalDurableEngine,
    private readonly clock: VirtualClock,
  ) {}

  /** Fires every timer due up to `time`, one instant at a time, letting the work settle in between. */
  async advanceTo(time: Date): Promise<void> {
    await this.engine.idle();
    for (;;) {
      const next = this.engine.nextTimer();
      if (!next || next.fireAt > time) break;
      this.clock.set(next.fireAt);
      await this.engine.fireDueTimers();
      await this.engine.idle();
    }
    this.clock.set(time);
    await this.engine.fireDueTimers();
    await this.engine.idle();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(new Date(this.clock.now().getTime() + ms));
  }

  /**
   * Skips from timer to timer until the instance finishes. An instance that waits for an event with
   * no timer left would never finish: that is an error, not a hang.
   */
  async runToCompletion(instanceId: string, options: { limitMs?: number } = {}): Promise<InstanceRecord> {
    const limit = this.clock.now().getTime() + (options.limitMs ?? 400 * 86_400_000);
    await this.engine.idle();
    for (;;) {
      const record = this.engine.getInstance(instanceId);
      if (!record) throw new Error(`No instance with ID '${instanceId}' found.`);
      if (isTerminal(record.status)) return record;
      const next = this.engine.nextTimer();
      if (!next) {
        throw new Error(
          `Instance '${instanceId}' (${record.name}) is ${record.status} with no timer pending and no work running: ` +
            `it is waiting for an external event that nothing will raise.`,
        );
      }
      if (next.fireAt.getTime() > limit)
        throw new Error(
          `Instance '${instanceId}' did not finish within the time limit (next timer at ${next.fireAt.toISOString()}).`,
        );
      await this.advanceTo(next.fireAt);
    }
  }
}

/** The demo's scheduler: re-arms one Node timer for the earliest durable timer whenever work settles. */
export class RealTimeScheduler {
  private handle?: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[];
  private stopped = false;

  constructor(
    private readonly engine: LocalDurableEngine,
    private readonly clock: AcceleratedClock,
  ) {
    // A paused clock reaches no timer; its resume arms again.
    this.unsubscribe = [engine.onIdle(() => this.arm()), clock.onResume(() => this.arm())];
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    clearTimeout(this.handle);
    const next = this.engine.nextTimer();
    if (!next) return;
    // Node caps setTimeout at ~24.8 days; re-arming after each wake keeps long waits correct.
    const untilDue = this.clock.realDelayUntil(next.fireAt);
    if (untilDue === Infinity) return;
    const delay = Math.min(untilDue, 2 ** 31 - 1);
    this.handle = setTimeout(() => {
      void this.engine.fireDueTimers().then(() => this.arm());
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.handle);
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
  }
}
