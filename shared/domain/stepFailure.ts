/**
 * A failed step's facts on their way across Durable's string-only failure details. The extension's
 * TaskFailed carries Reason and Details strings, and durable-functions turns them into
 * `new Error(Reason + Details)`; so the activity side writes the facts as a small base64url JSON tag in its
 * error message (`stepFailureMessage`, thrown as ActivityFailedError by activities/index.ts) and the
 * orchestration reads them back (`stepFailureFrom`, thrown as StepFailedError by orchestrations/common.ts).
 * Pure, so that the orchestrations can use it: what a Graph or Peig error means is worked out on the activity
 * side (shared/stepFailure.ts).
 */
import type { FailedService, StepFailure } from "../workflow";

const TAG = /\[step-failure:([A-Za-z0-9_-]+)\]/;
/** The services an activity's failure can name ("people" is the orchestration's own: a task that was not done). */
const SERVICES: FailedService[] = ["graph", "peig", "store", "app"];

/** An error's message as a failure carries it: at most 500 characters. */
export const failureMessageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** A failure of the app itself, with no outside service to blame. */
export const appFailure = (step: string, message: string): StepFailure => ({
  step,
  service: "app",
  status: null,
  message,
  fix: "Read the message and the audit trail; fix the cause, then resume or cancel from the status page.",
});

/** The text an activity fails with: readable, plus the tag the orchestration reads back. */
export const stepFailureMessage = (failure: StepFailure): string =>
  `${failure.step} failed (${failure.service}${failure.status !== null ? ` ${failure.status}` : ""}): ${failure.message} [step-failure:${Buffer.from(JSON.stringify(failure)).toString("base64url")}]`;

/** Reads the tag back from whatever Durable made of the failure; anything untagged is the app's own failure of `step`. */
export function stepFailureFrom(step: string, error: unknown): StepFailure {
  const text = error instanceof Error ? error.message : String(error);
  const match = TAG.exec(text);
  if (match) {
    try {
      const parsed = JSON.parse(Buffer.from(match[1], "base64url").toString("utf8")) as StepFailure;
      if (SERVICES.includes(parsed.service) && typeof parsed.message === "string") return parsed;
    } catch {
      // An unreadable tag is reported as the app's failure below.
    }
  }
  return appFailure(step, failureMessageOf(text.split("\n")[0]));
}
