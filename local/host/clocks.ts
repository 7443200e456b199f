/**
 * The local host's two clocks. Both implement the app's Clock port, so activities, adapters and the
 * simulators all see the same time as the durable timers.
 */
import type { Clock } from "../../shared/clock";

/** Tests: time moves only when told to (or when something sleeps), so 14 days pass in milliseconds. */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start: Date | string = "2026-12-01T09:00:00Z") {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  /** Moves time forward (never back). */
  set(to: Date): void {
    if (to.getTime() > this.t) this.t = to.getTime();
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms);
  }
  readonly kind = "virtual" as const;
}

/** The demo: real time, optionally accelerated (factor 10,080 turns a 14-day window into 2 minutes). */
export class AcceleratedClock implements Clock {
  private originVirtual: number;
  private originReal: number;
  constructor(
    readonly factor = 1,
    start: Date = new Date(),
  ) {
    if (!(factor >= 1)) throw new Error(`acceleration must be ≥ 1, got ${factor}`);
    this.originVirtual = start.getTime();
    this.originReal = Date.now();
  }
  now(): Date {
    return new Date(this.originVirtual + (Date.now() - this.originReal) * this.factor);
  }
  /** Continues from a saved time (a restarted demo resumes where it stopped, not where the wall clock is). */
  resumeAt(time: Date): void {
    this.originVirtual = time.getTime();
    this.originReal = Date.now();
  }
  /** How long in real milliseconds until this clock reaches `time`. */
  realDelayUntil(time: Date): number {
    return Math.max(0, (time.getTime() - this.now().getTime()) / this.factor);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.factor)));
  }
  readonly kind = "real" as const;
}
