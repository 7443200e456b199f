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

/**
 * The demo: real time, optionally accelerated (factor 10,080 turns a 14-day window into 2 minutes). It can be
 * paused: while the demo waits on a person, simulated time stands still, so taking minutes over a task costs
 * no simulated window.
 */
export class AcceleratedClock implements Clock {
  private originVirtual: number;
  private originReal: number;
  /** The simulated time it stands at while paused. */
  private pausedAt: number | null = null;
  private readonly resumeListeners = new Set<() => void>();
  constructor(
    readonly factor = 1,
    start: Date = new Date(),
  ) {
    if (!(factor >= 1)) throw new Error(`acceleration must be ≥ 1, got ${factor}`);
    this.originVirtual = start.getTime();
    this.originReal = Date.now();
  }
  now(): Date {
    return new Date(this.pausedAt ?? this.originVirtual + (Date.now() - this.originReal) * this.factor);
  }
  /** Continues from a saved time (a restarted demo resumes where it stopped, not where the wall clock is). */
  resumeAt(time: Date): void {
    this.originVirtual = time.getTime();
    this.originReal = Date.now();
    if (this.pausedAt !== null) this.pausedAt = time.getTime();
  }
  get paused(): boolean {
    return this.pausedAt !== null;
  }
  /** Simulated time stops where it is until `resume()`. */
  pause(): void {
    if (this.pausedAt === null) this.pausedAt = this.now().getTime();
  }
  /** Simulated time runs on from where it was paused. */
  resume(): void {
    if (this.pausedAt === null) return;
    const at = this.pausedAt;
    this.pausedAt = null;
    this.resumeAt(new Date(at));
    for (const listener of this.resumeListeners) listener();
  }
  /** Called after each resume (the scheduler re-arms its timer); returns the unsubscribe. */
  onResume(listener: () => void): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }
  /** How long in real milliseconds until this clock reaches `time`; Infinity while paused and `time` is ahead. */
  realDelayUntil(time: Date): number {
    const ahead = time.getTime() - this.now().getTime();
    if (ahead > 0 && this.paused) return Infinity;
    return Math.max(0, ahead / this.factor);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.factor)));
  }
  readonly kind = "real" as const;
}
