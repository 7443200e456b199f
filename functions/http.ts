/** Small helpers the HTTP functions share: JSON and HTML responses, body parsing, the caller's identity. */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

import * as df from "durable-functions";
import type { FieldError, MigrationRunner } from "../app/ports";
import { plural } from "../shared/domain/plural";
import { Events, Orchestrations, type MigrationProgress } from "../shared/workflow";

/** Every JSON answer: never cached (they carry migration state), never sniffed as something else. */
export const JSON_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" } as const;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { ...JSON_HEADERS, ...headers },
});

/** At most this many errors in a 400: enough to fix a body, small however hostile the body was. */
export const MAX_LISTED_ERRORS = 50;

export const badRequest = (errors: FieldError[]): HttpResponseInit => {
  const omitted = errors.length - MAX_LISTED_ERRORS;
  return json(
    400,
    omitted > 0
      ? { errors: errors.slice(0, MAX_LISTED_ERRORS), omitted, message: `${plural(omitted, "more error")} not listed` }
      : { errors },
  );
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The {id} of a /migrations/{id}/… route when it is a UUID (as every migration id is), else undefined: a 404. */
export function migrationIdOf(request: HttpRequest): string | undefined {
  const id = request.params.id ?? "";
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

/** Pages are self-contained: no script or style from anywhere else, no framing, no referrer leaks of task links. */
export const html = (status: number, page: string, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  body: page,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    ...headers,
  },
});

/** Parses a JSON body; an empty body is `{}` for endpoints whose fields are all optional. */
export async function readJson(
  request: HttpRequest,
  emptyAs?: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const text = await request.text();
  if (!text.trim()) {
    if (emptyAs !== undefined) return { ok: true, value: emptyAs };
    return { ok: false, response: badRequest([{ field: "body", message: "a JSON body is required" }]) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return {
      ok: false,
      response: badRequest([{ field: "body", message: `is not valid JSON: ${(err as Error).message}` }]),
    };
  }
}

export function baseUrlOf(request: HttpRequest, configured?: string): string {
  return (configured ?? new URL(request.url).origin).replace(/\/$/, "");
}

/**
 * A form post must come from our own page. Browsers send Sec-Fetch-Site on the requests they make
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Sec-Fetch-Site) and Origin on form POSTs; either
 * naming another site is refused before anything is looked up. Origin "null" proves nothing either way: our
 * pages' Referrer-Policy no-referrer makes browsers send exactly that from our own form
 * (https://fetch.spec.whatwg.org/#origin-header), so there Sec-Fetch-Site decides.
 */
export function isCrossSite(request: HttpRequest, publicBaseUrl: string): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = request.headers.get("origin");
  if (origin === null || origin === "null") return false;
  return origin !== new URL(request.url).origin && origin !== new URL(publicBaseUrl).origin;
}

/** The runner over a Durable client (what the HTTP functions get from their client binding). */
export function durableRunner(client: df.DurableClient): MigrationRunner {
  return {
    start: async (id, input) => void (await client.startNew(Orchestrations.migration, { instanceId: id, input })),
    // A finished instance answers 410, which the client treats as success: nothing is waiting to be woken.
    wake: (id) => client.raiseEvent(id, Events.wake, {}),
    status: async (id) => {
      const durable = await client.getStatus(id).catch(() => undefined);
      if (!durable) return undefined;
      return {
        runtimeStatus: String(durable.runtimeStatus),
        progress: (durable.customStatus ?? undefined) as MigrationProgress | undefined,
      };
    },
  };
}

/**
 * Routes that start, signal or read an orchestration, with the durable client binding. Anonymous to the Functions
 * host: each handler asks functions/access.ts who is calling (a signed-in person, or a function key on the API).
 */
export function registerClientRoutes(
  routes: [name: string, method: "GET" | "POST", route: string, handler: df.HttpDurableClientHandler][],
): void {
  for (const [name, method, route, handler] of routes)
    df.app.client.http(name, { route, methods: [method], authLevel: "anonymous", handler });
}

export const noSuchMigration = (): HttpResponseInit => json(404, { error: "no such migration" });
