/**
 * Record ⇄ entity-properties mapping. Plain fields become properties of their own (filterable,
 * readable in Storage Explorer); nested objects are JSON strings. Optional fields that are undefined
 * are left out, so a merge never overwrites them.
 */
import type { EntityValue } from "./entityTable";
import type {
  AuditEntry,
  JsonObject,
  MigrationRecord,
  MigrationStatus,
  Phase2Status,
  TaskRecord,
  UserBounce,
  UserRecord,
  UserState,
} from "./port";
import { decodeTaskPayload } from "../taskPayloads";
import { decodeRuntime, type MigrationRuntime } from "../migrationRuntime";
import type { MigrationCounts } from "../workflow";
import { MAX_STRING_CHARS } from "./tableLimits";

export type Properties = Record<string, EntityValue>;

export const zeroCounts: MigrationCounts = {
  inScope: 0,
  onboarded: 0,
  pending: 0,
  mismatched: 0,
  notOnboarded: 0,
  phase2Created: 0,
  phase2Failed: 0,
};

/** Drops undefined values (the table service has no "undefined"). */
export function defined(properties: Record<string, EntityValue | undefined>): Properties {
  const result: Properties = {};
  for (const [name, value] of Object.entries(properties)) if (value !== undefined) result[name] = value;
  return result;
}

export function toJson(name: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`${name} is not JSON-serialisable`);
  if (json.length > MAX_STRING_CHARS)
    throw new Error(`${name} is too large to store: ${json.length} characters as JSON (limit ${MAX_STRING_CHARS})`);
  return json;
}

function text(properties: Properties, name: string): string {
  const value = properties[name];
  if (typeof value !== "string") throw new Error(`stored entity lacks text property "${name}"`);
  return value;
}

function optionalText(properties: Properties, name: string): string | undefined {
  const value = properties[name];
  return typeof value === "string" ? value : undefined;
}

function parsed<T>(properties: Properties, name: string): T {
  return JSON.parse(text(properties, name)) as T;
}

function optionalParsed<T>(properties: Properties, name: string): T | undefined {
  const value = optionalText(properties, name);
  return value === undefined ? undefined : (JSON.parse(value) as T);
}

export function migrationProperties(record: Omit<MigrationRecord, "etag">): Properties {
  return defined({
    id: record.id,
    workspace: record.workspace,
    domain: record.domain,
    status: record.status,
    phase: record.phase,
    runtime: checked(toJson("runtime", decodeRuntime(record.runtime, record.id))),
    counts: toJson("counts", record.counts),
    deadline: record.deadline,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    appId: record.appId,
  });
}

export function migrationRecord(properties: Properties, etag: string): MigrationRecord {
  return withoutUndefined({
    id: text(properties, "id"),
    workspace: text(properties, "workspace"),
    domain: text(properties, "domain"),
    status: text(properties, "status") as MigrationStatus,
    phase: text(properties, "phase"),
    // Rows written before the column was named for what it holds keep it as "settings" until their next write.
    runtime: storedRuntime(text(properties, "runtime" in properties ? "runtime" : "settings"), text(properties, "id")),
    counts: parsed<MigrationCounts>(properties, "counts"),
    deadline: text(properties, "deadline"),
    createdAt: text(properties, "createdAt"),
    updatedAt: text(properties, "updatedAt"),
    appId: optionalText(properties, "appId"),
    etag,
  });
}

/**
 * Runtime JSON that is what zod made of it: written from a checked runtime, or read and found to decode to exactly
 * itself. A migration's row is read far more often than written (every activity and page reads it), and checking
 * its runtime with zod costs more than parsing it: the same text, checked once, gives the same runtime, so it is
 * only parsed (zod's output is the same fields in the same order as its input, so a parse returns what the check
 * would). The newest KEPT_CHECKED are kept.
 */
const checkedRuntimes = new Set<string>();
const KEPT_CHECKED = 64;

function checked(json: string): string {
  checkedRuntimes.delete(json);
  checkedRuntimes.add(json);
  for (const oldest of checkedRuntimes) {
    if (checkedRuntimes.size <= KEPT_CHECKED) break;
    checkedRuntimes.delete(oldest);
  }
  return json;
}

function storedRuntime(json: string, migrationId: string): MigrationRuntime {
  if (checkedRuntimes.has(json)) return JSON.parse(json) as MigrationRuntime;
  const runtime = decodeRuntime(JSON.parse(json), migrationId);
  if (JSON.stringify(runtime) === json) checked(json);
  return runtime;
}

/** Properties of a user row; fields left undefined are absent (so an upsert-merge keeps them). */
export function userProperties(user: Partial<Omit<UserRecord, "userId">> & { userId: string }): Properties {
  return defined({
    userId: user.userId,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail,
    displayName: user.displayName,
    state: user.state,
    remindersSent: user.remindersSent,
    lastReminderAt: user.lastReminderAt,
    phase2: user.phase2 && toJson("phase2", user.phase2),
    mergeSuggestion: user.mergeSuggestion && toJson("mergeSuggestion", user.mergeSuggestion),
    signedInAt: user.signedInAt,
    // A string, so that a batch is an equality filter of the same type on every backend.
    phase2Batch: user.phase2Batch === undefined ? undefined : String(user.phase2Batch),
    lastMail: user.lastMail,
    // null is written (as "null") so that a merge clears an earlier bounce.
    bounce: user.bounce === undefined ? undefined : toJson("bounce", user.bounce),
    updatedAt: user.updatedAt,
  });
}

/** Read for every user on every pass: optional fields are set only when present (no copy to drop undefined ones). */
export function userRecord(properties: Properties): UserRecord {
  const remindersSent = properties.remindersSent;
  const record: UserRecord = {
    userId: text(properties, "userId"),
    userPrincipalName: text(properties, "userPrincipalName"),
    displayName: text(properties, "displayName"),
    state: text(properties, "state") as UserState,
    remindersSent: typeof remindersSent === "number" ? remindersSent : 0,
    phase2: optionalParsed<Phase2Status>(properties, "phase2") ?? { attempts: 0 },
    updatedAt: text(properties, "updatedAt"),
  };
  const mail = optionalText(properties, "mail");
  if (mail !== undefined) record.mail = mail;
  const lastReminderAt = optionalText(properties, "lastReminderAt");
  if (lastReminderAt !== undefined) record.lastReminderAt = lastReminderAt;
  const mergeSuggestion = optionalParsed<JsonObject>(properties, "mergeSuggestion");
  if (mergeSuggestion !== undefined) record.mergeSuggestion = mergeSuggestion;
  const signedInAt = optionalText(properties, "signedInAt");
  if (signedInAt !== undefined) record.signedInAt = signedInAt;
  const phase2Batch = optionalText(properties, "phase2Batch");
  if (phase2Batch !== undefined) record.phase2Batch = Number(phase2Batch);
  const lastMail = optionalText(properties, "lastMail");
  if (lastMail !== undefined) record.lastMail = lastMail;
  const bounce = optionalParsed<UserBounce | null>(properties, "bounce");
  if (bounce) record.bounce = bounce;
  return record;
}

export function taskProperties(task: Omit<TaskRecord, "etag">): Properties {
  return defined({
    id: task.id,
    migrationId: task.migrationId,
    kind: task.kind,
    gate: task.gate,
    assignee: task.assignee,
    tokenHash: task.tokenHash,
    csrfHash: task.csrfHash,
    expiresAt: task.expiresAt,
    createdAt: task.createdAt,
    status: task.status,
    decision: task.decision,
    decidedBy: task.decidedBy,
    decidedAt: task.decidedAt,
    reason: task.reason,
    closedAs: task.closedAs,
    lastLinkAt: task.lastLinkAt,
    payload: toJson("payload", decodeTaskPayload(task.payload, task.id)),
  });
}

export function taskRecord(properties: Properties, etag: string): TaskRecord {
  return withoutUndefined({
    id: text(properties, "id"),
    migrationId: text(properties, "migrationId"),
    kind: text(properties, "kind") as TaskRecord["kind"],
    gate: optionalText(properties, "gate"),
    assignee: text(properties, "assignee"),
    tokenHash: text(properties, "tokenHash"),
    csrfHash: optionalText(properties, "csrfHash"),
    expiresAt: text(properties, "expiresAt"),
    createdAt: text(properties, "createdAt"),
    status: text(properties, "status") as TaskRecord["status"],
    decision: optionalText(properties, "decision") as TaskRecord["decision"],
    decidedBy: optionalText(properties, "decidedBy"),
    decidedAt: optionalText(properties, "decidedAt"),
    reason: optionalText(properties, "reason"),
    closedAs: optionalText(properties, "closedAs"),
    lastLinkAt: optionalText(properties, "lastLinkAt"),
    payload: decodeTaskPayload(parsed<unknown>(properties, "payload"), text(properties, "id")),
    etag,
  });
}

export function auditProperties(entry: AuditEntry): Properties {
  return defined({
    migrationId: entry.migrationId,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    details: toJson("details", entry.details),
    instanceId: entry.instanceId,
  });
}

export function auditEntry(id: string, properties: Properties): AuditEntry {
  return withoutUndefined({
    id,
    migrationId: text(properties, "migrationId"),
    at: text(properties, "at"),
    actor: text(properties, "actor"),
    action: text(properties, "action"),
    details: parsed<JsonObject>(properties, "details"),
    instanceId: optionalText(properties, "instanceId"),
  });
}

/** Absent optional fields stay absent (not `key: undefined`), so records compare equal across adapters. */
function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
