/**
 * The app's log lines: one line per audit entry and per failed activity, each naming its migration, so that
 * Application Insights can tell one migration's story and the alert rules in infra/app/alerts.bicep can fire on
 * what the app really emits (docs/troubleshooting.md, "One migration's story").
 *
 * A line is `peig-migration {json}` written through the Functions invocation's logger (`context.log`, `warn`,
 * `error`): the host sends it to Application Insights' `traces` table with the function's name and invocation id,
 * and KQL reads the JSON back with `parse_json(substring(message, 15))`. The invocation is found through
 * AsyncLocalStorage, set around each activity (activities/index.ts) and, in Azure, around every function by a
 * pre-invocation hook (`useInvocationLogging`). Lines carry no e-mail address: the audit in the store keeps those.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { app } from "@azure/functions";

/** The prefix every line starts with; the KQL in docs/troubleshooting.md and infra/app/alerts.bicep filters on it. */
export const LOG_PREFIX = "peig-migration ";

export type LogLevel = "information" | "warning" | "error";

export interface MigrationLogLine {
  migrationId: string;
  /** What happened: the audit action (`phase.onboarding`, `attention.needed`, `tasks.opened`, …) or `activity.failed`. */
  event: string;
  level: LogLevel;
  /** Who did it, as a role: `system`, `admin`, `approver`, … (never the address). */
  actor?: string;
  instanceId?: string;
  details?: Record<string, unknown>;
}

/** Where lines go: the invocation's logger in Azure and on the local host; a test's recorder. */
export type MigrationLog = (line: MigrationLogLine) => void;

/** The part of InvocationContext that logs. */
export interface InvocationLogger {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const invocation = new AsyncLocalStorage<InvocationLogger>();

/** Runs `work` with `logger` as the invocation that `functionsLog` writes to. */
export function withInvocationLogger<T>(logger: InvocationLogger, work: () => T): T {
  return invocation.run(logger, work);
}

/**
 * Forgets the invocations' loggers until the next `withInvocationLogger`: for a process that goes on after the app
 * stops (a local stack's `stop`). Node walks every AsyncLocalStorage that has held a store on each new promise and
 * callback until it is disabled, and jest loads this module afresh for every test file: without this, each
 * file a jest worker has run makes every promise of the files after it slower (forty files: ten times slower).
 */
export function stopInvocationLogging(): void {
  invocation.disable();
}

export function formatLogLine(line: MigrationLogLine): string {
  return LOG_PREFIX + JSON.stringify(line);
}

/** Reads a line back (the tests; KQL does the same with parse_json). */
export function parseLogLine(message: string): MigrationLogLine | undefined {
  if (!message.startsWith(LOG_PREFIX)) return undefined;
  return JSON.parse(message.slice(LOG_PREFIX.length)) as MigrationLogLine;
}

/**
 * Production's sink, and the local host's: the current invocation's logger at the line's level. Outside an
 * invocation the line goes to `outside` (production: the console, which the worker forwards to the host).
 */
export function invocationLog(outside: MigrationLog = consoleLog): MigrationLog {
  return (line) => {
    const logger = invocation.getStore();
    if (!logger) return outside(line);
    const message = formatLogLine(line);
    if (line.level === "error") logger.error(message);
    else if (line.level === "warning") logger.warn(message);
    else logger.log(message);
  };
}

const consoleLog: MigrationLog = (line) =>
  line.level === "error" ? console.error(formatLogLine(line)) : console.log(formatLogLine(line));

/**
 * In Azure every function (HTTP ones included) runs inside its invocation's logger, so the audit lines written
 * by a start or a task decision reach Application Insights with that request. The worker calls the hook before
 * each invocation (@azure/functions `app.hook.preInvocation`; the handler it leaves in `functionHandler` is the one
 * invoked). The local host has no hooks: there the activity wrapper sets the logger, and HTTP functions log to the
 * console fallback.
 */
export function useInvocationLogging(): void {
  app.hook.preInvocation((hook) => {
    const handler = hook.functionHandler;
    const context = hook.invocationContext as InvocationLogger;
    hook.functionHandler = (...args: unknown[]) =>
      withInvocationLogger(context, () => handler(...(args as [never, never])));
  });
}

const EMAIL = /[^\s@]+@[^\s@]+/;

/** Details without addresses: a string holding one becomes "(address)", a list of them its length. */
export function withoutAddresses(value: unknown): unknown {
  if (typeof value === "string") return EMAIL.test(value) ? "(address)" : value;
  if (Array.isArray(value)) {
    if (value.some((v) => typeof v === "string" && EMAIL.test(v))) return value.length;
    return value.map(withoutAddresses);
  }
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutAddresses(v)]));
  return value;
}

/** Audit actions that need someone: logged as warnings, which the alert rules and the workbook pick out. */
const WARNING_ACTIONS = new Set(["attention.needed", "phase.failed", "mail.bounced"]);

/** The line an audit entry is logged as. */
export function auditLogLine(entry: {
  migrationId: string;
  actor: string;
  action: string;
  details?: Record<string, unknown>;
  instanceId?: string;
}): MigrationLogLine {
  return {
    migrationId: entry.migrationId,
    event: entry.action,
    level: WARNING_ACTIONS.has(entry.action) ? "warning" : "information",
    actor: entry.actor.split(":")[0],
    ...(entry.instanceId ? { instanceId: entry.instanceId } : {}),
    details: withoutAddresses(entry.details ?? {}) as Record<string, unknown>,
  };
}
