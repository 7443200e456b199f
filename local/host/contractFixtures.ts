/**
 * Small orchestrations that exercise each part of the host protocol (contract tests and the bench), registered through the real
 * `df.app.*` API exactly as the app registers its own.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";

export const DAY = 86_400_000;

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

/** The approval shape: a 14-day deadline (a long timer) raced against an event, reminders every 2 days. */
export const approvalWindow: OrchestrationHandler = function* (context: OrchestrationContext) {
  const start = context.df.currentUtcDateTime;
  const deadline = context.df.createTimer(new Date(start.getTime() + 14 * DAY));
  const approval = context.df.waitForExternalEvent("approval");
  let reminders = 0;
  for (;;) {
    const reminder = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 2 * DAY));
    const winner: unknown = yield context.df.Task.any([approval, deadline, reminder]);
    if (winner === reminder) {
      // A reminder due exactly at the deadline loses to it: the window is over.
      if (context.df.currentUtcDateTime.getTime() >= start.getTime() + 14 * DAY) continue;
      reminders++;
      yield context.df.callActivity("remind", context.df.currentUtcDateTime.toISOString());
      continue;
    }
    if (!reminder.isCompleted) reminder.cancel();
    if (winner === approval) {
      deadline.cancel();
      return { outcome: "approved", reminders, by: approval.result, at: context.df.currentUtcDateTime.toISOString() };
    }
    return { outcome: "expired", reminders, at: context.df.currentUtcDateTime.toISOString() };
  }
};
df.app.orchestration("approvalWindow", approvalWindow);

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
  const results: number[] = yield context.df.Task.all(Array.from({ length: count }, (_, i) => context.df.callActivity("double", i)));
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
app.http("publicPing", { route: "ping/{who?}", methods: ["GET"], authLevel: "anonymous", handler: async (req) => ({ jsonBody: { pong: req.params.who ?? "anyone" } }) });
