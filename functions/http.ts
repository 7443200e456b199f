/** Small helpers the HTTP functions share: JSON and HTML responses, body parsing, the caller's identity. */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

export interface FieldError {
  field: string;
  message: string;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { "cache-control": "no-store", ...headers },
});

export const badRequest = (errors: FieldError[]): HttpResponseInit => json(400, { errors });

/** Pages are self-contained: no script or style from anywhere else, no framing, no referrer leaks of task links. */
export const html = (status: number, page: string, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  body: page,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    ...headers,
  },
});

/** Parses a JSON body; an empty body is `{}` for endpoints whose fields are all optional. */
export async function readJson(request: HttpRequest, emptyAs?: unknown): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const text = await request.text();
  if (!text.trim()) {
    if (emptyAs !== undefined) return { ok: true, value: emptyAs };
    return { ok: false, response: badRequest([{ field: "body", message: "a JSON body is required" }]) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, response: badRequest([{ field: "body", message: `is not valid JSON: ${(err as Error).message}` }]) };
  }
}

/**
 * Who is calling. With App Service Authentication in front, it sets x-ms-client-principal-name (and
 * strips any such header a client sends); without it, an admin is only known as "admin".
 */
export function callerName(request: HttpRequest): string | undefined {
  return request.headers.get("x-ms-client-principal-name")?.trim() || undefined;
}

export function baseUrlOf(request: HttpRequest, configured?: string): string {
  return (configured ?? new URL(request.url).origin).replace(/\/$/, "");
}
