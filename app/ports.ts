/**
 * What the use cases need, passed in by the caller (the HTTP functions, a test): the app's services and the
 * orchestration engine behind a narrow port, so a use case runs, and is tested, without HTTP or a Durable client.
 */
import type { Services } from "../shared/services";
import type { MigrationProgress, MigrationState } from "../shared/workflow";

export type AppDeps = Services;

/** The orchestration engine as the use cases see it. */
export interface MigrationRunner {
  /** Starts the migration orchestration under the migration's id. */
  start(id: string, input: MigrationState): Promise<void>;
  /** Wakes the orchestration: it re-reads the store (a finished instance is simply not woken). */
  wake(id: string): Promise<void>;
  /** The instance's runtime status and published progress; undefined when the engine cannot say. */
  status(id: string): Promise<{ runtimeStatus: string; progress?: MigrationProgress } | undefined>;
}

/** The Durable task hub's instances, as the history purge sees them (functions/retention.ts builds it on the client). */
export interface InstanceHistory {
  /** The instance's runtime status ("Completed", "Running", …); undefined when the hub holds no such instance. */
  runtimeStatus(instanceId: string): Promise<string | undefined>;
  /** Ids and statuses of the instances created within [from, to]. */
  createdBetween(from: Date, to: Date): Promise<{ instanceId: string; runtimeStatus: string }[]>;
  /** Deletes a finished instance's history; how many instances it deleted (0: none was there). */
  purge(instanceId: string): Promise<number>;
}

/** A field and what is wrong with it (400 in the JSON API, next to the field on a page). */
import type { FieldError } from "../shared/validation/startRequest";

export type { FieldError };

/** What an admin command did: accepted (with what), refused (why), invalid (which fields) or no such migration. */
export type CommandResult<Accepted extends object = object> =
  | ({ kind: "accepted" } & Accepted)
  | { kind: "conflict"; reason: string }
  | { kind: "invalid"; errors: FieldError[] }
  | { kind: "notFound" };
