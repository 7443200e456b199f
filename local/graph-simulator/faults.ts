/**
 * Seeded, deterministic fault injection: random 429 (with Retry-After) and 503/504, plus scripted faults
 * for a named request. A 503 is refused before processing; a 504 (gateway timeout) is returned after the
 * request was processed, so the caller sees a failure for something that happened — the case that makes
 * blind retries of non-idempotent POSTs create duplicates.
 */
export interface ScriptedFault {
  method: string;
  /** Matches when the request path (without version) contains this text. */
  pathIncludes: string;
  /**
   * Only this path exactly (without version or query): one workload down while others answer, as Graph's
   * workloads (directory, Exchange) fail independently (https://learn.microsoft.com/en-us/graph/errors: 503 from one service).
   */
  exact?: boolean;
  /**
   * 403: the app lacks the permission the request needs; 404: a replica that has not seen a new object yet (both
   * answered before processing).
   */
  status: FaultStatus;
  /** How many matching requests fail; default 1. */
  times?: number;
  /**
   * Retry-After of this fault (429/503), overriding the default: Graph has asked for more than 300 s
   * (https://learn.microsoft.com/en-us/graph/throttling: "wait the number of seconds specified").
   */
  retryAfterSeconds?: number;
}

export interface GraphFaults {
  /** Share of requests answered 429 (0..1). */
  throttleRate?: number;
  /** Share of requests answered 503 or 504 (0..1). */
  serverErrorRate?: number;
  /** Retry-After on 429 and 503; default 2 s. */
  retryAfterSeconds?: number;
  seed?: number;
  scripted?: ScriptedFault[];
}

export type FaultStatus = 403 | 404 | 429 | 503 | 504;

export interface InjectedFault {
  status: FaultStatus;
  afterProcessing: boolean;
  retryAfterSeconds?: number;
}

export class FaultInjector {
  private faults: GraphFaults = {};
  private state: number;
  private scripted: (ScriptedFault & { remaining: number })[] = [];

  constructor(faults: GraphFaults = {}) {
    this.state = (faults.seed ?? 1) >>> 0;
    this.set(faults);
  }

  /** Replaces the settings; a new seed restarts the random sequence. */
  set(faults: GraphFaults): void {
    this.faults = { ...this.faults, ...faults };
    if (faults.seed !== undefined) this.state = faults.seed >>> 0;
    if (faults.scripted !== undefined) this.scripted = faults.scripted.map((f) => ({ ...f, remaining: f.times ?? 1 }));
  }

  current(): GraphFaults {
    return { ...this.faults, scripted: this.scripted.filter((f) => f.remaining > 0) };
  }

  decide(method: string, path: string): InjectedFault | undefined {
    const script = this.scripted.find(
      (f) =>
        f.remaining > 0 && f.method === method && (f.exact ? path === f.pathIncludes : path.includes(f.pathIncludes)),
    );
    if (script) {
      script.remaining--;
      const fault = this.fault(script.status);
      return script.retryAfterSeconds !== undefined && fault.retryAfterSeconds !== undefined
        ? { ...fault, retryAfterSeconds: script.retryAfterSeconds }
        : fault;
    }
    const throttle = this.faults.throttleRate ?? 0;
    const serverError = this.faults.serverErrorRate ?? 0;
    if (throttle <= 0 && serverError <= 0) return undefined;
    const roll = this.next();
    if (roll < throttle) return this.fault(429);
    if (roll < throttle + serverError) return this.fault(this.next() < 0.5 ? 503 : 504);
    return undefined;
  }

  private fault(status: FaultStatus): InjectedFault {
    const retryAfterSeconds = status === 429 || status === 503 ? (this.faults.retryAfterSeconds ?? 2) : undefined;
    return { status, afterProcessing: status === 504, retryAfterSeconds };
  }

  /** mulberry32. */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
