/**
 * The wait rules (docs/architecture.md) as far as they can be checked without running anything: one
 * place creates timers and waits for events, no timer outlasts the cap, gate and re-try decisions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  afterFailure,
  defaultTimings,
  gateDecision,
  gateWakeAt,
  LONGEST_TIMER_MS,
  MAX_SLEEP_MS,
  reminderDue,
  retryDue,
  sleepEnd,
} from "../../shared/domain/waits";
import type { HumanTaskTally, OpenGate, StepFailure } from "../../shared/workflow";
import { MINUTE, DAY } from "../../shared/domain/duration";

const now = new Date("2026-12-01T09:00:00Z");
const plus = (ms: number) => new Date(now.getTime() + ms);

describe("waiting", () => {
  it("happens only in orchestrations/common.ts's waitOnce: no other orchestration code creates a timer or waits for an event", () => {
    const dir = join(__dirname, "../../orchestrations");
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && f !== "common.ts")
      .filter((f) => /\.(createTimer|waitForExternalEvent)\(/.test(readFileSync(join(dir, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("never arms a timer longer than a day, however far the wake-up time, and so never one the backend would split (6 days)", () => {
    expect(MAX_SLEEP_MS).toBeLessThan(LONGEST_TIMER_MS);
    for (const until of [undefined, plus(7 * DAY), plus(400 * DAY), plus(DAY + 1)])
      expect(sleepEnd(now, until).getTime() - now.getTime()).toBe(MAX_SLEEP_MS);
    expect(sleepEnd(now, plus(5 * MINUTE))).toEqual(plus(5 * MINUTE));
  });
});

const tally = (t: Partial<HumanTaskTally>): HumanTaskTally => ({
  gate: "deletionApproval-1",
  approvals: [],
  rejections: [],
  done: [],
  open: 0,
  ...t,
});

describe("a human gate", () => {
  it("passes on k approvals, stops on any rejection (even with k approvals), completes on one done, and waits otherwise", () => {
    expect(gateDecision(tally({ approvals: ["a"] }), 2)).toBeUndefined();
    expect(gateDecision(tally({ approvals: ["a", "b"] }), 2)).toBe("approved");
    expect(gateDecision(tally({ approvals: ["a", "b"], rejections: [{ by: "c" }] }), 2)).toBe("rejected");
    expect(gateDecision(tally({ done: ["peig-admin"] }), 1)).toBe("done");
  });

  it("wakes at the next reminder before the expiry, at the expiry otherwise; no reminder is due at or after the expiry", () => {
    const gate: OpenGate = {
      purpose: "deletionApproval",
      round: 1,
      id: "deletionApproval-1",
      required: 2,
      expiresAt: plus(7 * DAY).toISOString(),
      nextReminderAt: plus(DAY).toISOString(),
      openedAt: plus(0).toISOString(),
    };
    expect(gateWakeAt(gate)).toEqual(plus(DAY));
    expect(reminderDue(gate, plus(DAY))).toBe(true);
    expect(reminderDue(gate, plus(DAY - 1))).toBe(false);
    const late = { ...gate, nextReminderAt: plus(8 * DAY).toISOString() };
    expect(gateWakeAt(late)).toEqual(plus(7 * DAY));
    expect(reminderDue(late, plus(8 * DAY))).toBe(false);
    const atExpiry = { ...gate, nextReminderAt: gate.expiresAt };
    expect(reminderDue(atExpiry, plus(7 * DAY))).toBe(false);
  });
});

const failure: StepFailure = { step: "monitorOnboarding", service: "graph", status: 503, message: "down", fix: "wait" };

describe("a failing step", () => {
  it("is re-tried quickly first, then needs attention on the longer schedule whose last delay repeats", () => {
    let attention = afterFailure(undefined, failure, now, defaultTimings, 1);
    const delays: number[] = [];
    const needed: boolean[] = [];
    let t = now;
    for (let i = 0; i < 8; i++) {
      delays.push(Date.parse(attention.nextAttemptAt!) - t.getTime());
      needed.push(attention.needed);
      t = new Date(attention.nextAttemptAt!);
      attention = afterFailure(attention, failure, t, defaultTimings, 2);
    }
    expect(delays.map((d) => d / MINUTE)).toEqual([1, 5, 15, 60, 180, 360, 360, 360]);
    expect(needed).toEqual([false, false, true, true, true, true, true, true]);
    // One incident however often it fails again.
    expect(attention.incident).toBe(1);
    expect(attention.since).toBe(now.toISOString());
  });

  it("with a patience (a failure known to clear up by itself), is re-tried quickly and not shown until the patience is used up", () => {
    const patient = { ...failure, patienceMs: 60 * MINUTE };
    let attention = afterFailure(undefined, patient, now, defaultTimings, 1);
    const seen: [number, boolean][] = [];
    while (!attention.needed) {
      seen.push([(Date.parse(attention.nextAttemptAt!) - now.getTime()) / MINUTE, attention.needed]);
      attention = afterFailure(attention, patient, new Date(attention.nextAttemptAt!), defaultTimings, 1);
    }
    // Then the usual schedule: two quick re-tries, and only then needs attention, with the first longer delay.
    expect(seen.map(([at]) => at)).toEqual([1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56, 60, 61, 66]);
    expect(Date.parse(attention.lastAttemptAt) - now.getTime()).toBe(66 * MINUTE);
    expect(Date.parse(attention.nextAttemptAt!) - Date.parse(attention.lastAttemptAt)).toBe(15 * MINUTE);
  });

  it("waiting on people, needs attention at once and makes no try of its own (only a resume goes on)", () => {
    const people: StepFailure = {
      step: "peigAccounts",
      service: "people",
      status: null,
      message: "unanswered",
      fix: "ask",
    };
    const attention = afterFailure(undefined, people, now, defaultTimings, 4);
    expect(attention).toMatchObject({ needed: true, failures: 1, incident: 4, since: now.toISOString() });
    expect(attention.nextAttemptAt).toBeUndefined();
  });

  it("keeps re-trying by itself for ATTENTION_RETRY_FOR (3 days by default), then only on resume", () => {
    let attention = afterFailure(undefined, failure, now, defaultTimings, 1);
    while (attention.nextAttemptAt)
      attention = afterFailure(attention, failure, new Date(attention.nextAttemptAt), defaultTimings, 1);
    expect(Date.parse(attention.lastAttemptAt) - now.getTime()).toBeGreaterThanOrEqual(3 * DAY);
    expect(retryDue(attention, plus(30 * DAY), false)).toBe(false);
    expect(retryDue(attention, plus(30 * DAY), true)).toBe(true);
  });
});
