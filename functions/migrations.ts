/**
 * The admin API (docs/design.md#http-surface), JSON: start a migration, list them, read one's status, users and
 * report, and the admin commands (extend the deadline, cancel, ask the approvers again, resume). Callers bring an
 * Entra access token (its app roles decide; the audit names them) or a function key (functions/access.ts). Each
 * handler checks access, parses the request, calls the use case (app/) and maps its result to a response.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import {
  cancelMigration,
  CANCEL_ACCEPTED,
  extendDeadline,
  requestApprovalAgain,
  resumeMigration,
  type CommandResult,
} from "../app/adminCommands";
import { listMigrations, listMigrationUsers, migrationReport, migrationStatus } from "../app/migrationViews";
import { exemptPerson, resendPersonInvitation } from "../app/people";
import { startMigration, type StartResult } from "../app/startMigration";
import { services } from "../shared/services";
import { userStates, type UserState } from "../shared/store";
import { apiAccess, signInRedirect } from "./access";
import {
  badRequest,
  baseUrlOf,
  durableRunner,
  html,
  json,
  JSON_HEADERS,
  migrationIdOf,
  readJson,
  registerClientRoutes,
} from "./http";

export const statusUrl = (request: HttpRequest, id: string) => `${baseUrlOf(request)}/api/migrations/${id}`;

/** Query parameters, absent ones left out. */
const queryOf = <K extends string>(request: HttpRequest, ...names: K[]): Partial<Record<K, string>> =>
  Object.fromEntries(names.map((n) => [n, request.query.get(n)]).filter(([, value]) => value !== null));

/** POST /api/migrations: the start, or its dry run (`dryRun: true`). */
async function postMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const access = await apiAccess(request, s.settings, "command");
  if (!access.ok) return access.response;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  return startResponse(request, await startMigration(s, durableRunner(client), body.value, access.actor));
}

function startResponse(request: HttpRequest, result: StartResult): HttpResponseInit {
  switch (result.kind) {
    case "invalid":
      return result.preflight
        ? json(400, { errors: result.errors, preflight: result.preflight })
        : badRequest(result.errors);
    case "planned":
      return json(200, { dryRun: true, plan: result.plan, preflight: result.preflight });
    case "conflict": {
      const active = result.activeMigrationId;
      return json(409, {
        ...(active ? { id: active, statusUrl: statusUrl(request, active) } : {}),
        message: result.message,
        preflight: result.preflight,
      });
    }
    case "accepted": {
      const url = statusUrl(request, result.id);
      return json(
        202,
        { id: result.id, statusUrl: url, statusPageUrl: `${url}/page`, warnings: result.warnings },
        { location: url },
      );
    }
  }
}

/** GET /api/migrations?top=…&cursor=…: one page of the migrations, in id order. */
async function getMigrations(request: HttpRequest): Promise<HttpResponseInit> {
  const page = await migrationsPage(request);
  return page.kind === "ok" ? json(200, { migrations: page.migrations, next: page.next }) : badRequest(page.errors);
}

/** The page of migrations with each one's status page link and the next page's link (the home page lists the same). */
export async function migrationsPage(request: HttpRequest) {
  const query = queryOf(request, "top", "cursor");
  const page = await listMigrations(services(), query);
  if (page.kind !== "ok") return page;
  const params = new URLSearchParams({
    ...(query.top ? { top: query.top } : {}),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
  return {
    kind: "ok" as const,
    migrations: page.migrations.map((m) => ({ ...m, links: { page: `${statusUrl(request, m.id)}/page` } })),
    next: page.cursor ? `${baseUrlOf(request)}/api/migrations?${params.toString()}` : null,
  };
}

/** The status projection with its links (the JSON, and the page's data). */
export async function statusWithLinks(request: HttpRequest, client: df.DurableClient) {
  const id = migrationIdOf(request);
  const status = id ? await migrationStatus(services(), durableRunner(client), id) : undefined;
  if (!status) return undefined;
  const base = statusUrl(request, status.id);
  return {
    ...status,
    links: {
      status: base,
      page: `${base}/page`,
      report: `${base}/report`,
      /** Each state's users, paginated. */
      users: Object.fromEntries(userStates.map((state) => [state, usersUrl(request, status.id, { state })])) as Record<
        UserState,
        string
      >,
    },
  };
}

async function getMigrationStatus(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const access = await apiAccess(request, services().settings, "read");
  if (!access.ok) return access.response;
  const status = await statusWithLinks(request, client);
  return status ? json(200, status) : noSuchMigration();
}

/** GET /api/migrations/{id}/users?state=…&top=…&cursor=…: one page of the migration's users, in user-id order. */
async function getMigrationUsers(request: HttpRequest): Promise<HttpResponseInit> {
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const query = queryOf(request, "state", "top", "cursor");
  const page = await listMigrationUsers(services(), id, query);
  if (page.kind === "invalid") return badRequest(page.errors);
  if (page.kind === "notFound") return noSuchMigration();
  const next = page.cursor ? usersUrl(request, id, { ...query, cursor: page.cursor }) : null;
  return json(200, { users: page.users, next });
}

function usersUrl(request: HttpRequest, id: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const text = params.toString();
  return `${statusUrl(request, id)}/users${text ? `?${text}` : ""}`;
}

async function getReport(request: HttpRequest): Promise<HttpResponseInit> {
  const access = await apiAccess(request, services().settings, "read");
  // The HTML report is a page (the status page links to it): a browser without a session goes to sign in.
  if (!access.ok)
    return access.response.status === 401 && request.query.get("format") !== "json"
      ? signInRedirect(request)
      : access.response;
  const id = migrationIdOf(request);
  const found = id ? await migrationReport(services(), id) : ({ kind: "notFound" } as const);
  if (found.kind === "notFound")
    return json(404, { error: "no report yet: it is written when the migration completes" });
  return request.query.get("format") === "json"
    ? { status: 200, body: found.report.json, headers: { ...JSON_HEADERS, "content-type": "application/json" } }
    : html(200, found.report.html);
}

/** An admin command's answer: 202 with what was accepted, or why not. */
function commandResponse<T extends object>(id: string, result: CommandResult<T>, accepted: (r: T) => object) {
  switch (result.kind) {
    case "accepted":
      return json(202, { id, ...accepted(result) });
    case "conflict":
      return json(409, { error: result.reason });
    case "invalid":
      return badRequest(result.errors);
    case "notFound":
      return noSuchMigration();
  }
}

/** The route's migration, the command's body (JSON; `emptyAs` when an empty body is fine) and who asks. */
const command =
  (
    run: (id: string, body: unknown, actor: string, client: df.DurableClient) => Promise<HttpResponseInit>,
    emptyAs?: unknown,
  ): df.HttpDurableClientHandler =>
  async (request, client) => {
    const access = await apiAccess(request, services().settings, "command");
    if (!access.ok) return access.response;
    const id = migrationIdOf(request);
    if (!id) return noSuchMigration();
    const body = await readJson(request, emptyAs);
    if (!body.ok) return body.response;
    return run(id, body.value, access.actor, client);
  };

const postDeadline = command(async (id, body, actor, client) =>
  commandResponse(id, await extendDeadline(services(), durableRunner(client), id, body, actor), (r) => ({
    deadline: r.deadline,
  })),
);

const postCancel = command(async (id, body, actor, client) => {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return badRequest([{ field: "body", message: 'must be a JSON object such as {"reason": "…"}' }]);
  const reason = (body as { reason?: unknown }).reason;
  return commandResponse(id, await cancelMigration(services(), durableRunner(client), id, reason, actor), (r) =>
    r.already ? { status: "already requested" } : { message: CANCEL_ACCEPTED },
  );
}, {});

const postApproval = command(
  async (id, _body, actor, client) =>
    commandResponse(id, await requestApprovalAgain(services(), durableRunner(client), id, actor), () => ({})),
  {},
);

const postResume = command(
  async (id, _body, actor, client) =>
    commandResponse(id, await resumeMigration(services(), durableRunner(client), id, actor), () => ({
      message: "The failed step is tried again now.",
    })),
  {},
);

/** POST /api/migrations/{id}/people/exempt {"user", "reason"}: one person gets no more mail, counted apart. */
const postExemption = command(async (id, body, actor, client) =>
  commandResponse(id, await exemptPerson(services(), durableRunner(client), id, body, actor), (r) => ({
    exemption: r.exemption,
  })),
);

/** POST /api/migrations/{id}/people/resend {"user"}: the invitation to one person again, now. */
const postResend = command(async (id, body, actor) =>
  commandResponse(id, await resendPersonInvitation(services(), id, body, actor), (r) => ({
    to: r.to,
    sender: r.sender,
  })),
);

const noSuchMigration = (): HttpResponseInit => json(404, { error: "no such migration" });

/** A read of the JSON API, for a Viewer, an Admin or a function key. */
const reading =
  (handler: (request: HttpRequest) => Promise<HttpResponseInit>) =>
  async (request: HttpRequest): Promise<HttpResponseInit> => {
    const access = await apiAccess(request, services().settings, "read");
    return access.ok ? handler(request) : access.response;
  };

/** The JSON admin API: anonymous to the Functions host, each handler checks its caller (functions/access.ts). */
export function registerMigrationFunctions(): void {
  const reads: [name: string, route: string, handler: (request: HttpRequest) => Promise<HttpResponseInit>][] = [
    ["listMigrations", "migrations", reading(getMigrations)],
    ["listMigrationUsers", "migrations/{id}/users", reading(getMigrationUsers)],
    ["getMigrationReport", "migrations/{id}/report", getReport],
  ];
  for (const [name, route, handler] of reads)
    app.http(name, { route, methods: ["GET"], authLevel: "anonymous", handler });
  registerClientRoutes([
    ["startMigration", "POST", "migrations", postMigration],
    ["getMigrationStatus", "GET", "migrations/{id}", getMigrationStatus],
    ["extendDeadline", "POST", "migrations/{id}/deadline", postDeadline],
    ["cancelMigration", "POST", "migrations/{id}/cancel", postCancel],
    ["resumeMigration", "POST", "migrations/{id}/resume", postResume],
    ["requestApprovalAgain", "POST", "migrations/{id}/approval", postApproval],
    ["exemptPerson", "POST", "migrations/{id}/people/exempt", postExemption],
    ["resendInvitation", "POST", "migrations/{id}/people/resend", postResend],
  ]);
}
