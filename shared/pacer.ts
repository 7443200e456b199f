/**
 * Keeps a client under a service's documented rate limit (at most `perWindow` requests in any rolling
 * `windowMs`), on the Clock, so the tests' virtual clock and the simulators' limits see the same time.
 * Used for Exchange Online's "30 messages per minute"
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1)
 * and the Peig admin API's documented request rate (docs/peig-admin-api.md, Conventions > Rate limit):
 * asking within the limit costs fewer requests than learning it from 429s.
 */
import type { Clock } from "./clock";

export class RatePacer {
  /** Request times (ms) inside the current window, oldest first. */
  private sent: number[] = [];

  constructor(
    private readonly clock: Clock,
    readonly perWindow = 30,
    readonly windowMs = 60_000,
  ) {}

  /** Waits until `count` more requests fit in the rolling window, then books them at the current time. */
  async take(count: number): Promise<void> {
    if (count > this.perWindow)
      throw new Error(`cannot make ${count} requests at once: the limit is ${this.perWindow} per window`);
    for (;;) {
      const now = this.clock.now().getTime();
      // A send at t no longer counts once now ≥ t + window (the simulator uses the same rule).
      this.sent = this.sent.filter((t) => t > now - this.windowMs);
      const excess = this.sent.length + count - this.perWindow;
      if (excess <= 0) {
        for (let i = 0; i < count; i++) this.sent.push(now);
        return;
      }
      await this.clock.sleep(this.sent[excess - 1] + this.windowMs - now);
    }
  }
}

/**
 * Keeps a client within a token bucket of `perSecond` tokens a second holding at most `burst`: in any
 * interval of t seconds it sends at most burst + perSecond·t requests. Unlike a rolling window, such limits
 * add up: clients whose rates and bursts sum to a service's token bucket together never exceed it, which
 * is how each activity keeps to its share of the app's Peig budget (docs/architecture.md#limits-for-the-whole-app).
 * Starts full, on the Clock (virtual in tests, like the simulators' limits).
 */
export class TokenBucketPacer {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    readonly perSecond: number,
    readonly burst: number,
  ) {
    if (!(perSecond > 0)) throw new Error(`perSecond must be > 0, got ${perSecond}`);
    if (!(burst >= 1)) throw new Error(`burst must be ≥ 1 (one request must fit), got ${burst}`);
    this.tokens = burst;
    this.at = clock.now().getTime();
  }

  /** Waits until a token is there, then takes it. */
  async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.at) / 1000) * this.perSecond);
      this.at = Math.max(this.at, now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
    }
  }
}
