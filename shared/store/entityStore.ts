/**
 * MigrationStore written once over EntityTables; TableMigrationStore and MemoryMigrationStore only pick
 * the backend. Table layout (partition key / row key):
 *   Migrations      "migration" / id                  (few rows; listed with property filters)
 *   WorkspaceLocks  "workspace" / lower-cased name     (insert-if-absent, ETag-conditional takeover)
 *   Users           migrationId / userId               (one partition per run: 100-row transactions)
 *   Tasks           tokenHash   / "task"               (a token resolves with one point read; listing a
 *                                                       migration's tasks scans the table, which stays small)
 *                   tokenHash   / "link"               (a later link to a task: names the task's first token hash)
 *   Audit           migrationId / ISO time_seq_random  (insert-only; sorted by time)
 *   Reports         migrationId / header | chunk_…     (see reportRows.ts)
 */
import { randomFillSync } from "node:crypto";
import { systemClock, type Clock } from "../clock";
import { auditLogLine, type MigrationLog } from "../migrationLog";
import {
  auditEntry,
  auditProperties,
  migrationProperties,
  migrationRecord,
  taskProperties,
  taskRecord,
  userProperties,
  userRecord,
  zeroCounts,
} from "./codecs";
import type { Continuation, EntityTable, EntityTables, StoredEntity, UpsertOperation } from "./entityTable";
import { ConflictError, InvalidCursorError, NotFoundError, PreconditionFailedError } from "./errors";
import { encodeKey } from "./keys";
import type {
  AuditEntry,
  AuditInput,
  DecideTaskOptions,
  DecideTaskResult,
  MigrationPage,
  MigrationPatch,
  MigrationRecord,
  MigrationStatus,
  MigrationStore,
  NewMigration,
  NewTask,
  Report,
  TaskRecord,
  TaskStatus,
  UserPage,
  UserPatch,
  UserRecord,
  UserState,
  UserUpsert,
  WorkspaceClaim,
} from "./port";
import type { TaskDecision } from "../taskPayloads";
import { MAX_MIGRATIONS_PAGE, MAX_USERS_PAGE } from "./port";
import { loadReportRows, saveReportRows } from "./reportRows";
import { MAX_PAGE_SIZE, MAX_TRANSACTION_OPERATIONS } from "./tableLimits";

export interface EntityStoreOptions {
  /** Prepended to every table name (letters and digits, starting with a letter). Default "peig". */
  tablePrefix?: string;
  /** Stamps createdAt/updatedAt and default audit times. Default: the system clock. */
  clock?: Clock;
  /** Each audit entry, once stored, is also logged here (shared/migrationLog.ts); none: not logged. */
  log?: MigrationLog;
}

const MIGRATION_PARTITION = "migration";
const WORKSPACE_PARTITION = "workspace";
const TASK_ROW = "task";
const LINK_ROW = "link";
/** Optimistic-concurrency retries for read-modify-write without a caller ETag. */
const MAX_WRITE_ATTEMPTS = 10;
/** Transactions in flight at once when upserting users: fast, without flooding one partition. */
const TRANSACTION_CONCURRENCY = 4;
const TOKEN_HASH = /^[0-9a-f]{64}$/;

/** Orders audit rows appended within the same millisecond by this process. */
let auditSequence = 0;

/**
 * The random part of audit ids, 4 bytes at a time from a pool refilled 1,024 ids at a time: one call into the crypto
 * library per entry was most of an append's cost when Phase 2 appends one per account (as Node pools randomUUID).
 */
const auditRandom = { pool: Buffer.alloc(4096), next: 4096 };
function auditRandomHex(): string {
  if (auditRandom.next === auditRandom.pool.length) {
    randomFillSync(auditRandom.pool);
    auditRandom.next = 0;
  }
  const hex = auditRandom.pool.toString("hex", auditRandom.next, auditRandom.next + 4);
  auditRandom.next += 4;
  return hex;
}

export class EntityMigrationStore implements MigrationStore {
  private readonly clock: Clock;
  private readonly log?: MigrationLog;
  private readonly migrations: EntityTable;
  private readonly locks: EntityTable;
  private readonly users: EntityTable;
  private readonly tasks: EntityTable;
  private readonly audit: EntityTable;
  private readonly reports: EntityTable;

  constructor(tables: EntityTables, options: EntityStoreOptions = {}) {
    const prefix = options.tablePrefix ?? "peig";
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix))
      throw new Error(`table prefix must be 1-41 letters or digits, starting with a letter: "${prefix}"`);
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.migrations = tables.table(`${prefix}Migrations`);
    this.locks = tables.table(`${prefix}WorkspaceLocks`);
    this.users = tables.table(`${prefix}Users`);
    this.tasks = tables.table(`${prefix}Tasks`);
    this.audit = tables.table(`${prefix}Audit`);
    this.reports = tables.table(`${prefix}Reports`);
  }

  // --- migrations -------------------------------------------------------------------------------

  async createMigration(migration: NewMigration): Promise<MigrationRecord> {
    const now = this.now();
    const record: Omit<MigrationRecord, "etag"> = {
      ...migration,
      status: migration.status ?? "running",
      counts: migration.counts ?? zeroCounts,
      createdAt: now,
      updatedAt: now,
    };
    const properties = migrationProperties(record);
    try {
      const etag = await this.migrations.insert({
        partitionKey: MIGRATION_PARTITION,
        rowKey: encodeKey(migration.id),
        properties,
      });
      return migrationRecord(properties, etag);
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(`migration ${migration.id} already exists`);
      throw error;
    }
  }

  async getMigration(id: string): Promise<MigrationRecord | undefined> {
    const entity = await this.migrations.get(MIGRATION_PARTITION, encodeKey(id));
    return entity && migrationRecord(entity.properties, entity.etag);
  }

  async updateMigration(id: string, patch: MigrationPatch, options: { etag?: string } = {}): Promise<MigrationRecord> {
    const written = await this.readModifyWrite(
      this.migrations,
      MIGRATION_PARTITION,
      encodeKey(id),
      `migration ${id}`,
      options.etag,
      (current) =>
        migrationProperties({
          ...migrationRecord(current.properties, current.etag),
          ...definedPatch(patch),
          updatedAt: this.now(),
        }),
    );
    return migrationRecord(written.properties, written.etag);
  }

  async listMigrations(filter: { workspace?: string; status?: MigrationStatus } = {}): Promise<MigrationRecord[]> {
    const equals: Record<string, string> = {};
    if (filter.workspace !== undefined) equals.workspace = filter.workspace;
    if (filter.status !== undefined) equals.status = filter.status;
    const records: MigrationRecord[] = [];
    for await (const entity of this.migrations.query({ partitionKey: MIGRATION_PARTITION, equals }))
      records.push(migrationRecord(entity.properties, entity.etag));
    return records.sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id));
  }

  async pageMigrations(options: { top: number; cursor?: string }): Promise<MigrationPage> {
    if (!Number.isInteger(options.top) || options.top < 1 || options.top > MAX_MIGRATIONS_PAGE)
      throw new RangeError(`top must be an integer from 1 to ${MAX_MIGRATIONS_PAGE}`);
    const continuation = options.cursor === undefined ? undefined : decodeCursor(options.cursor, MIGRATION_PARTITION);
    const page = await this.migrations.queryPage({ partitionKey: MIGRATION_PARTITION }, options.top, continuation);
    return {
      migrations: page.entities.map((e) => migrationRecord(e.properties, e.etag)),
      cursor: page.continuation && encodeCursor(page.continuation, MIGRATION_PARTITION),
    };
  }

  // --- workspace lock ---------------------------------------------------------------------------

  async claimWorkspace(workspace: string, migrationId: string): Promise<WorkspaceClaim> {
    const rowKey = encodeKey(workspace.trim().toLowerCase());
    const held = {
      partitionKey: WORKSPACE_PARTITION,
      rowKey,
      properties: { workspace, migrationId, held: true, claimedAt: this.now() },
    };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.locks.get(WORKSPACE_PARTITION, rowKey);
      try {
        if (!current) {
          await this.locks.insert(held);
          return { claimed: true };
        }
        const holder = String(current.properties.migrationId);
        if (current.properties.held === true) {
          if (holder === migrationId) return { claimed: true };
          if (!(await this.hasFinished(holder))) return { claimed: false, activeMigrationId: holder };
        }
        await this.locks.replace(held, current.etag);
        return { claimed: true };
      } catch (error) {
        // Another claimant wrote between our read and write: look again.
        if (error instanceof ConflictError || error instanceof PreconditionFailedError) continue;
        throw error;
      }
    }
    throw new PreconditionFailedError(`workspace ${workspace} claim kept changing; gave up`);
  }

  async releaseWorkspace(workspace: string, migrationId: string): Promise<boolean> {
    const rowKey = encodeKey(workspace.trim().toLowerCase());
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.locks.get(WORKSPACE_PARTITION, rowKey);
      if (!current || current.properties.held !== true || current.properties.migrationId !== migrationId) return false;
      try {
        await this.locks.replace(
          {
            partitionKey: WORKSPACE_PARTITION,
            rowKey,
            properties: { ...current.properties, held: false, releasedAt: this.now() },
          },
          current.etag,
        );
        return true;
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
    }
    throw new PreconditionFailedError(`workspace ${workspace} claim kept changing; gave up`);
  }

  /**
   * A claim whose run ended without releasing (a crash) may be taken over. A holder with no migration
   * row yet counts as active: the claim is taken before the row is written.
   */
  private async hasFinished(migrationId: string): Promise<boolean> {
    const migration = await this.getMigration(migrationId);
    return migration !== undefined && migration.status !== "running";
  }

  // --- users ------------------------------------------------------------------------------------

  async upsertUsers(migrationId: string, rows: readonly UserUpsert[]): Promise<void> {
    const partitionKey = encodeKey(migrationId);
    const updatedAt = this.now();
    // A transaction may hold each row once: the last row for a user wins.
    const byUser = new Map<string, UserUpsert>();
    for (const row of rows) byUser.set(row.userId, row);
    const operations: UpsertOperation[] = [...byUser.values()].map((row) => ({
      mode: "merge",
      entity: { partitionKey, rowKey: encodeKey(row.userId), properties: userProperties({ ...row, updatedAt }) },
    }));
    const batches: UpsertOperation[][] = [];
    for (let i = 0; i < operations.length; i += MAX_TRANSACTION_OPERATIONS)
      batches.push(operations.slice(i, i + MAX_TRANSACTION_OPERATIONS));
    await forEachConcurrently(batches, TRANSACTION_CONCURRENCY, (batch) => this.users.upsertInTransaction(batch));
  }

  async getUsers(migrationId: string, filter: { phase2Batch?: number } = {}): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    await this.eachUserPage(migrationId, filter, (page) => void users.push(...page));
    return users;
  }

  forEachUserPage(migrationId: string, onPage: (users: UserRecord[]) => void): Promise<void> {
    return this.eachUserPage(migrationId, {}, onPage);
  }

  private async eachUserPage(
    migrationId: string,
    filter: { phase2Batch?: number },
    onPage: (users: UserRecord[]) => void,
  ): Promise<void> {
    const query = {
      partitionKey: encodeKey(migrationId),
      equals: filter.phase2Batch === undefined ? undefined : { phase2Batch: String(filter.phase2Batch) },
    };
    // Page by page, not entity by entity: one await per 1,000 rows.
    let continuation: Continuation | undefined;
    do {
      const page = await this.users.queryPage(query, MAX_PAGE_SIZE, continuation);
      onPage(page.entities.map((entity) => userRecord(entity.properties)));
      continuation = page.continuation;
    } while (continuation);
  }

  async listUsers(
    migrationId: string,
    options: { state?: UserState; top: number; cursor?: string },
  ): Promise<UserPage> {
    if (!Number.isInteger(options.top) || options.top < 1 || options.top > MAX_USERS_PAGE)
      throw new RangeError(`top must be an integer from 1 to ${MAX_USERS_PAGE}`);
    const partitionKey = encodeKey(migrationId);
    const continuation = options.cursor === undefined ? undefined : decodeCursor(options.cursor, partitionKey);
    const page = await this.users.queryPage(
      { partitionKey, equals: options.state ? { state: options.state } : undefined },
      options.top,
      continuation,
    );
    return {
      users: page.entities.map((e) => userRecord(e.properties)),
      cursor: page.continuation && encodeCursor(page.continuation, partitionKey),
    };
  }

  async updateUser(migrationId: string, userId: string, patch: UserPatch): Promise<UserRecord> {
    const written = await this.readModifyWrite(
      this.users,
      encodeKey(migrationId),
      encodeKey(userId),
      `user ${userId} of migration ${migrationId}`,
      undefined,
      (current) => userProperties({ ...userRecord(current.properties), ...definedPatch(patch), updatedAt: this.now() }),
    );
    return userRecord(written.properties);
  }

  // --- human tasks ------------------------------------------------------------------------------

  async createTask(task: NewTask): Promise<TaskRecord> {
    assertTokenHash(task.tokenHash);
    const record: Omit<TaskRecord, "etag"> = { ...task, status: "open", createdAt: this.now() };
    const properties = taskProperties(record);
    try {
      const etag = await this.tasks.insert({ partitionKey: task.tokenHash, rowKey: TASK_ROW, properties });
      return taskRecord(properties, etag);
    } catch (error) {
      if (error instanceof ConflictError)
        throw new ConflictError(`a task with this token hash already exists (task ${task.id})`);
      throw error;
    }
  }

  async getTaskByTokenHash(tokenHash: string): Promise<TaskRecord | undefined> {
    if (!TOKEN_HASH.test(tokenHash)) return undefined;
    const entity = await this.tasks.get(tokenHash, TASK_ROW);
    if (entity) return taskRecord(entity.properties, entity.etag);
    const link = await this.tasks.get(tokenHash, LINK_ROW);
    const first = link?.properties.taskTokenHash;
    if (typeof first !== "string" || !TOKEN_HASH.test(first)) return undefined;
    const task = await this.tasks.get(first, TASK_ROW);
    return task && taskRecord(task.properties, task.etag);
  }

  async addTaskLink(
    taskTokenHash: string,
    linkTokenHash: string,
    options: { at: string; etag?: string },
  ): Promise<TaskRecord | undefined> {
    assertTokenHash(linkTokenHash);
    let stamped: TaskRecord | undefined;
    for (let attempt = 1; ; attempt++) {
      const current = await this.getTaskByTokenHash(taskTokenHash);
      if (!current || current.status !== "open") return undefined;
      if (options.etag !== undefined && current.etag !== options.etag)
        throw new PreconditionFailedError(`task ${current.id} changed since it was read`);
      const properties = taskProperties({ ...withoutEtag(current), lastLinkAt: options.at });
      try {
        const etag = await this.tasks.replace(
          { partitionKey: current.tokenHash, rowKey: TASK_ROW, properties },
          current.etag,
        );
        stamped = taskRecord(properties, etag);
        break;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || options.etag !== undefined || attempt >= MAX_WRITE_ATTEMPTS)
          throw error;
      }
    }
    // After the stamp: a link whose task could not be stamped is never stored, so it cannot outlive a closed task.
    await this.tasks.insert({
      partitionKey: linkTokenHash,
      rowKey: LINK_ROW,
      properties: { taskTokenHash: stamped.tokenHash, createdAt: options.at },
    });
    return stamped;
  }

  async listTasks(migrationId: string, filter: { status?: TaskStatus; gate?: string } = {}): Promise<TaskRecord[]> {
    return this.queryTasks(
      definedPatch({ migrationId, status: filter.status, gate: filter.gate }) as Record<string, string>,
    );
  }

  async decideTask(tokenHash: string, decision: TaskDecision, options: DecideTaskOptions): Promise<DecideTaskResult> {
    const current = await this.getTaskByTokenHash(tokenHash);
    if (!current) throw new NotFoundError("no task for this token");
    const refusal = whyNotDecidable(current, options.decidedAt);
    if (refusal) return { outcome: refusal, task: current };
    if (current.etag !== options.etag)
      throw new PreconditionFailedError(`task ${current.id} changed since it was read`);
    const decided: Omit<TaskRecord, "etag"> = {
      ...withoutEtag(current),
      status: "decided",
      decision,
      decidedBy: options.decidedBy,
      decidedAt: options.decidedAt,
      reason: options.reason,
    };
    const properties = taskProperties(decided);
    try {
      const etag = await this.tasks.replace(
        { partitionKey: current.tokenHash, rowKey: TASK_ROW, properties },
        current.etag,
      );
      return { outcome: "decided", task: taskRecord(properties, etag) };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Lost a race: report what won.
      const latest = await this.getTaskByTokenHash(tokenHash);
      const reason = latest && whyNotDecidable(latest, options.decidedAt);
      if (!latest || !reason) throw error;
      return { outcome: reason, task: latest };
    }
  }

  async closeOpenTasks(
    migrationId: string,
    status: "expired" | "cancelled",
    options: { gate?: string; closedAs?: string } = {},
  ): Promise<number> {
    const open = await this.listTasks(migrationId, { status: "open", gate: options.gate });
    const closed = await Promise.all(
      open.map(async (read) => {
        // A new link stamped meanwhile changes the row but not its status: read it again and close it still.
        let task: TaskRecord | undefined = read;
        for (let attempt = 1; task?.status === "open"; attempt++) {
          try {
            await this.tasks.replace(
              {
                partitionKey: task.tokenHash,
                rowKey: TASK_ROW,
                properties: taskProperties({ ...withoutEtag(task), status, closedAs: options.closedAs }),
              },
              task.etag,
            );
            return true;
          } catch (error) {
            if (error instanceof NotFoundError) return false;
            if (!(error instanceof PreconditionFailedError) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
            task = await this.getTaskByTokenHash(task.tokenHash);
          }
        }
        // Decided (or closed) meanwhile: that outcome stands.
        return false;
      }),
    );
    return closed.filter(Boolean).length;
  }

  private async queryTasks(equals: Record<string, string>): Promise<TaskRecord[]> {
    const tasks: TaskRecord[] = [];
    for await (const entity of this.tasks.query({ equals })) tasks.push(taskRecord(entity.properties, entity.etag));
    return tasks.sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id));
  }

  // --- audit ------------------------------------------------------------------------------------

  async appendAudit(input: AuditInput): Promise<AuditEntry> {
    const at = new Date(input.at ?? this.now()).toISOString();
    for (let attempt = 0; ; attempt++) {
      // Time first (fixed-width ISO sorts correctly), then a per-process sequence, then randomness so
      // that two processes appending in the same millisecond never pick the same key.
      auditSequence = (auditSequence + 1) % 1e9;
      const id = `${at}_${String(auditSequence).padStart(9, "0")}_${auditRandomHex()}`;
      const entry: AuditEntry = {
        id,
        migrationId: input.migrationId,
        at,
        actor: input.actor,
        action: input.action,
        details: input.details ?? {},
        instanceId: input.instanceId,
      };
      try {
        await this.audit.insert({
          partitionKey: encodeKey(input.migrationId),
          rowKey: id,
          properties: auditProperties(entry),
        });
        this.log?.(auditLogLine(entry));
        return auditEntry(id, auditProperties(entry));
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 2) throw error;
      }
    }
  }

  async listAudit(migrationId: string, options: { limit?: number; after?: string } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const entries: AuditEntry[] = [];
    if (limit <= 0) return entries;
    const pageSize = Math.min(limit, MAX_PAGE_SIZE);
    for await (const entity of this.audit.query({
      partitionKey: encodeKey(migrationId),
      rowKeyAfter: options.after,
      pageSize,
    })) {
      entries.push(auditEntry(entity.rowKey, entity.properties));
      if (entries.length >= limit) break;
    }
    return entries;
  }

  // --- reports ----------------------------------------------------------------------------------

  saveReport(migrationId: string, report: Report): Promise<void> {
    return saveReportRows(this.reports, encodeKey(migrationId), report, this.now());
  }

  getReport(migrationId: string): Promise<Report | undefined> {
    return loadReportRows(this.reports, encodeKey(migrationId));
  }

  // --- helpers ----------------------------------------------------------------------------------

  private now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * Reads, transforms and writes back conditionally on the version read. With `expectedEtag` the caller
   * insists on that version (PreconditionFailedError otherwise); without it, a concurrent write just
   * means reading again, so no update is ever lost.
   */
  private async readModifyWrite(
    table: EntityTable,
    partitionKey: string,
    rowKey: string,
    what: string,
    expectedEtag: string | undefined,
    transform: (current: StoredEntity) => StoredEntity["properties"],
  ): Promise<StoredEntity> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await table.get(partitionKey, rowKey);
      if (!current) throw new NotFoundError(`${what} not found`);
      if (expectedEtag !== undefined && current.etag !== expectedEtag)
        throw new PreconditionFailedError(`${what} changed since it was read`);
      const properties = transform(current);
      try {
        const etag = await table.replace({ partitionKey, rowKey, properties }, current.etag);
        return { partitionKey, rowKey, properties, etag };
      } catch (error) {
        if (error instanceof PreconditionFailedError && expectedEtag === undefined) continue;
        if (error instanceof PreconditionFailedError)
          throw new PreconditionFailedError(`${what} changed since it was read`);
        throw error;
      }
    }
    throw new PreconditionFailedError(`${what} kept changing; gave up after ${MAX_WRITE_ATTEMPTS} attempts`);
  }
}

/**
 * A cursor is the service's continuation (its values are opaque: Azurite, for one, base64-encodes them)
 * with the partition it was read from, as base64url JSON; a cursor from another migration is refused.
 */
function encodeCursor(continuation: Continuation, partitionKey: string): string {
  return Buffer.from(JSON.stringify({ ...continuation, partition: partitionKey })).toString("base64url");
}

function decodeCursor(cursor: string, partitionKey: string): Continuation {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  const c = (decoded ?? {}) as Partial<Continuation> & { partition?: unknown };
  if (
    c.partition !== partitionKey ||
    typeof c.nextPartitionKey !== "string" ||
    (c.nextRowKey !== undefined && typeof c.nextRowKey !== "string")
  ) {
    throw new InvalidCursorError("the cursor is not one this list handed out; start again without it");
  }
  return { nextPartitionKey: c.nextPartitionKey, nextRowKey: c.nextRowKey };
}

function whyNotDecidable(task: TaskRecord, decidedAt: string): "alreadyDecided" | "closed" | "expired" | undefined {
  if (task.status === "decided") return "alreadyDecided";
  if (task.status !== "open") return "closed";
  if (Date.parse(decidedAt) >= Date.parse(task.expiresAt)) return "expired";
  return undefined;
}

function assertTokenHash(tokenHash: string): void {
  if (!TOKEN_HASH.test(tokenHash))
    throw new Error("tokenHash must be a SHA-256 hex digest (64 lowercase hex characters)");
}

function withoutEtag(task: TaskRecord): Omit<TaskRecord, "etag"> {
  const { etag: _etag, ...rest } = task;
  return rest;
}

/** A patch's undefined fields mean "leave as is", not "clear". */
function definedPatch<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
