/**
 * The orchestrations' contract is the activity handlers' own types. An activity added in one file (here, a
 * greeting, exported as a file of activities/ exports its handlers) is callable from an orchestration with its
 * input and result typed, with no name map or contract to update: the typechecker compiles this file (npm test's
 * typecheck), so the `@ts-expect-error` lines below fail the run the day a wrong call compiles.
 * Then it runs, registered by the same code that registers the app's activities.
 */
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { bindActivities, registerActivities, type activityDefinitions } from "../../activities";
import { VirtualClock } from "../../local/host/clocks";
import { createTestHost } from "../../local/host/testHost";
import { createPeigAccountsBatch } from "../../orchestrations/createMissingPeigAccounts";
import { call, callerFor, callSubOrchestrations, StepFailedError, type PhaseStep } from "../../orchestrations/common";
import type { BatchResult, MigrationRequest } from "../../shared/workflow";

// The one file: a handler, `(input, dependencies) => result`, in its file's object of activities.
const greetingActivities = {
  async greet(input: { name: string }, deps: { salutation: string }): Promise<{ text: string }> {
    if (!input.name) throw new Error("nobody to greet");
    return { text: `${deps.salutation}, ${input.name}!` };
  },
};

// What spreading the file's object into activities/index.ts's `activityDefinitions` gives `call`.
const callActivity = callerFor<typeof activityDefinitions & typeof greetingActivities>();

// The caller.
function* greeter(context: OrchestrationContext): PhaseStep<string[]> {
  const greeting: { text: string } = yield* callActivity(context, "greet", { name: context.df.getInput<string>() });
  try {
    yield* callActivity(context, "greet", { name: "" });
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    return [greeting.text, `${error.failure.step}: ${error.failure.message}`];
  }
  return [greeting.text];
}

/** Calls that must not compile: never run, only typechecked. */
export function* wrongCalls(context: OrchestrationContext, request: MigrationRequest): PhaseStep {
  // @ts-expect-error the greeting's input is { name: string }
  yield* callActivity(context, "greet", { name: 42 });
  // @ts-expect-error the greeting's result has no `greeting`
  const { greeting } = yield* callActivity(context, "greet", { name: "Ada" });
  // @ts-expect-error no activity has this name
  yield* callActivity(context, "greeet", { name: "Ada" });
  // @ts-expect-error the app's `call` knows only the app's activities
  yield* call(context, "greet", { name: "Ada" });
  // @ts-expect-error planPhase2 takes a migration id
  yield* call(context, "planPhase2", { migrationId: 7 });
  // @ts-expect-error sendInvitations needs the deadline
  yield* call(context, "sendInvitations", { migrationId: "m" });
  const plan: { users: number; batches: number } = yield* call(context, "planPhase2", { migrationId: "m" });
  // Sub-orchestrations are typed by their definition the same way.
  const results: BatchResult[] = yield* callSubOrchestrations(context, createPeigAccountsBatch, [
    { input: { migrationId: "m", batch: plan.batches }, instanceId: "m-phase2-0" },
  ]);
  // @ts-expect-error a batch needs its number
  yield* callSubOrchestrations(context, createPeigAccountsBatch, [{ input: { migrationId: "m" }, instanceId: "x" }]);
  // @ts-expect-error a batch's result is a BatchResult, not a string
  const texts: string[] = yield* callSubOrchestrations(context, createPeigAccountsBatch, []);
  return void [greeting, request, results, texts];
}

describe("an activity added in one file", () => {
  it("is called from an orchestration with its typed input, gets its typed result, and fails as a step", async () => {
    df.app.orchestration("greeter", greeter);
    registerActivities(bindActivities(greetingActivities, { salutation: "Hello" }));
    const host = await createTestHost({ clock: new VirtualClock("2026-01-05T09:00:00.000Z") });
    try {
      const id = await host.client.startNew("greeter", { input: "Ada" });
      const done = await host.runToCompletion(id);
      expect(done.output).toEqual(["Hello, Ada!", "greet: nobody to greet"]);
    } finally {
      await host.stop();
    }
  });
});
