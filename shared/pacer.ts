/**
 * Keeps a client under a service's documented rate limit (at most `perWindow` requests in any rolling
 * `windowMs`), on the Clock, so the tests' virtual clock and the simulators' limits see the same time.
 * Used for Exchange Online's "30 messages per minute"
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1)
 * and Graph's sign-in log reads, five per 10 seconds per app per tenant (shared/graph/serviceLimits.ts):
 * asking within the limit costs fewer requests than learning it from 429s.
 */
import type { Clock } from "./clock";

export class RatePacer {
  /** Requests inside the current window, each at the time it counts from, oldest first. */
  private sent: { at: number }[] = [];

  constructor(
    private readonly clock: Clock,
    readonly perWindow = 30,
    readonly windowMs = 60_000,
  ) {}

  /** Waits until `count` more requests fit in the rolling window, then books them at the current time. */
  async take(count: number): Promise<void> {
    await this.book(count);
  }

  /**
   * Sends one request inside the limit. Its booking counts from when the answer came back, not from when it was
   * sent: the service may have counted it as late as that (the clock moves on while a request is in flight), and a
   * window measured from the send would let the next request through before the service's window has freed it.
   */
  async paced<T>(send: () => Promise<T>): Promise<T> {
    const [slot] = await this.book(1);
    try {
      return await send();
    } finally {
      slot.at = Math.max(slot.at, this.clock.now().getTime());
      // A request in flight longer than the window was dropped from it meanwhile; it counts again from its answer.
      if (!this.sent.includes(slot)) this.sent.push(slot);
      this.sent.sort((a, b) => a.at - b.at);
    }
  }

  private async book(count: number): Promise<{ at: number }[]> {
    if (count > this.perWindow)
      throw new Error(`cannot make ${count} requests at once: the limit is ${this.perWindow} per window`);
    for (;;) {
      const now = this.clock.now().getTime();
      // A send at t no longer counts once now ≥ t + window (the simulators use the same rule).
      this.sent = this.sent.filter((s) => s.at > now - this.windowMs);
      const excess = this.sent.length + count - this.perWindow;
      if (excess <= 0) {
        const booked = Array.from({ length: count }, () => ({ at: now }));
        this.sent.push(...booked);
        return booked;
      }
      await this.clock.sleep(this.sent[excess - 1].at + this.windowMs - now);
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
