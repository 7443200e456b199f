/**
 * The conformance scenarios. Each drives one fixture orchestration through the real DurableClient on a side
 * and returns the instance it started; run.ts runs it on both sides and compares outcome and history.
 * Timings are real milliseconds on the extension (virtual ones on the local host): short, from the inputs.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Fixture } from "../fixtures/names";
import { holds } from "../fixtures/holds";
import { appStore, migrationAtApproval } from "../fixtures/appStore";
import { durableRunner } from "../../functions/http";
import type { MigrationState } from "../../shared/workflow";
import type { Recorder } from "./recorder";
import { endsWithContinueAsNew } from "./recorder";
import { TERMINAL, type Side, type Status } from "./sides";

export interface ScenarioContext {
  side: Side;
  recorder: Recorder;
}

export interface Scenario {
  name: string;
  /** What it checks, for the README and the report. */
  checks: string;
  run(ctx: ScenarioContext): Promise<string>;
  /** Completions that race each other (a fan-out) arrive in any order: compare them as a multiset. */
  unordered?: boolean;
  /**
   * For the deliberately broken fixture: instead of "both sides agree", what each side must do. The
   * extension shows the problem (`extension`, a result that differs from `correct`); the strict local host
   * fails the instance loudly (`localHostFails`, its failure message).
   */
  brokenOnPurpose?: { correct: unknown; extension: { status: string; output: unknown }; localHostFails: RegExp };
  /**
   * A divergence found and not yet fixed in the local host (the reason says why and who fixes it): the
   * scenario still runs on both sides; while they differ it counts as skipped, once they agree as passed.
   */
  knownDivergence?: string;
  timeoutMs?: number;
}

export const finished = (s: Status) => TERMINAL.includes(s.runtimeStatus);
/** The app's migration orchestrator waits with this progress (publishProgress, orchestrations/). */
export const waitingFor = (text: string, round?: number) =>
  custom(
    (c) =>
      typeof c.waitingFor === "string" &&
      c.waitingFor.startsWith(text) &&
      (round === undefined || c.approvalRound === round),
  );
/** App timings, shortened only through the start input (the settings GATE_REMINDER_INTERVAL, TASK_LINK_TTL, STEP_RETRY_DELAYS, ATTENTION_RETRY_DELAYS). */
export const APP_TIMINGS = {
  gateReminderMs: 8000,
  taskLinkTtlMs: 120_000,
  // Long enough that a loaded machine (the tier runs beside jest) does not make the re-try due before its timer is created.
  stepRetryMs: [2000],
  attentionRetryMs: [60_000],
};
/**
 * Starts the app's migration from `state` exactly as production does (functions/http.ts `durableRunner`, which
 * names no version: the host gives a new instance host.json's defaultVersion); returns how to wake it, as the
 * admin commands and task links do.
 */
export async function startApp(side: Side, state: MigrationState): Promise<() => Promise<void>> {
  await durableRunner(side.client()).start(state.migrationId, state);
  return () => durableRunner(side.client()).wake(state.migrationId);
}
/** Starts the app's migration at the deletion approval on a fresh stub store; returns how to wake it. */
async function startAppMigration(side: Side, id: string): Promise<() => Promise<void>> {
  appStore.reset();
  return startApp(side, migrationAtApproval(id, APP_TIMINGS));
}
/** Lets the extension commit the episode that reached a wait before the next person acts. */
export const SETTLE_MS = 800;
export const custom = (pred: (c: Record<string, unknown>) => boolean) => (s: Status) =>
  !!s.customStatus && typeof s.customStatus === "object" && pred(s.customStatus as Record<string, unknown>);

export const scenarios: Scenario[] = [
  {
    name: "approval gate",
    checks:
      "2-of-3 approval written as one wait per execution then continueAsNew: a reminder round (the timer wins), " +
      "one approval, a rejection, a new request, two approvals; every execution sees exactly its own event",
    async run({ side }) {
      const id = "cf-gate";
      const input = {
        required: 2,
        approvers: ["a@x", "b@x", "c@x"],
        remindersMs: [1500],
        expiryMs: 60_000,
        approvedBy: [],
        round: 0,
        reminders: 0,
        rejected: false,
      };
      await side.client().startNew(Fixture.approvalGate, { instanceId: id, input });
      const round = (n: number) =>
        side.until(
          id,
          custom((c) => c.round === n),
          `round ${n}`,
        );
      await round(1); // the reminder timer fired and the gate asked again
      await side.client().raiseEvent(id, "decision", { by: "a@x", approve: true });
      await round(2);
      await side.client().raiseEvent(id, "decision", { by: "b@x", approve: false });
      await round(3);
      await side.client().raiseEvent(id, "requestAgain", {});
      await round(4);
      await side.client().raiseEvent(id, "decision", { by: "a@x", approve: true });
      await round(5);
      await side.client().raiseEvent(id, "decision", { by: "c@x", approve: true });
      await side.until(id, finished, "gate finished");
      return id;
    },
  },
  {
    name: "event between two executions",
    checks:
      "an event raised while the episode that ends with continueAsNew runs reaches the next execution, which waits for it; " +
      "the event that triggered the continueAsNew is carried over too (the extension replays it into the next execution)",
    async run({ side, recorder }) {
      const id = "cf-between";
      let raised = false;
      const stop = recorder.onEpisode(async (episode) => {
        if (raised || episode.instanceId !== id || !endsWithContinueAsNew(episode)) return;
        raised = true;
        await side.client().raiseEvent(id, "second", { late: true });
        await sleep(500); // let the message land before the host commits the continueAsNew
      });
      try {
        await side
          .client()
          .startNew(Fixture.betweenExecutions, { instanceId: id, input: { generation: 0, timerMs: 30_000 } });
        await side.until(
          id,
          custom((c) => c.generation === 0),
          "first execution waiting",
        );
        await side.client().raiseEvent(id, "first", {});
        await side.until(id, finished, "second execution finished");
      } finally {
        stop();
      }
      if (!raised) throw new Error("the continueAsNew episode was never seen");
      return id;
    },
  },
  {
    name: "event consumed, then continueAsNew",
    checks:
      "an execution takes a wake event, re-reads (an activity) and continues as new; the next execution must not see that wake again",
    async run({ side }) {
      const id = "cf-carryover";
      await side
        .client()
        .startNew(Fixture.eventThenContinue, { instanceId: id, input: { generation: 0, timerMs: 30_000 } });
      await side.until(
        id,
        custom((c) => c.generation === 0),
        "first execution waiting",
      );
      await side.client().raiseEvent(id, "wake", {});
      await side.until(id, finished, "second execution finished");
      return id;
    },
  },
  {
    name: "timer loses to an event",
    checks:
      "Task.any of an event and a 30 s timer: the event wins, the timer is cancelled, the instance completes at once",
    async run({ side }) {
      const id = "cf-race";
      await side.client().startNew(Fixture.wait, { instanceId: id, input: { timerMs: 30_000 } });
      await side.until(id, (s) => s.customStatus === "waiting", "waiting");
      await side.client().raiseEvent(id, "go", { n: 1 });
      await side.until(id, finished, "finished");
      return id;
    },
  },
  {
    name: "activity exhausts its retries",
    checks:
      "callActivityWithRetry(3 attempts, 500 ms, ×2): the retry timers between attempts, a retry timer after the last attempt " +
      "that is due at once, then the failure reaches the orchestration, which records needs-attention",
    async run({ side }) {
      const id = "cf-retries";
      await side
        .client()
        .startNew(Fixture.retriesExhausted, { instanceId: id, input: { firstRetryMs: 500, attempts: 3 } });
      await side.until(id, finished, "finished");
      return id;
    },
  },
  {
    name: "Phase 2 fan-out",
    checks: "50 batch sub-orchestrations started at once (Task.all), each with an activity, and their results summed",
    unordered: true,
    timeoutMs: 240_000,
    async run({ side }) {
      const id = "cf-fanout";
      await side.client().startNew(Fixture.fanOut, { instanceId: id, input: { batches: 50, perBatch: 10 } });
      await side.until(id, finished, "fan-out finished", 200_000);
      return id;
    },
  },
  {
    name: "wake raised while an activity runs",
    checks: "an event raised while the orchestration waits on an activity is kept and wins the next Task.any at once",
    async run({ side }) {
      const id = "cf-wake";
      const key = `wake-${side.name}`;
      await side
        .client()
        .startNew(Fixture.wakeDuringActivity, { instanceId: id, input: { holdKey: key, timerMs: 30_000 } });
      await holds.started(key);
      await side.client().raiseEvent(id, "wake", {});
      await sleep(500);
      holds.release(key);
      await side.until(id, finished, "finished");
      return id;
    },
  },
  {
    name: "cancel during a wait",
    checks:
      "terminating an instance that waits on an event and a timer: Terminated with the reason, nothing runs after",
    async run({ side }) {
      const id = "cf-cancel";
      await side.client().startNew(Fixture.wait, { instanceId: id, input: { timerMs: 30_000 } });
      await side.until(id, (s) => s.customStatus === "waiting", "waiting");
      await side.client().terminate(id, "cancelled by the admin");
      await side.until(id, finished, "terminated");
      return id;
    },
  },
  {
    name: "host killed and restarted mid-wait",
    checks:
      "the host process is killed (SIGKILL on the extension) while the instance waits; after a restart on the same storage the event completes it",
    timeoutMs: 180_000,
    async run({ side }) {
      const id = "cf-restart";
      await side.client().startNew(Fixture.wait, { instanceId: id, input: { timerMs: 120_000 } });
      await side.until(id, (s) => s.customStatus === "waiting", "waiting");
      await side.restart();
      await side.client().raiseEvent(id, "go", { afterRestart: true });
      await side.until(id, finished, "finished after the restart", 150_000);
      return id;
    },
  },
  {
    name: "app: deletion approval gate",
    checks:
      "the app's migration orchestrator (its activities stubbed, fixtures/appMigration.ts) at the deletion approval, 2 of 3: " +
      "a reminder round (the timer wins), a rejection, approval requested again (verification, a new round), two approvals, " +
      "then closing and the report; every decision arrives as a wake that only means look again",
    timeoutMs: 120_000,
    async run({ side }) {
      const id = "cf-app-gate";
      const wake = await startAppMigration(side, id);
      await side.until(
        id,
        (s) => appStore.reminded.length === 1 && waitingFor("2 of 3 approvers", 1)(s),
        "a reminder round",
      );
      await sleep(SETTLE_MS);
      appStore.decisions.push({ by: "cfo@contoso.com", approve: false });
      await wake();
      await side.until(
        id,
        waitingFor("an admin to request approval again (round 1 rejected)"),
        "rejected, waiting for a new request",
      );
      await sleep(SETTLE_MS);
      appStore.commands.approvalRequested = true;
      await wake();
      await side.until(id, (s) => appStore.opened.length === 2 && waitingFor("2 of 3 approvers", 2)(s), "round 2 open");
      await sleep(SETTLE_MS);
      const tallied = appStore.tallies;
      appStore.decisions.push({ by: "cio@contoso.com", approve: true });
      await wake();
      await side.until(
        id,
        (s) => appStore.tallies > tallied && waitingFor("2 of 3 approvers", 2)(s),
        "one approval tallied",
      );
      await sleep(SETTLE_MS);
      appStore.decisions.push({ by: "ciso@contoso.com", approve: true });
      await wake();
      await side.until(id, finished, "migration completed", 60_000);
      return id;
    },
  },
  {
    name: "app: needs attention, then resume",
    checks:
      "the app's migration orchestrator approved into closing; deleting the Peig configuration keeps failing (503): a quick " +
      "re-try, then needs attention with a long re-try timer; Peig is back, an admin resumes (a wake): it carries on and completes",
    timeoutMs: 120_000,
    async run({ side }) {
      const id = "cf-app-attention";
      const wake = await startAppMigration(side, id);
      appStore.peigDown = true;
      await side.until(id, (s) => appStore.opened.length === 1 && waitingFor("2 of 3 approvers", 1)(s), "gate open");
      await sleep(SETTLE_MS);
      appStore.decisions.push({ by: "cio@contoso.com", approve: true }, { by: "ciso@contoso.com", approve: true });
      await wake();
      await side.until(
        id,
        custom((c) => !!c.needsAttention && c.waitingFor === "a retry of deleting the migration configuration in Peig"),
        "needs attention",
      );
      await sleep(SETTLE_MS);
      appStore.peigDown = false;
      appStore.commands.resumeRequested = { by: "it@contoso.com", at: "2026-12-01T10:00:00.000Z" };
      await wake();
      await side.until(id, finished, "migration completed", 60_000);
      return id;
    },
  },
  {
    name: "broken: one task yielded in two Task.any",
    checks:
      "cfReyield yields its expiry timer in two Task.any calls (durable-functions issue 574); the correct result would be " +
      "approved with the last activity's output. On the extension the re-yielded timer is scheduled again (a new id), the " +
      "SDK's next activity gets the id the extension gave the duplicate timer, and that timer's TimerFired resolves the " +
      "activity: Completed without the activity's output. The strict local host fails the instance, naming the task",
    brokenOnPurpose: {
      correct: { outcome: "approved", after: "after approval" },
      extension: { status: "Completed", output: { outcome: "approved" } },
      localHostFails:
        /^orchestration 'cfReyield' \(instance cf-reyield\) yielded the timer \(fires at [^)]+\) scheduled as task 1 again inside Task\.any: the Durable extension would schedule it anew/,
    },
    async run({ side }) {
      const id = "cf-reyield";
      await side.client().startNew(Fixture.reyield, { instanceId: id, input: { reminderMs: 1000, expiryMs: 8000 } });
      await side.until(id, (s) => s.customStatus === "waiting for approval" || finished(s), "waiting for approval");
      await side.client().raiseEvent(id, "approve", {});
      // Give it until well past its expiry: a hang shows as "still Running".
      await side.until(id, finished, "finished", 20_000).catch(() => undefined);
      return id;
    },
  },
];
