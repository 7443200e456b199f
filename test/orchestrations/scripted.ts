/** Small scripts the phase tests share: a failing service, a gate answered at the test's moment, a monitor's counts. */
import { ActivityFailedError } from "../../shared/stepFailure";
import type { FailedService, HumanTaskTally, MigrationCounts } from "../../shared/workflow";

/** What an activity throws when its service keeps failing past the adapters' own retries (activities/index.ts). */
export const serviceDown = (step: string, service: FailedService = "graph", status: number | null = 503) =>
  new ActivityFailedError({
    step,
    service,
    status,
    message: `${service} answered ${status}`,
    fix: "The migration tries again by itself; resume to try at once.",
  });

/** Throws `error` the first `times` calls, then answers as `then` does. */
export function failing<I, R>(times: number, error: () => Error, then: (input: I) => R): (input: I) => R {
  let left = times;
  return (input) => {
    if (left-- > 0) throw error();
    return then(input);
  };
}

/** One person's answer to a gate: the Peig admin's "done", or an approver's approval or rejection. */
export type Answer = "done" | "approved" | "rejected";

/** A gate's tally: nobody has answered while `answered()` is false, then one person has, with `answer`. */
export function tallyOnceAnswered(answered: () => boolean, answer: Answer = "done") {
  return ({ gate }: { gate: string }): HumanTaskTally =>
    answered()
      ? {
          gate,
          approvals: answer === "approved" ? ["cio@contoso.com"] : [],
          rejections: answer === "rejected" ? [{ by: "cio@contoso.com", reason: "not now" }] : [],
          done: answer === "done" ? ["it@contoso.com"] : [],
          open: 0,
        }
      : { gate, approvals: [], rejections: [], done: [], open: 1 };
}

/** What a monitor pass counts: 10 users in scope, none onboarded, `mismatched` of them with a mistyped request. */
export const onboardingCounts = (mismatched = 0): MigrationCounts => ({
  inScope: 10,
  onboarded: 0,
  pending: mismatched,
  mismatched,
  notOnboarded: 10,
  phase2Created: 0,
  phase2Failed: 0,
});
