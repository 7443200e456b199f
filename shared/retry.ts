/**
 * The one retry layer for remote calls (Graph and Peig adapters): bounded attempts, exponential
 * back-off, and `Retry-After` honoured when the service sends it
 * (https://learn.microsoft.com/en-us/graph/throttling: "wait the number of seconds specified in the
 * Retry-After header, then retry"). The Graph SDK's own RetryHandler is configured off so that the
 * two layers do not multiply.
 *
 * Retry-After is waited out as given (Graph has asked for more than 300 s), up to `maxRetryAfterMs`; a longer
 * request fails the attempt at once, so the durable retry of the activity takes over instead of one
 * invocation sleeping towards the Functions timeout.
 */
import type { Clock } from "./clock";

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  maxAttempts: number;
  baseDelayMs: number;
  /** Cap of the exponential back-off (used when the service gives no Retry-After). */
  maxDelayMs: number;
  /** The longest Retry-After waited out in process; default `maxRetryAfterMs`. */
  maxRetryAfterMs?: number;
}

/** 10 minutes: a third of the Flex Consumption plan's default 30-minute function timeout. */
export const maxRetryAfterMs = 10 * 60_000;

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** What the caller's classifier says about a failure. */
export interface RetryDecision {
  retry: boolean;
  /** Server-requested wait (from Retry-After), used instead of back-off when present. */
  retryAfterMs?: number;
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
    this.name = "RetriesExhaustedError";
  }
}

/** The service asked to wait longer than this process waits; the caller's durable retry should try later. */
export class RetryAfterTooLongError extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly boundMs: number,
    readonly lastError: unknown,
  ) {
    super(
      `the service asked to retry after ${Math.round(retryAfterMs / 1000)} s, more than the ${Math.round(boundMs / 1000)} s waited in process: ` +
        (lastError instanceof Error ? lastError.message : String(lastError)),
    );
    this.name = "RetryAfterTooLongError";
  }
}

/** How long to wait before the next attempt: Retry-After as given (throws beyond the bound), else capped back-off. */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  error: unknown,
): number {
  if (retryAfterMs === undefined) return backoffDelay(policy, attempt);
  const bound = policy.maxRetryAfterMs ?? maxRetryAfterMs;
  if (retryAfterMs > bound) throw new RetryAfterTooLongError(retryAfterMs, bound, error);
  return retryAfterMs;
}

/** Statuses that mean "try again later" for Graph and for our Peig contract (429, 503, 504). */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 504;
}

/** Parses a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    policy?: RetryPolicy;
    clock: Clock;
    classify: (error: unknown) => RetryDecision;
    onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  },
): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      if (attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
      const delay = retryDelay(policy, attempt, decision.retryAfterMs, error);
      options.onRetry?.(attempt, delay, error);
      await options.clock.sleep(delay);
    }
  }
}
