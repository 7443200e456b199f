/**
 * In an interactive demo the simulated clock runs thousands of times faster than a person reads: a minute
 * spent on a task page would cost days of the onboarding window. So while the migration waits on a person
 * (an operator step, an approval, a merge: the orchestration's custom status `waitingOn`), the clock is
 * paused, and the terminal says so; it runs on as soon as nobody is waited on. The check runs each time the
 * durable host settles, so the pause begins at the instant the task opened, not at the next status poll.
 */
import type { AcceleratedClock } from "../host/clocks";
import { isTerminal, type LocalDurableEngine } from "../host/engine";
import type { MigrationProgress, WaitingOn } from "../../shared/workflow";

/** "the clock is paused until the Peig admin …": the line the terminal shows while a person is waited on. */
export function pausedLine(waits: readonly WaitingOn[]): string {
  const whom = waits.map((w) => `${w.what} (task e-mailed to ${w.who.join(", ")})`).join("; and for ");
  return `The clock is paused until a person answers: waiting for ${whom}. No simulated time passes meanwhile; take your time.`;
}

/** Pauses `clock` whenever instance `instanceId` waits on a person; returns the function that stops doing so. */
export function pauseClockForPeople(
  engine: LocalDurableEngine,
  clock: AcceleratedClock,
  instanceId: string,
  say: (line: string) => void,
): () => void {
  let shown = "";
  const check = () => {
    const record = engine.getInstance(instanceId);
    const progress = record?.customStatus as Partial<MigrationProgress> | null | undefined;
    const waits = record && !isTerminal(record.status) ? (progress?.waitingOn ?? []) : [];
    if (waits.length > 0) {
      clock.pause();
      const line = pausedLine(waits);
      if (line !== shown) say(line);
      shown = line;
    } else if (clock.paused) {
      clock.resume();
      shown = "";
      say("The clock runs again.");
    }
  };
  const unsubscribe = engine.onIdle(check);
  check();
  return () => {
    unsubscribe();
    clock.resume();
  };
}
