/**
 * Every Graph request of the adapters goes through here: counted by kind, retried by `withRetry`
 * (429/503/504 and network failures, honouring Retry-After), and paged by following `@odata.nextLink`.
 */
import { GraphError, type Client } from "@microsoft/microsoft-graph-client";
import type { Clock } from "../clock";
import type { RatePacer } from "../pacer";
import type { RequestCounter } from "../requestCounter";
import {
  defaultRetryPolicy,
  isTransientStatus,
  parseRetryAfter,
  retryDelay,
  withRetry,
  type RetryDecision,
  type RetryPolicy,
} from "../retry";

export interface GraphAdapterDeps {
  client: Client;
  clock: Clock;
  counter: RequestCounter;
  retryPolicy?: RetryPolicy;
}

/** HTTP status of a Graph failure; -1 when the request never got a response (the SDK's convention). */
export function graphStatus(error: unknown): number | undefined {
  return error instanceof GraphError ? error.statusCode : undefined;
}

export function graphErrorCode(error: unknown): string | undefined {
  return error instanceof GraphError ? (error.code ?? undefined) : undefined;
}

export function isTransientGraphError(error: unknown): boolean {
  const status = graphStatus(error);
  return status !== undefined && (status === -1 || isTransientStatus(status));
}

export function retryAfterMs(error: unknown, now: Date): number | undefined {
  return error instanceof GraphError ? parseRetryAfter(error.headers?.get("Retry-After"), now) : undefined;
}

/** Graph's JSON error as one line for logs and reports (never includes request bodies). */
export function describeGraphError(error: unknown): string {
  if (error instanceof GraphError) return `${error.statusCode} ${error.code ?? "error"}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** OData string literal: single quotes doubled (https://learn.microsoft.com/en-us/graph/query-parameters#escaping-single-quotes). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `path?$k=v&…` with values percent-encoded: the SDK splits the path on `&` and `=` and sends values as
 * given, so a raw `&` or `#` in a filter would corrupt the request.
 */
export function queryPath(path: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join("&");
  return query ? `${path}?${query}` : path;
}

/**
 * `@odata.nextLink` is absolute; the SDK would append an http:// link to its base URL, so strip scheme,
 * host and version and keep the (already encoded) query as is (msgraph-sdk-javascript 3.0.7 src/GraphRequest.ts;
 * https://learn.microsoft.com/en-us/graph/paging: use the link unchanged otherwise).
 */
export function normaliseNextLink(link: string): string {
  const url = new URL(link);
  const path = url.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, "");
  return `${path}${url.search}`;
}

export type GraphVersion = "v1.0" | "beta";

/** How a collection is read: its API version, and the limit each page read keeps under. */
interface PageOptions {
  version?: GraphVersion;
  pacer?: RatePacer;
}

interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

export class GraphCaller {
  readonly client: Client;
  readonly clock: Clock;
  readonly policy: RetryPolicy;
  private readonly counter: RequestCounter;

  constructor(deps: GraphAdapterDeps) {
    this.client = deps.client;
    this.clock = deps.clock;
    this.counter = deps.counter;
    this.policy = deps.retryPolicy ?? defaultRetryPolicy;
  }

  /**
   * An idempotent request with bounded retries. With `notFoundUntil`, 404 is also retried every 5 s until
   * that time: objects just created by instantiate replicate with a delay
   * (https://learn.microsoft.com/en-us/graph/application-saml-sso-configure-api: poll every 5–10 s).
   * With `pacer`, every attempt (retries too) waits for room under the service's limit before it is sent.
   */
  call<T>(kind: string, send: () => Promise<T>, options: { notFoundUntil?: Date; pacer?: RatePacer } = {}): Promise<T> {
    const until = options.notFoundUntil;
    const extraPolls = until
      ? Math.ceil(Math.max(0, until.getTime() - this.clock.now().getTime()) / notFoundPollMs)
      : 0;
    return withRetry(
      () => {
        const attempt = () => {
          this.counter.count(kind);
          return send().catch((error: unknown) => Promise.reject(tagRequest(error, kind)));
        };
        return options.pacer ? options.pacer.paced(attempt) : attempt();
      },
      {
        clock: this.clock,
        policy: { ...this.policy, maxAttempts: this.policy.maxAttempts + extraPolls },
        classify: (error) => this.classify(error, until),
      },
    );
  }

  /** Exactly one attempt (for non-idempotent requests whose recovery is a lookup, not a resend). */
  once<T>(kind: string, send: () => Promise<T>): Promise<T> {
    this.counter.count(kind);
    return send().catch((error: unknown) => Promise.reject(tagRequest(error, kind)));
  }

  /**
   * All pages of a collection; `headers` (e.g. ConsistencyLevel) are sent again on every page, and every page is
   * read from the same API version (https://learn.microsoft.com/en-us/graph/paging).
   */
  async listAll<T>(
    kind: string,
    path: string,
    headers: Record<string, string> = {},
    options: PageOptions = {},
  ): Promise<T[]> {
    const items: T[] = [];
    await this.forEachPage<T>(kind, path, (page) => void items.push(...page), headers, options);
    return items;
  }

  /** listAll, handing each page over as it arrives: a caller that keeps a little of each item does not hold every page. */
  async forEachPage<T>(
    kind: string,
    path: string,
    onPage: (items: T[]) => void,
    headers: Record<string, string> = {},
    options: PageOptions = {},
  ): Promise<void> {
    const version = options.version ?? "v1.0";
    let next: string | undefined = path;
    while (next !== undefined) {
      const pagePath: string = next;
      const page: Page<T> = await this.call(
        kind,
        () => this.client.api(pagePath).version(version).headers(headers).get(),
        { pacer: options.pacer },
      );
      onPage(page.value);
      const link = page["@odata.nextLink"];
      next = link ? normaliseNextLink(link) : undefined;
    }
  }

  /** Waits out a transient failure the caller will not resend blindly (Retry-After, else back-off). */
  async pauseAfter(error: unknown, attempt: number): Promise<void> {
    await this.clock.sleep(retryDelay(this.policy, attempt, retryAfterMs(error, this.clock.now()), error));
  }

  private classify(error: unknown, notFoundUntil: Date | undefined): RetryDecision {
    if (notFoundUntil && graphStatus(error) === 404 && this.clock.now() < notFoundUntil) {
      return { retry: true, retryAfterMs: notFoundPollMs };
    }
    if (!isTransientGraphError(error)) return { retry: false };
    return { retry: true, retryAfterMs: retryAfterMs(error, this.clock.now()) };
  }
}

/** How often a 404 on a just-created object is asked again ("poll every 5–10 seconds", the SAML tutorial). */
export const notFoundPollMs = 5_000;

/** Names the request kind on a failure, so a 403 can be traced to the permission it needs (shared/stepFailure.ts). */
function tagRequest(error: unknown, kind: string): unknown {
  if (typeof error === "object" && error !== null && !("graphRequest" in error))
    Object.defineProperty(error, "graphRequest", { value: kind, enumerable: false });
  return error;
}
