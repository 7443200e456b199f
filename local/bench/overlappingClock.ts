/**
 * A virtual clock whose sleeps overlap, as concurrent waits do in real time. The host's VirtualClock
 * adds every sleep to the time at once, so eight activities that each wait out a 1 s Retry-After move
 * time by 8 s where real time would move by 1 s; under a rate limit that overstates the phase. Here a
 * sleep only registers its wake-up time; after a short real-time pause (so that the other workers'
 * concurrent sleeps can register too) time jumps to the earliest wake-up and wakes everyone due.
 */
import { VirtualClock } from "../host/clocks";

/** Real milliseconds to let concurrent sleepers register before time jumps. */
const settleMs = 2;

interface Sleeper {
  until: number;
  wake: () => void;
}

export class OverlappingSleepClock extends VirtualClock {
  private sleepers: Sleeper[] = [];
  private jumpScheduled = false;

  override sleep(ms: number): Promise<void> {
    const until = this.now().getTime() + Math.max(0, ms);
    return new Promise((wake) => {
      this.sleepers.push({ until, wake });
      this.scheduleJump();
    });
  }

  /** The durable host moving time (a timer firing) also wakes the sleepers it passes. */
  override set(to: Date): void {
    super.set(to);
    this.wakeDue();
  }

  private scheduleJump(): void {
    if (this.jumpScheduled) return;
    this.jumpScheduled = true;
    setTimeout(() => {
      this.jumpScheduled = false;
      if (this.sleepers.length === 0) return;
      this.set(new Date(Math.min(...this.sleepers.map((s) => s.until))));
      if (this.sleepers.length > 0) this.scheduleJump();
    }, settleMs);
  }

  private wakeDue(): void {
    const now = this.now().getTime();
    const due = this.sleepers.filter((s) => s.until <= now);
    this.sleepers = this.sleepers.filter((s) => s.until > now);
    for (const sleeper of due) sleeper.wake();
  }
}
