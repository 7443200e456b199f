/**
 * How often the demo reads the migration's status (local/demo/migrationRun.ts): as often as something can have
 * changed, and no more.
 */
import type { LocalDurableEngine } from "../host/engine";

/** The status is read at most this often while the host works (a monitor pass, a decision, a timer)… */
export const POLL_MS = 300;
/** …and at least this often while it is quiet (a paused clock, a slow one between timers): nothing it shows changed. */
export const QUIET_POLL_MS = 2_000;

/**
 * When to read the status again. What it shows changes only through the host's work (each step of an orchestration,
 * after a decision, an activity or a timer; the host settles after each), so the next read waits for the host to have
 * worked since the last one began: every POLL_MS while it works, every QUIET_POLL_MS while it is quiet (the clock
 * paused for a person, or slow between timers), rather than reading the same status three times a second.
 */
export class StatusPace {
  private worked = true;
  private wake?: () => void;
  readonly stop: () => void;

  constructor(engine: Pick<LocalDurableEngine, "onIdle">) {
    this.stop = engine.onIdle(() => {
      this.worked = true;
      this.wake?.();
    });
  }

  /** A read begins: work from now on calls for the next one. */
  reading(): void {
    this.worked = false;
  }

  /** Resolves when the next read is due, or at once when `signal` aborts. */
  async nextRead(signal: AbortSignal): Promise<void> {
    await sleep(POLL_MS, signal);
    if (this.worked) return;
    const woken = new AbortController();
    this.wake = () => woken.abort();
    await sleep(QUIET_POLL_MS - POLL_MS, AbortSignal.any([signal, woken.signal]));
    this.wake = undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
