/** Small scripts the phase tests share: a failing service, a decided human task, a tally nobody has answered. */
import { StepFailedError } from "../../shared/stepFailure";
import type { FailedService, HumanTaskTally } from "../../shared/workflow";

/** What an activity throws when its service keeps failing past the adapters' own retries (activities/index.ts). */
export const serviceDown = (step: string, service: FailedService = "graph", status: number | null = 503) =>
  new StepFailedError({
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

export const undecided = (gate: string): HumanTaskTally => ({ gate, approvals: [], rejections: [], done: [], open: 1 });
/** The Peig admin confirmed the task ("done"). */
export const confirmed = (gate: string): HumanTaskTally => ({
  gate,
  approvals: [],
  rejections: [],
  done: ["it@contoso.com"],
  open: 0,
});
