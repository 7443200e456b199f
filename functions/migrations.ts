/**
 * The admin API (docs/design.md#http-surface), JSON: start a migration, list them, read one's status, users and
 * report; the admin commands are in functions/migrationCommands.ts. Callers bring an
 * Entra access token (its app roles decide; the audit names them) or a function key (functions/access.ts). Each
 * handler checks access, parses the request, calls the use case (app/) and maps its result to a response.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { listMigrations, listMigrationUsers, migrationReport, migrationStatus } from "../app/migrationViews";
import { startMigration, type StartResult } from "../app/startMigration";
import { services } from "../shared/services";
import { userStates, type UserState } from "../shared/store";
import { apiAccess, signInRedirect } from "./access";
import { commandRoutes } from "./migrationCommands";
import {
  badRequest,
  baseUrlOf,
  durableRunner,
  html,
  json,
  JSON_HEADERS,
  migrationIdOf,
  noSuchMigration,
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
    ...commandRoutes,
  ]);
}
