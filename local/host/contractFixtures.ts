/**
 * Small orchestrations that exercise each part of the host protocol (contract tests and the bench), registered through the real
 * `df.app.*` API exactly as the app registers its own.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import { DAY } from "../../shared/domain/duration";

export const calls = { flaky: 0, remind: [] as string[], echo: [] as unknown[] };
export function resetCalls(): void {
  calls.flaky = 0;
  calls.remind = [];
  calls.echo = [];
}

df.app.activity("echo", { handler: (input: unknown) => (calls.echo.push(input), input) });
df.app.activity("flaky", {
  handler: () => {
    calls.flaky++;
    if (calls.flaky < 3) throw new Error(`attempt ${calls.flaky} failed`);
    return `succeeded on attempt ${calls.flaky}`;
  },
});
df.app.activity("remind", { handler: (at: string) => void calls.remind.push(at) });
df.app.activity("double", { handler: (n: number) => n * 2 });
df.app.activity("boom", {
  handler: () => {
    throw new Error("kaboom");
  },
});

df.app.orchestration("retrying", function* (context: OrchestrationContext) {
  return yield context.df.callActivityWithRetry("flaky", new df.RetryOptions(60_000, 3));
});

/**
 * The approval shape, as the rules want it: a 14-day window with a reminder every 2 days, one wait per
 * execution on tasks created in it, then continueAsNew. No timer is longer than 6 days, and no task
 * object is yielded twice.
 */
export const approvalWindow: OrchestrationHandler = function* (context: OrchestrationContext) {
  const now = context.df.currentUtcDateTime;
  const window = context.df.getInput<{ deadline: string; reminders: number } | "">() || {
    deadline: new Date(now.getTime() + 14 * DAY).toISOString(),
    reminders: 0,
  };
  const deadline = new Date(window.deadline);
  const wakeAt = new Date(Math.min(now.getTime() + 2 * DAY, deadline.getTime()));
  const approval = context.df.waitForExternalEvent("approval");
  const wake = context.df.createTimer(wakeAt);
  const winner: unknown = yield context.df.Task.any([approval, wake]);
  const at = context.df.currentUtcDateTime.toISOString();
  if (winner === approval) {
    wake.cancel();
    return { outcome: "approved", reminders: window.reminders, by: approval.result, at };
  }
  // A reminder due exactly at the deadline loses to it: the window is over.
  if (context.df.currentUtcDateTime >= deadline) return { outcome: "expired", reminders: window.reminders, at };
  yield context.df.callActivity("remind", at);
  context.df.continueAsNew({ deadline: window.deadline, reminders: window.reminders + 1 });
};
df.app.orchestration("approvalWindow", approvalWindow);

/** A 14-day durable timer: the SDK waits on it in segments (Azure Storage allows 6 days at most). */
df.app.orchestration("longWait", function* (context: OrchestrationContext) {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 14 * DAY));
  return context.df.currentUtcDateTime.toISOString();
});

/**
 * The pattern the strict host refuses (the shape of the app's waitForPeople before its rewrite): the
 * expiry timer and the wake wait are created once and yielded again in every new Task.any.
 */
df.app.orchestration("reyieldingGate", function* (context: OrchestrationContext) {
  const later = (ms: number) => new Date(context.df.currentUtcDateTime.getTime() + ms);
  yield context.df.callActivity("echo", "links sent");
  const expiry = context.df.createTimer(later(3 * DAY));
  let wake = context.df.waitForExternalEvent("wake");
  for (;;) {
    const reminder = context.df.createTimer(later(DAY));
    const winner: unknown = yield context.df.Task.any([wake, expiry, reminder]);
    if (winner === reminder) {
      yield context.df.callActivity("remind", context.df.currentUtcDateTime.toISOString());
      continue;
    }
    if (!reminder.isCompleted) reminder.cancel();
    if (winner === expiry) return "expired";
    wake = context.df.waitForExternalEvent("wake");
    expiry.cancel();
    return "decided";
  }
});

/** Cancels a 7-day timer (longer than 6 days: the SDK waits on it in 3-day segments) and goes on waiting. */
df.app.orchestration("cancelsLongTimer", function* (context: OrchestrationContext) {
  const expiry = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 7 * DAY));
  const rejection = context.df.waitForExternalEvent("reject");
  yield context.df.Task.any([rejection, expiry]);
  expiry.cancel();
  const again: unknown = yield context.df.waitForExternalEvent("requestAgain");
  return again;
});

/** Cancels a short timer: it fires all the same, and the orchestration ignores it. */
df.app.orchestration("cancelsTimer", function* (context: OrchestrationContext) {
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + DAY));
  const go = context.df.waitForExternalEvent("go");
  yield context.df.Task.any([go, timer]);
  timer.cancel();
  const next = context.df.waitForExternalEvent("done");
  return yield next;
});

/** An activity that fails every attempt: the failure must surface right after the last one. */
df.app.orchestration("exhaustsRetries", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivityWithRetry("boom", new df.RetryOptions(60_000, 3));
    return "not reached";
  } catch {
    return context.df.currentUtcDateTime.toISOString();
  }
});

df.app.orchestration("waitsForGo", function* (context: OrchestrationContext) {
  yield context.df.callActivity("echo", "before wait");
  const go: unknown = yield context.df.waitForExternalEvent("go");
  return go;
});

df.app.orchestration("counter", function* (context: OrchestrationContext) {
  const n = context.df.getInput<number>() ?? 0;
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + DAY));
  if (n < 3) {
    context.df.continueAsNew(n + 1);
    return;
  }
  return { done: n, at: context.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration("fanOut", function* (context: OrchestrationContext) {
  const count = context.df.getInput<number>();
  const results: number[] = yield context.df.Task.all(
    Array.from({ length: count }, (_, i) => context.df.callActivity("double", i)),
  );
  context.df.setCustomStatus({ fannedOut: results.length });
  return results.reduce((a, b) => a + b, 0);
});

df.app.orchestration("failingChild", function* (context: OrchestrationContext) {
  yield context.df.callActivity("boom");
});
df.app.orchestration("catchingParent", function* (context: OrchestrationContext) {
  try {
    yield context.df.callSubOrchestrator("failingChild", null, `${context.df.instanceId}-child`);
    return "not reached";
  } catch (err) {
    return { caught: (err as Error).message };
  }
});
df.app.orchestration("childWithRetry", function* (context: OrchestrationContext) {
  return yield context.df.callSubOrchestratorWithRetry("retrying", new df.RetryOptions(1000, 2));
});

df.app.orchestration("throws", function* (context: OrchestrationContext) {
  yield context.df.callActivity("echo", 1);
  throw new Error("orchestrator gave up");
});

/** Branches on something outside history: the guard must catch it on replay. */
export const nondeterminism = { flip: false };
df.app.orchestration("nondeterministic", function* (context: OrchestrationContext) {
  nondeterminism.flip = !nondeterminism.flip;
  yield context.df.callActivity(nondeterminism.flip ? "echo" : "double", 1);
  yield context.df.callActivity("echo", 2);
});

df.app.orchestration("usesEntity", function* (context: OrchestrationContext) {
  yield context.df.callEntity(new df.EntityId("counter", "k"), "add", 1);
});
df.app.orchestration("usesHttp", function* (context: OrchestrationContext) {
  yield context.df.callHttp({ method: "GET", url: "https://example.invalid/" });
});

df.app.orchestration("customStatus", function* (context: OrchestrationContext) {
  context.df.setCustomStatus({ phase: "waiting" });
  yield context.df.waitForExternalEvent("done");
  context.df.setCustomStatus({ phase: "done" });
  return context.df.newGuid(context.df.instanceId);
});

/** A client function as the app writes them: starts an orchestration and returns the check-status response. */
df.app.client.http("startFixture", {
  route: "fixtures/{name}",
  methods: ["POST"],
  authLevel: "function",
  handler: async (request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const input = await request.text();
    const id = await client.startNew(request.params.name, { input: input ? JSON.parse(input) : undefined });
    return client.createCheckStatusResponse(request, id);
  },
});
app.http("publicPing", {
  route: "ping/{who?}",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (req) => ({ jsonBody: { pong: req.params.who ?? "anyone" } }),
});
