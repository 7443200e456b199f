/**
 * The app's state store (docs/design.md#state-and-audit): migrations, the one-active-migration-per-workspace lock,
 * per-user rows, human tasks (hashed tokens, decisions), an append-only audit log and reports.
 * Adapters: `TableMigrationStore` (Azure Table Storage / Azurite) and `MemoryMigrationStore`; both run
 * the same contract tests. All values are JSON-safe and dates are ISO 8601 strings.
 */
import type { TaskKind } from "../domain/assignees";
import type { TaskDecision, TaskPayload } from "../taskPayloads";
import type { MigrationRuntime } from "../migrationRuntime";
import type { MigrationCounts } from "../workflow";

/** A JSON object. Values must survive JSON.stringify/parse (no Dates, no undefined inside arrays). */
export type JsonObject = Record<string, unknown>;

export type MigrationStatus = "running" | "completed" | "cancelled" | "failed";

export interface MigrationRecord {
  id: string;
  workspace: string;
  domain: string;
  status: MigrationStatus;
  phase: string;
  /** The migration's working data: the validated request, what setup made, admin commands, sends done. */
  runtime: MigrationRuntime;
  counts: MigrationCounts;
  deadline: string;
  createdAt: string;
  updatedAt: string;
  /** The migration app's Application ID, once created. */
  appId?: string;
  etag: string;
}

export interface NewMigration {
  id: string;
  workspace: string;
  domain: string;
  /** Defaults to "running". */
  status?: MigrationStatus;
  phase: string;
  runtime: MigrationRuntime;
  /** Defaults to all zeros. */
  counts?: MigrationCounts;
  deadline: string;
  appId?: string;
}

export type MigrationPatch = Partial<
  Pick<MigrationRecord, "status" | "phase" | "runtime" | "counts" | "deadline" | "appId">
>;

export type WorkspaceClaim = { claimed: true } | { claimed: false; activeMigrationId: string };

export type UserState =
  | "notOnboarded"
  | "pendingRequest"
  | "mismatched"
  | "onboarded"
  | "phase2Created"
  | "phase2Failed"
  /** Not onboarded, and exempted by an admin (no mail, no Phase 2 account). */
  | "exempted";

export interface Phase2Status {
  attempts: number;
  /** Chosen by Phase 2 planning: this user gets a Peig account created. */
  planned?: boolean;
  result?: "created" | "failed";
  error?: string;
  peigAccountId?: string;
}

export interface UserRecord {
  userId: string;
  userPrincipalName: string;
  mail?: string;
  displayName: string;
  state: UserState;
  remindersSent: number;
  lastReminderAt?: string;
  phase2: Phase2Status;
  mergeSuggestion?: JsonObject;
  /** operator mode: the first sign-in to the migration app, as read from the Entra sign-in logs. */
  signedInAt?: string;
  /** The Phase 2 batch the user was planned into (a batch reads only its own rows). */
  phase2Batch?: number;
  /** The last invitation or reminder this user was mailed ("invitation", "reminder:P7D@…"): each goes once. */
  lastMail?: string;
  /** Exchange's non-delivery report for this user's last mail (null once a later mail went out personally). */
  bounce?: UserBounce | null;
  updatedAt: string;
}

export interface UserBounce {
  address: string;
  cause: "recipientNotFound" | "mailboxFull" | "recipientRateLimit" | "other";
  /** The NDR's status line. */
  reason: string;
  /** ISO 8601: when the NDR arrived. */
  at: string;
}

/**
 * A row for `upsertUsers`: new users are inserted; for existing users only the fields given here
 * change (e.g. a monitor pass updates `state` without resetting `remindersSent`).
 */
export type UserUpsert = Pick<UserRecord, "userId" | "userPrincipalName" | "displayName" | "state"> &
  Partial<
    Pick<
      UserRecord,
      | "mail"
      | "remindersSent"
      | "lastReminderAt"
      | "phase2"
      | "mergeSuggestion"
      | "signedInAt"
      | "phase2Batch"
      | "lastMail"
      | "bounce"
    >
  >;

export type UserPatch = Partial<Omit<UserRecord, "userId" | "updatedAt">>;

export const userStates: readonly UserState[] = [
  "notOnboarded",
  "pendingRequest",
  "mismatched",
  "onboarded",
  "phase2Created",
  "phase2Failed",
  "exempted",
];

/** The most users one `listUsers` page holds. */
export const MAX_USERS_PAGE = 500;

/** The most migrations one `pageMigrations` page holds. */
export const MAX_MIGRATIONS_PAGE = 100;

export interface MigrationPage {
  migrations: MigrationRecord[];
  /** Opaque, like UserPage's; absent on the last page. */
  cursor?: string;
}

export interface UserPage {
  users: UserRecord[];
  /** Opaque (a Table Storage continuation, base64url); absent on the last page. A page may be short while more follow. */
  cursor?: string;
}

export type TaskStatus = "open" | "decided" | "expired" | "cancelled";

export interface TaskRecord {
  id: string;
  migrationId: string;
  kind: TaskKind;
  /** Groups the tasks of one gate (e.g. "deletionApproval"), so the rest can be closed together. */
  gate?: string;
  /** E-mail address of the person the task is for. */
  assignee: string;
  /** SHA-256 hex of the link token; the token itself is never stored. */
  tokenHash: string;
  csrfHash?: string;
  expiresAt: string;
  createdAt: string;
  status: TaskStatus;
  decision?: TaskDecision;
  decidedBy?: string;
  decidedAt?: string;
  /** The decider's comment (e.g. why they rejected). */
  reason?: string;
  /** Why a task was closed without its assignee's decision: the gate's outcome ("approved", "expired", "cancelled", …). */
  closedAs?: string;
  /** When the newest link to this task was issued (a reminder or a fresh link asked for from a dead one). */
  lastLinkAt?: string;
  /** What the task page shows. */
  payload: TaskPayload;
  etag: string;
}

export type NewTask = Pick<
  TaskRecord,
  "id" | "migrationId" | "kind" | "assignee" | "tokenHash" | "expiresAt" | "payload"
> &
  Partial<Pick<TaskRecord, "gate" | "csrfHash">>;

export interface DecideTaskOptions {
  decidedBy: string;
  decidedAt: string;
  reason?: string;
  /** The ETag the caller read (the version the decider saw). */
  etag: string;
}

/**
 * Exactly one caller ever gets "decided" for a task. The others learn why not: someone decided first,
 * the task was closed (expired/cancelled), or `decidedAt` is past `expiresAt`.
 */
export type DecideTaskResult =
  { outcome: "decided"; task: TaskRecord } | { outcome: "alreadyDecided" | "closed" | "expired"; task: TaskRecord };

export interface AuditInput {
  migrationId: string;
  /** Defaults to the store clock's now. */
  at?: string;
  /** "system" | "admin:<id>" | "approver:<email>" | … */
  actor: string;
  /** e.g. "entraApp.created", "peig.migrationConfig.saved", "task.decided". */
  action: string;
  details?: JsonObject;
  instanceId?: string;
}

export interface AuditEntry {
  /** Sortable by time, unique: pass the last one as `after` to read the next page. */
  id: string;
  migrationId: string;
  at: string;
  actor: string;
  action: string;
  details: JsonObject;
  instanceId?: string;
}

export interface Report {
  json: string;
  html: string;
}

export interface MigrationStore {
  /** Throws ConflictError if the id exists. */
  createMigration(migration: NewMigration): Promise<MigrationRecord>;
  getMigration(id: string): Promise<MigrationRecord | undefined>;
  /**
   * Applies the patch. With `etag`, only if the row is still that version (else PreconditionFailedError);
   * without, the patch is applied to the latest version. NotFoundError if absent.
   */
  updateMigration(id: string, patch: MigrationPatch, options?: { etag?: string }): Promise<MigrationRecord>;
  /** Oldest first. */
  listMigrations(filter?: { workspace?: string; status?: MigrationStatus }): Promise<MigrationRecord[]>;
  /**
   * One page (one table request) of all migrations in id order; `top` 1..MAX_MIGRATIONS_PAGE.
   * InvalidCursorError for a cursor this list did not hand out.
   */
  pageMigrations(options: { top: number; cursor?: string }): Promise<MigrationPage>;

  /**
   * Atomically claims the workspace (case-insensitive) for the migration. Idempotent for the holder.
   * A claim that was released, or whose migration has finished, can be taken over.
   */
  claimWorkspace(workspace: string, migrationId: string): Promise<WorkspaceClaim>;
  /** Releases the claim if `migrationId` holds it; returns whether it did. */
  releaseWorkspace(workspace: string, migrationId: string): Promise<boolean>;

  /** Inserts or merges (see UserUpsert) in table transactions of up to 100 rows. Last row wins for a repeated userId. */
  upsertUsers(migrationId: string, rows: readonly UserUpsert[]): Promise<void>;
  /** All rows of the migration (or of one Phase 2 batch), ordered by userId key. */
  getUsers(migrationId: string, filter?: { phase2Batch?: number }): Promise<UserRecord[]>;
  /** The same rows as getUsers, handed over page by page (one table request each), so a caller need not hold them all. */
  forEachUserPage(migrationId: string, onPage: (users: UserRecord[]) => void): Promise<void>;
  /**
   * One page (one table request) of the migration's users in userId order, optionally only those in
   * `state`; `top` 1..MAX_USERS_PAGE. InvalidCursorError for a cursor not handed out for this migration.
   */
  listUsers(migrationId: string, options: { state?: UserState; top: number; cursor?: string }): Promise<UserPage>;
  /** NotFoundError if the user row does not exist. */
  updateUser(migrationId: string, userId: string, patch: UserPatch): Promise<UserRecord>;

  /** Opens a task. Throws ConflictError if a task with that token hash exists. */
  createTask(task: NewTask): Promise<TaskRecord>;
  /** The task a link's token hash opens: a point read for its first link, two for a later one. */
  getTaskByTokenHash(tokenHash: string): Promise<TaskRecord | undefined>;
  /**
   * Adds a link (its token hash) to an open task: every link of a task works until the task is decided or closed, and
   * all of them decide the same task, so a person's decision counts once whichever e-mail they open. Stamps the
   * task's `lastLinkAt`; with `etag`, only if the task is still that version (else PreconditionFailedError).
   * Returns the task, or undefined when it is no longer open.
   */
  addTaskLink(
    taskTokenHash: string,
    linkTokenHash: string,
    options: { at: string; etag?: string },
  ): Promise<TaskRecord | undefined>;
  /** Ordered by creation time. */
  listTasks(migrationId: string, filter?: { status?: TaskStatus; gate?: string }): Promise<TaskRecord[]>;
  /**
   * Consumes the task exactly once (ETag-conditional write). NotFoundError for an unknown hash;
   * PreconditionFailedError if the task is still open but `etag` is not its current version.
   */
  decideTask(tokenHash: string, decision: TaskDecision, options: DecideTaskOptions): Promise<DecideTaskResult>;
  /**
   * Marks the migration's open tasks (optionally of one gate) expired/cancelled, recording why (`closedAs`, for the
   * page a dead link shows); returns how many it closed.
   */
  closeOpenTasks(
    migrationId: string,
    status: "expired" | "cancelled",
    options?: { gate?: string; closedAs?: string },
  ): Promise<number>;

  /** Appends; never overwrites another entry, even under concurrent appends. */
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** In time order; `after` is the id of the last entry already read. */
  listAudit(migrationId: string, options?: { limit?: number; after?: string }): Promise<AuditEntry[]>;

  /** Replaces the migration's report (strings of any size). */
  saveReport(migrationId: string, report: Report): Promise<void>;
  getReport(migrationId: string): Promise<Report | undefined>;
}
