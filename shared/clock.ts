/**
 * Time as adapters and simulators see it. Production uses the system clock; the local host swaps in a
 * virtual (time-skipping) or accelerated clock so that a 14-day window runs in milliseconds or minutes
 * and Exchange pacing is checked on the same clock the simulators use.
 */
export interface Clock {
  now(): Date;
  /** Waits `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
