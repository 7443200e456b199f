/**
 * The contract's rate limit (docs/peig-admin-api.md, Conventions > Rate limit): a token bucket per API
 * key on the simulator's clock. A request that finds no token is refused with 429 `throttled` and a
 * Retry-After of whole seconds (RFC 9110 §10.2.3 delay-seconds) until a token will be there.
 */
import type { Clock } from "../../shared/clock";

export interface PeigRateLimit {
  /** Sustained rate: tokens added per second. */
  requestsPerSecond: number;
  /** Bucket size: requests that may go at once after a quiet spell. Default: one second's worth. */
  burst?: number;
}

/** The limit docs/peig-admin-api.md documents for every API key (defined with the contract). */
export { contractRateLimit } from "../../shared/peig/contract";

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;

  constructor(
    private readonly clock: Clock,
    limit: PeigRateLimit,
  ) {
    if (!(limit.requestsPerSecond > 0))
      throw new Error(`requestsPerSecond must be > 0, got ${limit.requestsPerSecond}`);
    this.rate = limit.requestsPerSecond;
    this.burst = limit.burst ?? Math.max(1, limit.requestsPerSecond);
    if (!(this.burst >= 1)) throw new Error(`burst must be ≥ 1, got ${this.burst}`);
  }

  /** Takes a token for `key`; when there is none, returns the whole seconds to wait before one is there. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)) };
  }
}
