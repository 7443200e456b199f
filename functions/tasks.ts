/**
 * The links in task e-mails (docs/design.md#human-tasks). GET shows a read-only page; only a POST from that page,
 * with its CSRF token, decides, and only once (the store's ETag-conditional write). The token in the
 * link is the credential: its hash finds the task, the token itself is never stored. With App Service
 * Authentication required, the signed-in person must be the one the task was sent to. A task may have several
 * links (one per e-mail); each works until the task is decided, closed or expires. A dead link says why, and offers
 * a fresh link when the same question is still open for that person.
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import {
  decisionInWords,
  renderDeadLinkPage,
  renderTaskMessage,
  renderTaskPage,
  whyLinkIsDead,
  type TaskPageInput,
} from "../shared/pages/taskPage";
import { figureLines } from "../shared/domain/figures";
import { recordFigures } from "../shared/migrationRecord";
import { services, type Services } from "../shared/services";
import { PreconditionFailedError, type TaskRecord, type UserRecord } from "../shared/store";
import { decideTask as decideTaskOnce, handTaskOver } from "../app/taskDecisions";
import { addLinkMessage, FRESH_LINK_INTERVAL_MS, sendTaskMessages } from "../shared/taskLinks";
import type { TaskDecision } from "../shared/taskPayloads";
import { hashToken, isCsrfTokenFor, newCsrfToken, tokensEqual } from "../shared/tokens";
import { gateRound } from "../shared/workflow";
import { z } from "zod";
import { callerName, cookieValue, signInRedirect } from "./access";
import { durableRunner, html, isCrossSite } from "./http";

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
    // A decision posted to an answered task conflicts with the recorded one (409, as when two race);
    // otherwise the link is simply gone (410).
    const status = task.status === "decided" && request.method === "POST" ? 409 : 410;
    return { ok: false, response: await deadLinkResponse(request, s, task, hash, token, status) };
  }
  const signedIn = callerName(request);
  // With App Service Authentication the platform sets this header (and strips any a client sends). It lets
  // anonymous requests through (functions/access.ts decides), so an approver who has not signed in is sent to sign in first.
  if (s.settings.REQUIRE_SIGNED_IN_APPROVER && !signedIn) return { ok: false, response: signInRedirect(request) };
  if (signedIn && signedIn.toLowerCase() !== task.assignee.toLowerCase()) {
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

/** The person's open task of the same kind in the same migration (a newer round), if any. */
async function openTaskFor(s: Services, task: TaskRecord): Promise<TaskRecord | undefined> {
  const now = s.clock.now();
  return (await s.store.listTasks(task.migrationId, { status: "open" })).find(
    (t) =>
      t.assignee.toLowerCase() === task.assignee.toLowerCase() &&
      t.payload.purpose === task.payload.purpose &&
      new Date(t.expiresAt) > now,
  );
}

/** Why the link is dead, and (with a CSRF cookie for its button) the offer of a fresh link when one would help. */
async function deadLinkResponse(
  request: HttpRequest,
  s: Services,
  task: TaskRecord,
  hash: string,
  token: string,
  status: number,
): Promise<HttpResponseInit> {
  const gate = task.gate ? await s.store.listTasks(task.migrationId, { gate: task.gate }) : [];
  const dead = whyLinkIsDead(task, gate, s.clock.now());
  if (task.status === "decided" || !(await openTaskFor(s, task))) return html(status, renderDeadLinkPage(dead));
  const csrf = newCsrfToken(token);
  const action = `${new URL(request.url).pathname.replace(/\/$/, "")}/link`;
  return {
    ...html(status, renderDeadLinkPage(dead, { csrf, action })),
    cookies: [csrfCookie(request, hash, csrf)],
  };
}

function csrfCookie(request: HttpRequest, hash: string, csrf: string) {
  return {
    name: csrfCookieName(hash),
    value: csrf,
    path: "/api/tasks",
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: new URL(request.url).protocol === "https:",
    maxAge: 3600,
  };
}

/**
 * As far as the app can tell, no Peig account yet: not seen signing in to the migration app, not exempted, and not
 * covered by a Phase 2 round the Peig admin confirmed without failures.
 */
const lacksSignIn = (u: UserRecord) => u.state !== "onboarded" && u.state !== "exempted" && u.state !== "phase2Created";

/** Where an approval page's "hand it to a colleague" form posts: the link's own path plus /delegate. */
const delegateActionOf = (request: HttpRequest) => `${new URL(request.url).pathname.replace(/\/$/, "")}/delegate`;

export async function showTask(request: HttpRequest): Promise<HttpResponseInit> {
  const s = services();
  const found = await findOpenTask(request, s);
  if (!found.ok) return found.response;
  const csrf = newCsrfToken(found.token);
  return {
    ...(await taskPage(s, found.task, csrf, 200, undefined, delegateActionOf(request))),
    cookies: [csrfCookie(request, found.hash, csrf)],
  };
}

/** The task's page; after a refused confirmation, with what differs and the figures as entered. */
async function taskPage(
  s: Services,
  task: TaskRecord,
  csrf: string,
  status: number,
  refused?: Pick<TaskPageInput, "refusal" | "entered">,
  delegateAction?: string,
): Promise<HttpResponseInit> {
  const { payload } = task;
  const listed =
    payload.purpose === "peigAccounts" || payload.purpose === "phase2Approval"
      ? (await s.store.getUsers(task.migrationId)).filter((u) => u.phase2.planned)
      : undefined;
  const person = (u: UserRecord) => ({ displayName: u.displayName, userPrincipalName: u.userPrincipalName });
  // Asked again: the listed users the app has not seen sign in (the accounts still missing are among them).
  const stillMissing = listed && gateRound(task.gate) > 1 ? listed.filter(lacksSignIn).map(person) : undefined;
  // Phase 2's and the checklist's figures are compared with the app's own counts: the page shows those next to the form.
  const comparedWithCounts = payload.purpose === "peigAccounts" || payload.purpose === "peigChecklist";
  const record = comparedWithCounts ? await s.store.getMigration(task.migrationId) : undefined;
  return html(
    status,
    renderTaskPage({
      payload,
      assignee: task.assignee,
      expiresAt: task.expiresAt,
      csrf,
      accounts: listed?.map(person),
      stillMissing,
      round: gateRound(task.gate),
      now: s.clock.now(),
      peigConsoleUrl: s.peigConsoleUrl,
      appCounts: record && figureLines(recordFigures(record)),
      delegateAction: task.kind === "approval" ? delegateAction : undefined,
      ...refused,
    }),
  );
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
  if (!hasPageCsrf(request, form, hash, token)) {
    return html(
      403,
      renderTaskMessage("Please use the page", "Open the link from the e-mail again and use the buttons on that page."),
    );
  }
  const decision = form.get("decision") as TaskDecision | null;
  const { payload } = task;
  if (!decision || !payload.decisions.includes(decision))
    return html(
      400,
      renderTaskMessage(
        "Unknown decision",
        `Choose one of the buttons on the page: ${payload.decisions.map((d) => payload.labels?.[d] ?? d).join(", ")}.`,
      ),
    );
  const reason = form.get("reason")?.slice(0, 500) || undefined;
  const by = callerName(request) ?? task.assignee;
  const result = await decideTaskOnce(s, durableRunner(client), found, {
    decision,
    reason,
    by,
    entered: (name) => form.get(name),
  });
  switch (result.kind) {
    case "recorded":
      return html(
        200,
        renderTaskMessage(
          "Thank you",
          `Recorded: you ${decisionInWords(decision)}${reason ? ` (reason: ${reason})` : ""}. You can close this page.`,
        ),
      );
    case "confirmationRefused":
      return taskPage(s, task, form.get("csrf") ?? "", 422, {
        refusal: result.problems,
        entered: Object.fromEntries(form),
      });
    case "changed":
      return html(
        409,
        renderTaskMessage("Changed meanwhile", "This task changed while you were deciding. Open the link again."),
      );
    case "notRecorded":
      return html(
        result.why === "alreadyDecided" ? 409 : 410,
        renderTaskMessage(
          "Not recorded",
          `This task is ${result.why === "alreadyDecided" ? "already answered" : "closed"}; your answer was not recorded.`,
        ),
      );
  }
}

const delegationSchema = z.strictObject({
  csrf: z.string(),
  delegate: z
    .string()
    .trim()
    .max(254, { error: "must be an e-mail address of at most 254 characters" })
    .pipe(z.email({ error: "must be an e-mail address such as colleague@contoso.com" }))
    .transform((text) => text.toLowerCase()),
  reason: z
    .string()
    .trim()
    .min(1, { error: "must say why (the admins read it)" })
    .max(500, { error: "must be at most 500 characters" }),
});

/** POST /api/tasks/{token}/delegate, an approval page's "Hand it over" (app/taskDecisions.ts handTaskOver). */
export async function delegateTask(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  if (isCrossSite(request, s.settings.PUBLIC_BASE_URL))
    return html(403, renderTaskMessage("Please use the page", "Open the link from the e-mail and use its form."));
  const found = await findOpenTask(request, s);
  if (!found.ok) return found.response;
  const { task, hash, token } = found;
  const form = new URLSearchParams(await request.text());
  if (!hasPageCsrf(request, form, hash, token))
    return html(403, renderTaskMessage("Please use the page", "Open the link from the e-mail again and use its form."));
  const parsed = delegationSchema.safeParse(Object.fromEntries(form));
  const refuse = (message: string) =>
    html(400, renderTaskMessage("Not handed over", `${message} Go back and correct it.`));
  if (!parsed.success)
    return refuse(
      parsed.error.issues
        .map((i) => `${i.path.join(".") === "delegate" ? "The colleague's address" : "The reason"} ${i.message}.`)
        .join(" "),
    );
  const { delegate, reason } = parsed.data;
  const result = await handTaskOver(s, durableRunner(client), found, {
    delegate,
    reason,
    by: callerName(request) ?? task.assignee,
  });
  switch (result.kind) {
    case "handedOver":
      return html(
        200,
        renderTaskMessage(
          "Handed over",
          `${delegate} got a link of their own to this task; yours no longer works. The admins see why: ${reason}.`,
        ),
      );
    case "refused":
      return refuse(result.message);
    case "changed":
      return html(409, renderTaskMessage("Changed meanwhile", "This task changed meanwhile. Open the link again."));
    case "notRecorded":
      return html(409, renderTaskMessage("Not handed over", "This task is already answered or closed."));
  }
}

/** Double submit (cookie = form field), and the token must be this link's: another page's does not count. */
function hasPageCsrf(request: HttpRequest, form: URLSearchParams, hash: string, token: string): boolean {
  const cookie = cookieValue(request.headers.get("cookie"), csrfCookieName(hash));
  const csrf = form.get("csrf");
  return !!cookie && !!csrf && tokensEqual(cookie, csrf) && isCsrfTokenFor(csrf, token);
}

/**
 * POST /api/tasks/{token}/link, the dead link page's "Send me a fresh link": mails a new link to the open task of the
 * same kind to the address the task was sent to, at most once per FRESH_LINK_INTERVAL_MS. The answer is the same
 * whether a mail went or not, so it tells someone who is not the assignee nothing.
 */
export async function sendFreshLink(request: HttpRequest): Promise<HttpResponseInit> {
  const s = services();
  const sent = renderTaskMessage(
    "Check your inbox",
    "If this link was sent to you, a fresh one is on its way to the same address: it can take a few minutes, and may land in junk mail. One fresh link is sent every 15 minutes at most.",
  );
  if (isCrossSite(request, s.settings.PUBLIC_BASE_URL))
    return html(
      403,
      renderTaskMessage("Please use the page", "Open the link from the e-mail again and use its button."),
    );
  const token = request.params.token ?? "";
  const hash = hashToken(token);
  const task = /^[A-Za-z0-9_-]{20,200}$/.test(token) ? await s.store.getTaskByTokenHash(hash) : undefined;
  if (!task)
    return html(
      404,
      renderTaskMessage("Link not valid", "This link does not belong to any task. Use the newest e-mail you received."),
    );
  if (!hasPageCsrf(request, new URLSearchParams(await request.text()), hash, token))
    return html(
      403,
      renderTaskMessage("Please use the page", "Open the link from the e-mail again and use its button."),
    );
  const signedIn = callerName(request);
  if ((s.settings.REQUIRE_SIGNED_IN_APPROVER || signedIn) && signedIn?.toLowerCase() !== task.assignee.toLowerCase())
    return html(200, sent);
  const open = await openTaskFor(s, task);
  const last = open && Date.parse(open.lastLinkAt ?? open.createdAt);
  if (!open || s.clock.now().getTime() - last! < FRESH_LINK_INTERVAL_MS) return html(200, sent);
  let message;
  try {
    message = await addLinkMessage(s, open, "fresh", { etag: open.etag });
  } catch (err) {
    if (err instanceof PreconditionFailedError) return html(200, sent); // another press (or a reminder) just did it
    throw err;
  }
  if (message) {
    await sendTaskMessages(s, [message]);
    await s.store.appendAudit({
      migrationId: open.migrationId,
      actor: `approver:${open.assignee}`,
      action: "task.linkResent",
      details: { gate: open.gate ?? null },
    });
  }
  return html(200, sent);
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
  app.http("sendFreshTaskLink", {
    route: "tasks/{token}/link",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: (req) => sendFreshLink(req),
  });
  df.app.client.http("delegateTask", {
    route: "tasks/{token}/delegate",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: delegateTask,
  });
  df.app.client.http("decideTask", {
    route: "tasks/{token}",
    methods: ["POST"],
    authLevel: "anonymous",
    handler: decideTask,
  });
}
