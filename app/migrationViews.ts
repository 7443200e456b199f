/**
 * What the admins read: the list of migrations, one migration's status (the JSON and the page show the same
 * projection), its users page by page, and its report. Reads only; links are added by the caller, which knows
 * the address the request came to.
 */
import { hasWaves, nextWaveReminderAt, waveViews, wavesOf } from "../shared/domain/waves";
import { parseIsoDuration } from "../shared/domain/duration";
import { DEFAULT_TIME_ZONE } from "../shared/domain/humanTime";
import { openDeadlines, windowClosesAt, windowDeadlines } from "../shared/domain/personalDeadlines";
import { nextReminderOf } from "../shared/domain/schedule";
import type { MigrationRuntime } from "../shared/migrationRuntime";
import { recordFigures } from "../shared/migrationRecord";
import {
  InvalidCursorError,
  MAX_MIGRATIONS_PAGE,
  MAX_USERS_PAGE,
  type MigrationRecord,
  type Report,
  userStates,
  type UserRecord,
  type UserState,
} from "../shared/store";
import { isFinalPhase } from "../shared/workflow";
import { allowedActions } from "./adminCommands";
import type { AppDeps, FieldError, MigrationRunner } from "./ports";

const DEFAULT_MIGRATIONS_PAGE = 50;
const DEFAULT_USERS_PAGE = 100;

type Invalid = { kind: "invalid"; errors: FieldError[] };
type NotFound = { kind: "notFound" };

export type MigrationSummary = ReturnType<typeof migrationSummary>;

/** One page of the migrations, in id order; `top` as text (from a query string), absent for the default. */
export async function listMigrations(
  deps: AppDeps,
  query: { top?: string; cursor?: string },
): Promise<{ kind: "ok"; migrations: MigrationSummary[]; cursor?: string } | Invalid> {
  const top = pageSize(query.top, DEFAULT_MIGRATIONS_PAGE, MAX_MIGRATIONS_PAGE);
  if (typeof top !== "number") return { kind: "invalid", errors: [top] };
  return readingCursor(async () => {
    const page = await deps.store.pageMigrations({ top, cursor: query.cursor });
    return { kind: "ok", migrations: page.migrations.map(migrationSummary), cursor: page.cursor };
  });
}

/** A page size given as text (absent: the default), or what is wrong with it. */
function pageSize(text: string | undefined, fallback: number, max: number): number | FieldError {
  const top = text === undefined ? fallback : Number(text);
  return /^\d+$/.test(text ?? "1") && top >= 1 && top <= max
    ? top
    : { field: "top", message: `must be an integer from 1 to ${max}` };
}

/** A page read with a cursor from the query: one this list did not hand out is the caller's error, naming it. */
async function readingCursor<T>(read: () => Promise<T>): Promise<T | Invalid> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidCursorError)
      return { kind: "invalid", errors: [{ field: "cursor", message: err.message }] };
    throw err;
  }
}

function migrationSummary(m: MigrationRecord) {
  return {
    id: m.id,
    workspace: m.workspace,
    phase: m.phase,
    status: m.status,
    counts: m.counts,
    figures: recordFigures(m),
    deadline: m.deadline,
    timeZone: m.runtime.request.timeZone ?? DEFAULT_TIME_ZONE,
    needsAttention: needsAttention(m.runtime, m.phase),
  };
}

export type MigrationStatusView = NonNullable<Awaited<ReturnType<typeof migrationStatus>>>;

/** The status of one migration, from its row, its open tasks, its audit and the engine; no user row is read. */
export async function migrationStatus(deps: AppDeps, runner: MigrationRunner, id: string) {
  const record = await deps.store.getMigration(id);
  if (!record) return undefined;
  const { runtime } = record;
  // Read no user rows: counts come from the migration row, so this costs the same at any tenant size.
  const [durable, tasks, audit] = await Promise.all([
    runner.status(id),
    deps.store.listTasks(id, { status: "open" }),
    deps.store.listAudit(id, { limit: 500 }),
  ]);
  const progress = durable?.progress;
  const now = deps.clock.now();
  const finished = isFinalPhase(record.phase);
  // The next reminder to anyone: to those on the migration's deadline or to someone with a later one of their own.
  const next = finished
    ? null
    : hasWaves(runtime.request)
      ? { at: nextWaveReminderAt(wavesOf(runtime.request, record.deadline), now) }
      : nextReminderOf(
          windowDeadlines(record.deadline, openDeadlines(runtime.personalDeadlines)),
          runtime.request.reminders,
          now,
          [],
        );
  return {
    id,
    workspace: record.workspace,
    domain: record.domain,
    phase: record.phase,
    status: record.status,
    runtimeStatus: durable?.runtimeStatus ?? null,
    peigMode: runtime.peigMode,
    /** The zone pages and e-mails show dates in; the JSON's dates stay ISO 8601 UTC. */
    timeZone: runtime.request.timeZone ?? DEFAULT_TIME_ZONE,
    deadline: record.deadline,
    nextReminder: next?.at?.toISOString() ?? null,
    /** A migration with waves: each wave, who it takes, when, and where it stands (empty without waves). */
    waves: waveViews(runtime.request, record.deadline, runtime.waves, now, runtime.request.timeZone),
    waitingFor: progress?.waitingFor ?? null,
    /** The people the workflow waits on (who and what; the links are only in their e-mails). */
    waitingOn: finished ? [] : (progress?.waitingOn ?? []),
    counts: record.counts,
    /** Every number about the migration, each with the sentence that says what it counts. */
    figures: recordFigures(record),
    /** Operator mode: the counts hold the sign-ins Entra's log showed up to this time (the last read less SIGN_IN_LOG_LATENCY). */
    signInsUpTo: runtime.signInsReadAt
      ? new Date(Date.parse(runtime.signInsReadAt) - parseIsoDuration(deps.settings.SIGN_IN_LOG_LATENCY)).toISOString()
      : null,
    app: runtime.app
      ? {
          appId: runtime.app.appId,
          entityId: runtime.app.entityId,
          replyUrl: runtime.app.replyUrl,
          thumbprint: runtime.app.thumbprint,
          certificateNotAfter: runtime.app.certificateNotAfter,
        }
      : null,
    checklist: runtime.checklist ?? null,
    cancelRequested: runtime.commands.cancelRequested ?? null,
    needsAttention: needsAttention(runtime, record.phase),
    deletionStartedAt: runtime.deletionStartedAt ?? null,
    /** What an admin may do now (each one a command below, and a button on the page). */
    actions: allowedActions(record, tasks),
    openTasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      gate: t.gate,
      assignee: t.assignee,
      expiresAt: t.expiresAt,
    })),
    unmatchedRequests: runtime.unmatchedRequests ?? [],
    /** People an admin exempted, with why, by whom and when (no more mail, counted apart, no Phase 2 account). */
    exemptions: runtime.exemptions ?? [],
    /** People given a later deadline of their own (their reminders count down to it). */
    personalDeadlines: runtime.personalDeadlines ?? [],
    /** The latest approval round's out-of-office check: approvers away and not asked, replies that could not be read. */
    outOfOffice: runtime.outOfOffice ?? null,
    /** When the onboarding window closes: the latest deadline anyone has. */
    windowClosesAt: windowClosesAt(record.deadline, runtime.personalDeadlines),
    // From the migration row (the first of them and how many), like the counts: no user row is read.
    bounced: runtime.mail?.bounced?.first ?? [],
    bouncedTotal: runtime.mail?.bounced?.total ?? 0,
    audit: audit.map((a) => ({ at: a.at, actor: a.actor, action: a.action, details: a.details })),
    generatedAt: now.toISOString(),
  };
}

/** A step that failed past its quick re-tries: what, where, and the likely fix (null when all is well). */
function needsAttention(runtime: MigrationRuntime, phase: string) {
  const a = runtime.attention;
  if (!a?.needed || isFinalPhase(phase)) return null;
  return {
    step: a.step,
    service: a.service,
    status: a.status,
    code: a.code ?? null,
    message: a.message,
    fix: a.fix,
    since: a.since,
    failures: a.failures,
    lastAttemptAt: a.lastAttemptAt,
    /** Null once it stopped trying by itself: then only a resume (or a cancel) goes on. */
    nextAttemptAt: a.nextAttemptAt ?? null,
  };
}

/** The first rows of the status page's two user tables, and whether there are more. */
export async function statusPageTables(deps: AppDeps, id: string, rows: number) {
  const table = async <T>(state: UserState, row: (u: UserRecord) => T) => {
    const page = await deps.store.listUsers(id, { state, top: rows });
    return { rows: page.users.map(row), more: page.cursor !== undefined };
  };
  const [notOnboarded, mismatched] = await Promise.all([
    table("notOnboarded", (u) => ({
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      remindersSent: u.remindersSent,
    })),
    table("mismatched", (u) => ({
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      mergeSuggestion: u.mergeSuggestion,
    })),
  ]);
  return { notOnboarded, mismatched };
}

/** One page of a migration's users, in user-id order; `top` as text, absent for the default. */
export async function listMigrationUsers(
  deps: AppDeps,
  id: string,
  query: { state?: string; top?: string; cursor?: string },
): Promise<{ kind: "ok"; users: ReturnType<typeof userView>[]; cursor?: string } | Invalid | NotFound> {
  const top = pageSize(query.top, DEFAULT_USERS_PAGE, MAX_USERS_PAGE);
  const errors: FieldError[] = typeof top === "number" ? [] : [top];
  if (query.state !== undefined && !userStates.includes(query.state as UserState))
    errors.unshift({ field: "state", message: `must be one of ${userStates.join(", ")}` });
  if (errors.length > 0 || typeof top !== "number") return { kind: "invalid", errors };
  if (!(await deps.store.getMigration(id))) return { kind: "notFound" };
  return readingCursor(async () => {
    const page = await deps.store.listUsers(id, {
      state: query.state as UserState | undefined,
      top,
      cursor: query.cursor,
    });
    return { kind: "ok", users: page.users.map(userView), cursor: page.cursor };
  });
}

function userView(u: UserRecord) {
  return {
    userId: u.userId,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    mail: u.mail ?? null,
    state: u.state,
    remindersSent: u.remindersSent,
    lastReminderAt: u.lastReminderAt ?? null,
    phase2: u.phase2,
    mergeSuggestion: u.mergeSuggestion ?? null,
    updatedAt: u.updatedAt,
  };
}

/** The report, once the migration completed and wrote it. */
export async function migrationReport(deps: AppDeps, id: string): Promise<{ kind: "ok"; report: Report } | NotFound> {
  const report = await deps.store.getReport(id);
  return report ? { kind: "ok", report } : { kind: "notFound" };
}
