/** The simulator's request/response model, shared by the HTTP front end and `$batch` items. */
import { randomUUID } from "crypto";

export interface SimRequest {
  method: string;
  /** Decoded path without the version segment, e.g. "/applications(appId='…')". */
  path: string;
  /** The version segment of the URL (a batch item inherits its batch's). */
  version: "v1.0" | "beta";
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: unknown;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * Graph's error envelope: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
 * (https://learn.microsoft.com/en-us/graph/errors).
 */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorResponse(error: GraphHttpError, now: Date): SimResponse {
  return {
    status: error.status,
    headers: { ...error.headers },
    body: {
      error: {
        code: error.code,
        message: error.message,
        innerError: {
          date: now.toISOString().replace(/\.\d{3}Z$/, ""),
          "request-id": randomUUID(),
          "client-request-id": randomUUID(),
        },
      },
    },
  };
}

export function ok(body: unknown, status = 200): SimResponse {
  return { status, headers: {}, body };
}

export function empty(status: 202 | 204): SimResponse {
  return { status, headers: {} };
}

export function notFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function badRequest(message: string, code = "Request_BadRequest"): GraphHttpError {
  return new GraphHttpError(400, code, message);
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("The request body must be a JSON object.", "BadRequest");
  return body as Record<string, unknown>;
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
