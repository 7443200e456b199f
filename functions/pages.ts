/**
 * The admins' pages: the home page (the migrations and a start form that shows the plan before it starts) and a
 * migration's status page, whose buttons give the admin commands. Plain HTML forms to the app's own origin, each
 * with a CSRF token; they call the same use cases as the JSON API (app/). Only for signed-in people: Viewers read,
 * Admins also start and command (functions/access.ts).
 */
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import {
  cancelMigration,
  CANCEL_ACCEPTED,
  extendDeadline,
  requestApprovalAgain,
  requestPilotReview,
  resumeMigration,
  type AdminAction,
} from "../app/adminCommands";
import { statusPageTables } from "../app/migrationViews";
import { exemptPerson, extendPersonDeadline, resendPersonInvitation } from "../app/people";
import type { CommandResult, FieldError } from "../app/ports";
import { startMigration } from "../app/startMigration";
import {
  emptyStartForm,
  renderHomePage,
  renderPlanPage,
  startBodyFromForm,
  startFormFrom,
  type StartForm,
} from "../shared/pages/homePage";
import { formatHuman } from "../shared/domain/humanTime";
import { renderStatusPage, type StatusActions } from "../shared/pages/statusPage";
import { renderTaskMessage } from "../shared/pages/taskPage";
import { services } from "../shared/services";
import { isPageCsrf, pageAccess, pageCsrf, SIGN_OUT_PATH, type PageAccess } from "./access";
import { baseUrlOf, durableRunner, html, isCrossSite, migrationIdOf, registerClientRoutes } from "./http";
import { migrationsPage, statusUrl, statusWithLinks } from "./migrations";

const homeUrl = (request: HttpRequest, path = "") => `${baseUrlOf(request)}/api/home${path}`;

async function homePage(
  request: HttpRequest,
  access: PageAllowed,
  form: StartForm,
  errors: FieldError[],
  status = 200,
  notice?: string,
): Promise<HttpResponseInit> {
  const page = await migrationsPage(request);
  const listed = page.kind === "ok" ? page : { migrations: [], next: null };
  return html(
    status,
    renderHomePage({
      migrations: listed.migrations,
      next: listed.next,
      form,
      errors: page.kind === "ok" ? errors : [...page.errors, ...errors],
      planAction: access.canCommand ? homeUrl(request, "/plan") : undefined,
      signedIn: signedInView(access),
      notice,
    }),
  );
}

type PageAllowed = Extract<PageAccess, { ok: true }>;

const signedInView = (access: PageAllowed) => ({
  name: access.who.name,
  canCommand: access.canCommand,
  signOut: SIGN_OUT_PATH,
});

/** GET /api/home: the admins' home page (the migrations, and a start form for admins). */
async function getHomePage(request: HttpRequest): Promise<HttpResponseInit> {
  const access = pageAccess(request, services().settings, "read");
  if (!access.ok) return access.response;
  return homePage(request, access, emptyStartForm(), []);
}

const postedForm = async (request: HttpRequest) => new URLSearchParams(await request.text());

/** The confirm form's CSRF purpose: bound to the exact request planned, so a confirm starts only what its plan page showed. */
const startCsrfPurpose = (body: Record<string, unknown>) => `start\n${JSON.stringify(body)}`;

/** POST /api/home/plan: the dry run of the posted form, with a confirm form (or the form again, with its errors). */
async function postHomePlan(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const access = pageAccess(request, s.settings, "command");
  if (!access.ok) return access.response;
  const posted = await postedForm(request);
  const form = startFormFrom(posted);
  if (posted.has("edit")) return homePage(request, access, form, []);
  const { body, errors: formErrors } = startBodyFromForm(form);
  const result = await startMigration(s, durableRunner(client), { ...body, dryRun: true }, access.who.name);
  if (formErrors.length > 0 || result.kind !== "planned") {
    // The form's own errors first; the request's about the same fields would only repeat them.
    const fields = new Set(formErrors.map((e) => e.field));
    const requestErrors = result.kind === "invalid" ? result.errors.filter((e) => !fields.has(e.field)) : [];
    return homePage(request, access, form, [...formErrors, ...requestErrors], 400);
  }
  const csrf = pageCsrf(request, access.who, startCsrfPurpose(body));
  return {
    ...html(
      200,
      renderPlanPage({
        plan: result.plan,
        preflight: result.preflight,
        form,
        csrf: csrf.token,
        startAction: homeUrl(request, "/start"),
        editAction: homeUrl(request, "/plan"),
      }),
    ),
    cookies: csrf.cookies,
  };
}

/** POST /api/home/start: the confirmed plan's start; then the status page. */
async function postHomeStart(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const access = pageAccess(request, s.settings, "command");
  if (!access.ok) return access.response;
  const posted = await postedForm(request);
  const form = startFormFrom(posted);
  const { body } = startBodyFromForm(form);
  if (
    isCrossSite(request, s.settings.PUBLIC_BASE_URL) ||
    !isPageCsrf(request, access.who, startCsrfPurpose(body), posted.get("csrf") ?? "")
  ) {
    const message = "this confirmation is not for this request (or the page is stale): show the plan again";
    return homePage(request, access, form, [{ field: "csrf", message }], 403);
  }
  const result = await startMigration(s, durableRunner(client), { ...body, dryRun: false }, access.who.name);
  switch (result.kind) {
    case "accepted":
      return redirect(`${statusUrl(request, result.id)}/page`);
    case "conflict":
      return homePage(request, access, form, [], 409, result.message);
    case "invalid":
      return homePage(request, access, form, result.errors, 400);
    case "planned":
      throw new Error("a start without dryRun answered with a plan");
  }
}

/** The status page's forms' CSRF purpose: bound to this migration. */
const statusCsrfPurpose = (id: string) => `status-page\n${id}`;

/**
 * What the page says after a command was accepted (`?done=…&at=…` of the redirect back to it), with when: a reload
 * hours later still tells the truth.
 */
const DONE: Record<AdminAction, string> = {
  resume: "Resume requested: the failed step is tried again now.",
  cancel: CANCEL_ACCEPTED,
  extendDeadline: "Deadline extended: reminders count down to the new deadline.",
  requestApprovalAgain: "The approvers are asked again: a new round of approval links goes out now.",
  exemptPerson: "Exempted: they get no more mail and no Phase 2 account; the checklist and the approvers name them.",
  resendInvitation: "The invitation went out again to that person.",
  extendPersonDeadline:
    "Deadline extended for that person: their reminders count down to it, and the window stays open until then.",
  requestPilotReview: "The admins are asked again: a new pilot review goes out now.",
};
const isAction = (value: string | null): value is AdminAction => value !== null && Object.hasOwn(DONE, value);

function doneNotice(done: string | null, at: string | null, timeZone: string): StatusActions["notice"] {
  if (!isAction(done)) return undefined;
  const when = new Date(at ?? "");
  return {
    text: Number.isNaN(when.getTime()) ? DONE[done] : `${formatHuman(when, timeZone)} — ${DONE[done]}`,
    tone: "ok",
  };
}

async function statusPage(
  request: HttpRequest,
  client: df.DurableClient,
  access: PageAllowed,
  httpStatus = 200,
  notice?: StatusActions["notice"],
): Promise<HttpResponseInit> {
  const s = services();
  const status = await statusWithLinks(request, client);
  if (!status) return html(404, renderTaskMessage("Not found", "There is no such migration."));
  // The first page of each user table; the rest is a link to the users endpoint.
  const tables = await statusPageTables(s, status.id, PAGE_TABLE_ROWS);
  const more = (state: "notOnboarded" | "mismatched") => (tables[state].more ? status.links.users[state] : null);
  // A Viewer sees no buttons: the commands need Migration.Admin (and postMigrationPage refuses them too).
  const done = request.query.get("done");
  const csrf = pageCsrf(request, access.who, statusCsrfPurpose(status.id));
  return {
    ...html(
      httpStatus,
      renderStatusPage({
        ...status,
        notOnboarded: { rows: tables.notOnboarded.rows, more: more("notOnboarded") },
        mismatched: { rows: tables.mismatched.rows, more: more("mismatched") },
        actions: {
          allowed: access.canCommand ? status.actions : [],
          formAction: status.links.page,
          csrf: csrf.token,
          notice: notice ?? doneNotice(done, request.query.get("at"), status.timeZone),
        },
        signedIn: signedInView(access),
      }),
    ),
    cookies: csrf.cookies,
  };
}

/** Rows of each user table on the status page. */
const PAGE_TABLE_ROWS = 100;

async function getMigrationPage(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const access = pageAccess(request, services().settings, "read");
  if (!access.ok) return access.response;
  return statusPage(request, client, access);
}

/**
 * POST /api/migrations/{id}/page: a button of the status page. Accepted: back to the page (303), which says so.
 * Refused or invalid: the page, updated, saying why. Not from our page (no or a wrong CSRF token, or posted from
 * another site): 403, and nothing is done.
 */
async function postMigrationPage(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const access = pageAccess(request, s.settings, "command");
  if (!access.ok) return access.response;
  const id = migrationIdOf(request);
  if (!id) return html(404, renderTaskMessage("Not found", "There is no such migration."));
  const form = await postedForm(request);
  if (
    isCrossSite(request, s.settings.PUBLIC_BASE_URL) ||
    !isPageCsrf(request, access.who, statusCsrfPurpose(id), form.get("csrf") ?? "")
  )
    return statusPage(request, client, access, 403, {
      text: "Nothing was done: that form was not sent from this page (or the page was stale). Use the buttons below.",
      tone: "bad",
    });
  const action = form.get("action");
  if (!isAction(action))
    return statusPage(request, client, access, 400, { text: "Nothing was done: unknown button.", tone: "bad" });
  const runner = durableRunner(client);
  const actor = access.who.name;
  const results: Record<AdminAction, () => Promise<CommandResult>> = {
    resume: () => resumeMigration(s, runner, id, actor),
    cancel: () => cancelMigration(s, runner, id, form.get("reason")?.trim() || undefined, actor),
    extendDeadline: () =>
      extendDeadline(s, runner, id, { deadline: form.get("deadline")?.trim() ?? "" }, actor, { wallClock: true }),
    requestApprovalAgain: () => requestApprovalAgain(s, runner, id, actor),
    exemptPerson: () =>
      exemptPerson(s, runner, id, { user: form.get("user") ?? "", reason: form.get("reason") ?? "" }, actor),
    resendInvitation: () => resendPersonInvitation(s, id, { user: form.get("user") ?? "" }, actor),
    extendPersonDeadline: () =>
      extendPersonDeadline(
        s,
        runner,
        id,
        {
          user: form.get("user") ?? "",
          deadline: form.get("deadline")?.trim() ?? "",
          ...(form.get("reason")?.trim() ? { reason: form.get("reason") } : {}),
        },
        actor,
        { wallClock: true },
      ),
    requestPilotReview: () => requestPilotReview(s, runner, id, actor),
  };
  const result = await results[action]();
  switch (result.kind) {
    case "accepted":
      return redirect(`${statusUrl(request, id)}/page?done=${action}&at=${s.clock.now().toISOString()}`);
    case "conflict":
      return statusPage(request, client, access, 409, { text: `Nothing was done: ${result.reason}.`, tone: "bad" });
    case "invalid":
      return statusPage(request, client, access, 400, {
        text: `Nothing was done: ${result.errors.map((e) => `${e.field} ${e.message}`).join("; ")}.`,
        tone: "bad",
      });
    case "notFound":
      return html(404, renderTaskMessage("Not found", "There is no such migration."));
  }
}

const redirect = (location: string): HttpResponseInit => ({
  status: 303,
  headers: { location, "cache-control": "no-store" },
});

/** The pages, for signed-in people (functions/access.ts decides; no key in any URL). */
export function registerPageFunctions(): void {
  app.http("getHomePage", { route: "home", methods: ["GET"], authLevel: "anonymous", handler: getHomePage });
  registerClientRoutes([
    ["postHomePlan", "POST", "home/plan", postHomePlan],
    ["postHomeStart", "POST", "home/start", postHomeStart],
    ["getMigrationPage", "GET", "migrations/{id}/page", getMigrationPage],
    ["postMigrationPage", "POST", "migrations/{id}/page", postMigrationPage],
  ]);
}
