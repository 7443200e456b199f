/**
 * Every activity, once. Each file of activities/ exports its handlers as one object, `(input, services)` →
 * result, keyed by the name Durable calls the activity by (running instances replay by name: never rename
 * one). Everything else follows from this object: the orchestrations' contract is its type (`call` in
 * orchestrations/common.ts, a type-only import), and registration iterates it. Adding an activity is a
 * handler in one of these files, plus its call.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { formatLogLine, withInvocationLogger, withoutAddresses } from "../shared/migrationLog";
import type { Services } from "../shared/services";
import { ActivityFailedError, describeFailure } from "../shared/stepFailure";
import { bookkeepingActivities } from "./bookkeeping";
import { closingActivities } from "./closing";
import { gateTaskActivities } from "./gateTasks";
import { mergeActivities } from "./merges";
import { onboardingActivities } from "./onboarding";
import { phase2Activities } from "./phase2";
import { setupActivities } from "./setup";
import { waveActivities } from "./waves";

export const activityDefinitions = {
  ...setupActivities,
  ...gateTaskActivities,
  ...onboardingActivities,
  ...phase2Activities,
  ...mergeActivities,
  ...closingActivities,
  ...bookkeepingActivities,
  ...waveActivities,
};

export type ActivityDefinitions = typeof activityDefinitions;

/** Activities bound to their dependencies: input → result, as Durable invokes them. */
export type BoundActivities<T> = {
  [K in keyof T]: T[K] extends (input: infer I, deps: never) => infer R ? (input: I) => R : never;
};

/** Binds every handler to `deps`, built once at start-up (Temporal's `createActivities(deps)`). */
export function bindActivities<D, T extends Record<string, (input: never, deps: D) => Promise<unknown>>>(
  definitions: T,
  deps: D,
): BoundActivities<T> {
  return Object.fromEntries(
    Object.entries(definitions).map(([name, handler]) => [name, (input: never) => handler(input, deps)]),
  ) as BoundActivities<T>;
}

/** The app's activities on `services`: production's (functions/index.ts) or a local stack's (local/stack.ts). */
export const createActivities = (services: Services) => bindActivities(activityDefinitions, services);

/**
 * Registers each activity under its name. A failure leaves as an ActivityFailedError: its message carries
 * the service, the status and the fix to the orchestration.
 */
export function registerActivities(activities: Record<string, (input: never) => Promise<unknown>>): void {
  for (const [name, run] of Object.entries(activities)) {
    df.app.activity(name, {
      // Inside the invocation's logger: the audit lines the activity writes, and its failure, reach the host's log.
      handler: (input: unknown, context: InvocationContext) =>
        withInvocationLogger(context, async () => {
          try {
            return await run(input as never);
          } catch (error) {
            const failure = new ActivityFailedError(describeFailure(name, error));
            const migrationId = migrationIdOf(input);
            if (migrationId)
              context.error(
                formatLogLine({
                  migrationId,
                  event: "activity.failed",
                  level: "error",
                  details: withoutAddresses({ activity: name, ...failure.failure }) as Record<string, unknown>,
                }),
              );
            throw failure;
          }
        }),
    });
  }
}

/** Every activity of a migration takes its id as `migrationId` (the Phase 2 batch too). */
const migrationIdOf = (input: unknown): string | undefined =>
  input && typeof input === "object" && typeof (input as { migrationId?: unknown }).migrationId === "string"
    ? (input as { migrationId: string }).migrationId
    : undefined;
