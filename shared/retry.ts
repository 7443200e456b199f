/**
 * The one retry layer for remote calls (Graph and Peig adapters): bounded attempts, exponential
 * back-off, and `Retry-After` honoured when the service sends it
 * (https://learn.microsoft.com/en-us/graph/throttling: "wait the number of seconds specified in the
 * Retry-After header, then retry"). The Graph SDK's own RetryHandler is configured off so that the
 * two layers do not multiply.
 */
import type { Clock } from "./clock";

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

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
  options: { policy?: RetryPolicy; clock: Clock; classify: (error: unknown) => RetryDecision; onRetry?: (attempt: number, delayMs: number, error: unknown) => void },
): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      if (attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
      const delay = Math.min(policy.maxDelayMs, decision.retryAfterMs ?? backoffDelay(policy, attempt));
      options.onRetry?.(attempt, delay, error);
      await options.clock.sleep(delay);
    }
  }
}
