/**
 * The links in task e-mails (docs/design.md#human-tasks). GET shows a read-only page; only a POST from that page,
 * with its CSRF token, decides, and only once (the store's ETag-conditional write). The token in the
 * link is the credential: its hash finds the task, the token itself is never stored. With App Service
 * Authentication required, the signed-in person must be the one the task was sent to.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { renderTaskMessage, renderTaskPage } from "../shared/pages/taskPage";
import { services, type Services } from "../shared/services";
import { PreconditionFailedError, type TaskRecord } from "../shared/store";
import type { TaskDecision } from "../shared/taskPayloads";
import { hashToken, isCsrfTokenFor, newCsrfToken, tokensEqual } from "../shared/tokens";
import { Events } from "../shared/workflow";
import { callerName, html, isCrossSite } from "./http";

/** One cookie per task (named after a prefix of its hash), so task pages open side by side do not overwrite each other's. */
const csrfCookieName = (hash: string) => `peig_task_csrf_${hash.slice(0, 16)}`;

type Lookup = { ok: true; task: TaskRecord; hash: string; token: string } | { ok: false; response: HttpResponseInit };

async function findOpenTask(request: HttpRequest, s: Services): Promise<Lookup> {
  const token = request.params.token ?? "";
  const hash = hashToken(token);
  const task = /^[A-Za-z0-9_-]{20,200}$/.test(token) ? await s.store.getTaskByTokenHash(hash) : undefined;
  if (!task)
    return {
      ok: false,
      response: html(
        404,
        renderTaskMessage(
          "Link not valid",
          "This link does not belong to any task. Use the newest e-mail you received.",
        ),
      ),
    };
  if (task.status !== "open" || new Date(task.expiresAt) <= s.clock.now()) {
    const why =
      task.status === "decided"
        ? `It was already answered (${task.decision}) on ${task.decidedAt}.`
        : "It has expired or was replaced by a newer e-mail.";
    // A decision posted to an answered task conflicts with the recorded one (409, as when two race);
    // otherwise the link is simply gone (410).
    const status = task.status === "decided" && request.method === "POST" ? 409 : 410;
    return { ok: false, response: html(status, renderTaskMessage("This link no longer works", why)) };
  }
  const signedIn = callerName(request);
  // With App Service Authentication the platform sets this header (and strips any a client sends).
  if ((s.settings.REQUIRE_SIGNED_IN_APPROVER || signedIn) && signedIn?.toLowerCase() !== task.assignee.toLowerCase()) {
    return {
      ok: false,
      response: html(
        403,
        renderTaskMessage(
          "Not your task",
          "This task was sent to someone else. Sign in as the person the e-mail was addressed to.",
        ),
      ),
    };
  }
  return { ok: true, task, hash, token };
}

export async function showTask(request: HttpRequest): Promise<HttpResponseInit> {
  const s = services();
  const found = await findOpenTask(request, s);
  if (!found.ok) return found.response;
  const { payload } = found.task;
  const accounts =
    payload.purpose === "peigAccounts" || payload.purpose === "phase2Approval"
      ? (await s.store.getUsers(found.task.migrationId))
          .filter((u) => u.phase2.planned)
          .map((u) => ({ displayName: u.displayName, userPrincipalName: u.userPrincipalName }))
      : undefined;
  const csrf = newCsrfToken(found.token);
  return {
    ...html(
      200,
      renderTaskPage({
        payload,
        assignee: found.task.assignee,
        expiresAt: found.task.expiresAt,
        csrf,
        accounts,
        now: s.clock.now(),
      }),
    ),
    cookies: [
      {
        name: csrfCookieName(found.hash),
        value: csrf,
        path: "/api/tasks",
        httpOnly: true,
        sameSite: "Strict",
        secure: new URL(request.url).protocol === "https:",
        maxAge: 3600,
      },
    ],
  };
}

export async function decideTask(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  if (isCrossSite(request, s.settings.PUBLIC_BASE_URL))
    return html(
      403,
      renderTaskMessage(
        "Please use the page",
        "This decision was sent from another site. Open the link from the e-mail and use the buttons on that page.",
      ),
    );
  const found = await findOpenTask(request, s);
  if (!found.ok) return found.response;
  const { task, hash, token } = found;
  const form = new URLSearchParams(await request.text());
  const cookie = cookieValue(request.headers.get("cookie"), csrfCookieName(hash));
  const csrf = form.get("csrf");
  // Double submit (cookie = form field), and the token must be this task's: another page's does not count.
  if (!cookie || !csrf || !tokensEqual(cookie, csrf) || !isCsrfTokenFor(csrf, token)) {
    return html(
      403,
      renderTaskMessage("Please use the page", "Open the link from the e-mail again and use the buttons on that page."),
    );
  }
  const decision = form.get("decision") as TaskDecision | null;
  const { payload } = task;
  if (!decision || !payload.decisions.includes(decision))
    return html(400, renderTaskMessage("Unknown decision", `Choose one of: ${payload.decisions.join(", ")}.`));
  const reason = form.get("reason")?.slice(0, 500) || undefined;
  const decidedBy = callerName(request) ?? task.assignee;
  let result;
  try {
    result = await s.store.decideTask(hash, decision, {
      decidedBy,
      decidedAt: s.clock.now().toISOString(),
      reason,
      etag: task.etag,
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError)
      return html(
        409,
        renderTaskMessage("Changed meanwhile", "This task changed while you were deciding. Open the link again."),
      );
    throw err;
  }
  if (result.outcome !== "decided") {
    return html(
      result.outcome === "alreadyDecided" ? 409 : 410,
      renderTaskMessage(
        "Not recorded",
        `This task is ${result.outcome === "alreadyDecided" ? "already answered" : "closed"}; your answer was not recorded.`,
      ),
    );
  }
  await s.store.appendAudit({
    migrationId: task.migrationId,
    actor: `approver:${decidedBy}`,
    action: "task.decided",
    details: { gate: task.gate ?? null, decision, reason: reason ?? null },
    instanceId: task.migrationId,
  });
  await client.raiseEvent(task.migrationId, Events.wake, {});
  return html(
    200,
    renderTaskMessage("Thank you", `Recorded: ${decision}${reason ? ` (${reason})` : ""}. You can close this page.`),
  );
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join("="));
    } catch {
      return undefined; // a malformed escape is no token: 403, not 500
    }
  }
  return undefined;
}

export function registerTaskFunctions(): void {
  // Anonymous at the function level: the unguessable token is the credential, and a function key in
  // an e-mailed link would leak to every mail scanner that fetches it.
  app.http("showTask", {
    route: "tasks/{token}",
    methods: ["GET"],
    authLevel: "anonymous",
    handler: (req) => showTask(req),
  });
  df.app.client.http("decideTask", {
    route: "tasks/{token}",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: decideTask,
  });
}
