/**
 * The admin API (docs/design.md#http-surface): start a migration, read its status (JSON and a page), extend the
 * deadline, cancel, and ask for approval again. Function keys guard it; App Service Authentication
 * adds the admin's identity in Azure. Handlers validate, write the store, and wake the orchestration:
 * nothing here deletes or creates anything outside this app.
 */
import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { parseIsoDuration } from "../shared/domain/duration";
import { nextReminder } from "../shared/domain/schedule";
import { timingsFromSettings } from "../shared/domain/waits";
import { loadMigration, recordFigures, updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import { DEFAULT_TIME_ZONE } from "../shared/domain/humanTime";
import { renderStatusPage } from "../shared/pages/statusPage";
import { services, type Services } from "../shared/services";
import {
  emptyStartForm,
  renderHomePage,
  renderPlanPage,
  startBodyFromForm,
  startFormFrom,
  type MigrationSummary,
  type PlanView,
  type StartForm,
} from "../shared/pages/homePage";
import type { PreflightFinding } from "../shared/graph/preflight";
import { isCsrfTokenFor, newCsrfToken } from "../shared/tokens";
import {
  InvalidCursorError,
  MAX_MIGRATIONS_PAGE,
  MAX_USERS_PAGE,
  type MigrationRecord,
  NotFoundError,
  PreconditionFailedError,
  userStates,
  type UserRecord,
  type UserState,
} from "../shared/store";
import {
  parseDeadlineExtension,
  parseStartRequest,
  planShortfallErrors,
  startRequestLimits,
  startSettingsErrors,
} from "../shared/validation/startRequest";
import {
  Events,
  isFinalPhase,
  Orchestrations,
  type MigrationProgress,
  type MigrationRequest,
  type MigrationState,
} from "../shared/workflow";
import { planDryRun, runPreflight } from "../shared/startChecks";
import {
  adminName,
  badRequest,
  baseUrlOf,
  html,
  type FieldError,
  json,
  JSON_HEADERS,
  migrationIdOf,
  readJson,
} from "./http";

/** Phases in which the onboarding window is still open and a new deadline can take effect. */
const DEADLINE_EXTENDABLE = new Set(["setup", "onboarding"]);

export async function startMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (!body.ok) return body.response;
  return startWith(body.value, request, client);
}

/** The start (or its dry run) for a parsed body: one home for the JSON API and the home page's form. */
async function startWith(value: unknown, request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const parsed = parseStartRequest(value, s.clock.now());
  if (!parsed.ok) return badRequest(parsed.errors);
  const settingsErrors = startSettingsErrors({ peigMode: s.settings.PEIG_MODE, cloud: s.settings.GRAPH_CLOUD });
  if (settingsErrors.length > 0) return badRequest(settingsErrors);
  const { dryRun, acceptPlanWarnings, ...fields } = parsed.value;
  const migrationRequest = fields as MigrationRequest;
  if (s.settings.PEIG_MODE === "operator" && !migrationRequest.idpEntityId) {
    return badRequest([
      {
        field: "idpEntityId",
        message: "is required in operator mode: copy the IDP Entity ID from Peig's Configuration > SAML IDP Info",
      },
    ]);
  }
  // The preflight runs before anything is created: what the tenant would refuse is reported now, with its fix.
  const preflight = await runPreflight(migrationRequest, s);
  const plan = await planDryRun(migrationRequest, s);
  if (dryRun) return json(200, { dryRun: true, plan, preflight });
  const blocking = preflight.filter((finding) => finding.severity === "blocking");
  if (blocking.length > 0)
    return json(400, {
      errors: blocking.map((f) => ({ field: f.field, message: `${f.problem} Fix: ${f.fix}` })),
      preflight,
    });
  const shortfalls = planShortfallErrors(plan.shortfalls, acceptPlanWarnings);
  if (shortfalls.length > 0) return badRequest(shortfalls);
  const warnings = preflight.filter((finding) => finding.severity === "warning");

  const id = randomUUID();
  const claim = await s.store.claimWorkspace(migrationRequest.workspace, id);
  if (!claim.claimed) {
    return json(409, {
      id: claim.activeMigrationId,
      statusUrl: statusUrl(request, claim.activeMigrationId),
      message: `workspace ${migrationRequest.workspace} already has an active migration`,
    });
  }
  const runtime: MigrationRuntime = {
    request: migrationRequest,
    peigMode: s.settings.PEIG_MODE,
    taskLinkTtlMs: parseIsoDuration(s.settings.TASK_LINK_TTL),
    timings: timingsFromSettings(s.settings),
    commands: {},
    sent: [],
  };
  try {
    await s.store.createMigration({
      id,
      workspace: migrationRequest.workspace,
      domain: migrationRequest.domain,
      phase: "setup",
      deadline: migrationRequest.deadline,
      runtime,
    });
    await s.store.appendAudit({
      migrationId: id,
      actor: `admin:${adminName(request, s.settings)}`,
      action: "migration.started",
      details: {
        workspace: migrationRequest.workspace,
        domain: migrationRequest.domain,
        deadline: migrationRequest.deadline,
        peigMode: runtime.peigMode,
      },
      instanceId: id,
    });
    await client.startNew(Orchestrations.migration, { instanceId: id, input: initialState(id, runtime) });
  } catch (err) {
    // Nothing half-started: free the workspace and mark the row failed before reporting the error.
    await s.store.releaseWorkspace(migrationRequest.workspace, id).catch(() => undefined);
    await s.store.updateMigration(id, { status: "failed", phase: "failed" }).catch(() => undefined);
    throw err;
  }
  return json(
    202,
    { id, statusUrl: statusUrl(request, id), statusPageUrl: `${statusUrl(request, id)}/page`, warnings },
    { location: statusUrl(request, id) },
  );
}

/** GET /api/migrations?top=…&cursor=…: one page of the migrations, in id order. */
export async function listMigrations(request: HttpRequest): Promise<HttpResponseInit> {
  const page = await migrationsPage(request);
  if (!page.ok) return badRequest(page.errors);
  return json(200, { migrations: page.migrations, next: page.next });
}

const DEFAULT_MIGRATIONS_PAGE = 50;

async function migrationsPage(
  request: HttpRequest,
): Promise<{ ok: true; migrations: MigrationSummary[]; next: string | null } | { ok: false; errors: FieldError[] }> {
  const topText = request.query.get("top");
  const cursor = request.query.get("cursor") ?? undefined;
  const top = topText === null ? DEFAULT_MIGRATIONS_PAGE : Number(topText);
  if (!/^\d+$/.test(topText ?? "1") || top < 1 || top > MAX_MIGRATIONS_PAGE)
    return { ok: false, errors: [{ field: "top", message: `must be an integer from 1 to ${MAX_MIGRATIONS_PAGE}` }] };
  try {
    const page = await services().store.pageMigrations({ top, cursor });
    const params = new URLSearchParams({
      ...(topText === null ? {} : { top: topText }),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    return {
      ok: true,
      migrations: page.migrations.map((m) => migrationSummary(request, m)),
      next: page.cursor ? `${baseUrlOf(request)}/api/migrations?${params.toString()}` : null,
    };
  } catch (err) {
    if (err instanceof InvalidCursorError) return { ok: false, errors: [{ field: "cursor", message: err.message }] };
    throw err;
  }
}

function migrationSummary(request: HttpRequest, m: MigrationRecord): MigrationSummary {
  return {
    id: m.id,
    workspace: m.workspace,
    phase: m.phase,
    status: m.status,
    counts: m.counts,
    figures: recordFigures(m),
    deadline: m.deadline,
    needsAttention: needsAttention(m.runtime, m.phase),
    links: { page: `${statusUrl(request, m.id)}/page` },
  };
}

/** A link of the home page's, carrying the function key it was opened with (a browser sends no key header). */
function withCode(request: HttpRequest, url: string): string {
  const code = request.query.get("code");
  return code ? `${url}${url.includes("?") ? "&" : "?"}code=${encodeURIComponent(code)}` : url;
}

const homeUrl = (request: HttpRequest, path = "") => withCode(request, `${baseUrlOf(request)}/api/home${path}`);

async function homePage(
  request: HttpRequest,
  form: StartForm,
  errors: FieldError[],
  status = 200,
  notice?: string,
): Promise<HttpResponseInit> {
  const page = await migrationsPage(request);
  const listed = page.ok ? page : { migrations: [], next: null };
  const migrations = listed.migrations.map((m) => ({ ...m, links: { page: withCode(request, m.links.page) } }));
  return html(
    status,
    renderHomePage({
      migrations,
      next: listed.next && withCode(request, listed.next),
      form,
      errors: page.ok ? errors : [...page.errors, ...errors],
      planAction: homeUrl(request, "/plan"),
      notice,
    }),
  );
}

/** GET /api/home: the admins' home page (the migrations and a start form). */
export async function getHomePage(request: HttpRequest): Promise<HttpResponseInit> {
  return homePage(request, emptyStartForm(), []);
}

async function postedForm(request: HttpRequest): Promise<URLSearchParams> {
  return new URLSearchParams(await request.text());
}

/**
 * The confirm form's CSRF token: keyed by the function key the page was opened with and bound to the exact
 * request planned, so a confirm starts only what its plan page showed.
 */
const csrfKey = (request: HttpRequest, body: Record<string, unknown>) =>
  `${request.query.get("code") ?? ""}\n${JSON.stringify(body)}`;

/** POST /api/home/plan: the dry run of the posted form, with a confirm form (or the form again, with its errors). */
export async function postHomePlan(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const posted = await postedForm(request);
  const form = startFormFrom(posted);
  if (posted.has("edit")) return homePage(request, form, []);
  const body = startBodyFromForm(form);
  const answer = await startWith({ ...body, dryRun: true }, request, client);
  const result = answer.jsonBody as { errors?: FieldError[]; plan?: PlanView; preflight?: PreflightFinding[] };
  if (answer.status !== 200 || !result.plan)
    return homePage(request, form, result.errors ?? [{ field: "body", message: "the dry run failed" }], 400);
  return html(
    200,
    renderPlanPage({
      plan: result.plan,
      preflight: result.preflight ?? [],
      form,
      csrf: newCsrfToken(csrfKey(request, body)),
      startAction: homeUrl(request, "/start"),
      editAction: homeUrl(request, "/plan"),
    }),
  );
}

/** POST /api/home/start: the confirmed plan's start; then the status page. */
export async function postHomeStart(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const posted = await postedForm(request);
  const form = startFormFrom(posted);
  const body = startBodyFromForm(form);
  if (!isCsrfTokenFor(posted.get("csrf") ?? "", csrfKey(request, body))) {
    return homePage(
      request,
      form,
      [
        {
          field: "csrf",
          message: "this confirmation is not for this request (or the page is stale): show the plan again",
        },
      ],
      403,
    );
  }
  const answer = await startWith({ ...body, dryRun: false }, request, client);
  const result = answer.jsonBody as { id?: string; errors?: FieldError[]; message?: string; statusUrl?: string };
  if (answer.status === 202 && result.id)
    return {
      status: 303,
      headers: { location: withCode(request, `${statusUrl(request, result.id)}/page`), "cache-control": "no-store" },
    };
  if (answer.status === 409) return homePage(request, form, [], 409, result.message);
  return homePage(
    request,
    form,
    result.errors ?? [{ field: "body", message: `the start failed (${answer.status})` }],
    400,
  );
}

export function initialState(migrationId: string, runtime: MigrationRuntime): MigrationState {
  return {
    migrationId,
    request: runtime.request,
    peigMode: runtime.peigMode,
    taskLinkTtlMs: runtime.taskLinkTtlMs,
    timings: runtime.timings,
    phase: "setup",
    deadline: runtime.request.deadline,
    window: { invited: false, remindersSent: [], cycles: 0 },
    approvalRound: 0,
  };
}

export async function getMigrationStatus(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const status = await migrationStatus(request, client, services());
  return status ? json(200, status) : noSuchMigration();
}

export async function getMigrationPage(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const status = await migrationStatus(request, client, s);
  if (!status) return html(404, "<!doctype html><title>Not found</title><p>No such migration.</p>");
  // The first page of each user table; the rest is a link to the users endpoint.
  const [notOnboarded, mismatched] = await Promise.all(
    (["notOnboarded", "mismatched"] as const).map((state) =>
      s.store.listUsers(status.id, { state, top: PAGE_TABLE_ROWS }),
    ),
  );
  const more = (state: UserState, page: { cursor?: string }) => (page.cursor ? status.links.users[state] : null);
  // The page is opened with its function key in ?code= (a browser sends no x-functions-key header); the
  // report link carries that same key, so it opens from the page. Only here: the status JSON's links and
  // every e-mail stay keyless, and the page is no-store, no-referrer and loads nothing from elsewhere.
  const code = request.query.get("code");
  const report = code ? `${status.links.report}?code=${encodeURIComponent(code)}` : status.links.report;
  return html(
    200,
    renderStatusPage({
      ...status,
      links: { ...status.links, report },
      notOnboarded: {
        rows: notOnboarded.users.map((u) => ({
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
          remindersSent: u.remindersSent,
        })),
        more: more("notOnboarded", notOnboarded),
      },
      mismatched: {
        rows: mismatched.users.map((u) => ({
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
          mergeSuggestion: u.mergeSuggestion,
        })),
        more: more("mismatched", mismatched),
      },
    }),
  );
}

/** GET /api/migrations/{id}/users?state=…&top=…&cursor=…: one page of the migration's users, in user-id order. */
export async function listMigrationUsers(request: HttpRequest): Promise<HttpResponseInit> {
  const s = services();
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const state = request.query.get("state") ?? undefined;
  const topText = request.query.get("top");
  const cursor = request.query.get("cursor") ?? undefined;
  const top = topText === null ? DEFAULT_USERS_PAGE : Number(topText);
  const errors = [];
  if (state !== undefined && !userStates.includes(state as UserState))
    errors.push({ field: "state", message: `must be one of ${userStates.join(", ")}` });
  if (!/^\d+$/.test(topText ?? "1") || !Number.isInteger(top) || top < 1 || top > MAX_USERS_PAGE)
    errors.push({ field: "top", message: `must be an integer from 1 to ${MAX_USERS_PAGE}` });
  if (errors.length > 0) return badRequest(errors);
  if (!(await s.store.getMigration(id))) return json(404, { error: `no migration ${id}` });
  try {
    const page = await s.store.listUsers(id, { state: state as UserState | undefined, top, cursor });
    const next = page.cursor ? usersUrl(request, id, { state, top: topText ?? undefined, cursor: page.cursor }) : null;
    return json(200, { users: page.users.map(userView), next });
  } catch (err) {
    if (err instanceof InvalidCursorError) return badRequest([{ field: "cursor", message: err.message }]);
    throw err;
  }
}

const DEFAULT_USERS_PAGE = 100;
/** Rows of each user table on the status page. */
const PAGE_TABLE_ROWS = 100;

function userView(u: UserRecord) {
  return {
    userId: u.userId,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    mail: u.mail ?? null,
    state: u.state,
    remindersSent: u.remindersSent,
    lastReminderAt: u.lastReminderAt ?? null,
    phase2: u.phase2,
    mergeSuggestion: u.mergeSuggestion ?? null,
    updatedAt: u.updatedAt,
  };
}

function usersUrl(request: HttpRequest, id: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const text = params.toString();
  return `${statusUrl(request, id)}/users${text ? `?${text}` : ""}`;
}

async function migrationStatus(request: HttpRequest, client: df.DurableClient, s: Services) {
  const id = migrationIdOf(request);
  if (!id) return undefined;
  const record = await s.store.getMigration(id);
  if (!record) return undefined;
  const { runtime } = record;
  // Read no user rows: counts come from the migration row, so this costs the same at any tenant size.
  const [durable, tasks, audit] = await Promise.all([
    client.getStatus(id).catch(() => undefined),
    s.store.listTasks(id, { status: "open" }),
    s.store.listAudit(id, { limit: 500 }),
  ]);
  const progress = (durable?.customStatus ?? undefined) as MigrationProgress | undefined;
  const now = s.clock.now();
  const next = isFinalPhase(record.phase)
    ? null
    : nextReminder(new Date(record.deadline), runtime.request.reminders, now);
  return {
    id,
    workspace: record.workspace,
    domain: record.domain,
    phase: record.phase,
    status: record.status,
    runtimeStatus: durable?.runtimeStatus ?? null,
    peigMode: runtime.peigMode,
    /** The zone pages and e-mails show dates in; the JSON's dates stay ISO 8601 UTC. */
    timeZone: runtime.request.timeZone ?? DEFAULT_TIME_ZONE,
    deadline: record.deadline,
    nextReminder: next?.at.toISOString() ?? null,
    waitingFor: progress?.waitingFor ?? null,
    /** The people the workflow waits on (who and what; the links are only in their e-mails). */
    waitingOn: isFinalPhase(record.phase) ? [] : (progress?.waitingOn ?? []),
    counts: record.counts,
    /** Every number about the migration, each with the sentence that says what it counts. */
    figures: recordFigures(record),
    app: runtime.app
      ? {
          appId: runtime.app.appId,
          entityId: runtime.app.entityId,
          replyUrl: runtime.app.replyUrl,
          thumbprint: runtime.app.thumbprint,
          certificateNotAfter: runtime.app.certificateNotAfter,
        }
      : null,
    checklist: runtime.checklist ?? null,
    cancelRequested: runtime.commands.cancelRequested ?? null,
    needsAttention: needsAttention(runtime, record.phase),
    deletionStartedAt: runtime.deletionStartedAt ?? null,
    openTasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      gate: t.gate,
      assignee: t.assignee,
      expiresAt: t.expiresAt,
    })),
    unmatchedRequests: runtime.unmatchedRequests ?? [],
    // From the migration row (the first of them and how many), like the counts: no user row is read.
    bounced: runtime.mail?.bounced?.first ?? [],
    bouncedTotal: runtime.mail?.bounced?.total ?? 0,
    audit: audit.map((a) => ({ at: a.at, actor: a.actor, action: a.action, details: a.details })),
    links: {
      status: statusUrl(request, id),
      page: `${statusUrl(request, id)}/page`,
      report: `${statusUrl(request, id)}/report`,
      /** Each state's users, paginated. */
      users: Object.fromEntries(userStates.map((state) => [state, usersUrl(request, id, { state })])) as Record<
        UserState,
        string
      >,
    },
    generatedAt: now.toISOString(),
  };
}

export async function extendDeadline(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const record = await s.store.getMigration(id);
  if (!record) return noSuchMigration();
  if (!DEADLINE_EXTENDABLE.has(record.phase))
    return json(409, { error: `too late: the onboarding window is over (phase ${record.phase})` });
  const parsed = parseDeadlineExtension(body.value, s.clock.now(), new Date(record.deadline));
  if (!parsed.ok) return badRequest(parsed.errors);
  const deadline = new Date(parsed.value.deadline).toISOString();
  // Decided against the version being written (ETag-guarded): the stored deadline only ever moves later,
  // so it is always the latest one accepted, whatever order parallel requests land in.
  let refusal: string | undefined;
  let from = record.deadline;
  try {
    await updateRuntime(s, id, (_rt, current) => {
      from = current.deadline;
      if (!DEADLINE_EXTENDABLE.has(current.phase))
        refusal = "too late: the onboarding window closed while the request was being handled";
      else if (Date.parse(current.deadline) >= Date.parse(deadline))
        refusal = `a deadline of ${current.deadline}, not earlier than ${deadline}, was set meanwhile`;
      return refusal ? false : { deadline };
    });
  } catch (err) {
    if (err instanceof PreconditionFailedError)
      return json(409, { error: "the migration changed while the request was being handled: send it again" });
    throw err;
  }
  if (refusal) return json(409, { error: refusal });
  await s.store.appendAudit({
    migrationId: id,
    actor: `admin:${adminName(request, s.settings)}`,
    action: "deadline.extended",
    details: { from, to: deadline },
    instanceId: id,
  });
  await wake(client, id);
  return json(202, { id, deadline });
}

export async function cancelMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const body = await readJson(request, {});
  if (!body.ok) return body.response;
  const reason = (body.value as { reason?: unknown }).reason;
  if (reason !== undefined && (typeof reason !== "string" || reason.length > startRequestLimits.maxReasonChars)) {
    return badRequest([
      { field: "reason", message: `must be text of at most ${startRequestLimits.maxReasonChars} characters` },
    ]);
  }
  const by = adminName(request, s.settings);
  let refusal: string | undefined;
  let already = false;
  try {
    await updateRuntime(s, id, (rt, current) => {
      // The same ETag guard as beginDeletion: one of the two wins, never both.
      if (rt.deletionStartedAt)
        refusal = `deletion started at ${rt.deletionStartedAt}; it cannot be cancelled any more`;
      else if (isFinalPhase(current.phase))
        refusal = `the migration has already ${current.phase === "completed" ? "completed" : "stopped"}`;
      already = !refusal && rt.commands.cancelRequested !== undefined;
      if (refusal || already) return false;
      rt.commands.cancelRequested = {
        reason: (reason as string | undefined) ?? "no reason given",
        by,
        at: s.clock.now().toISOString(),
      };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return noSuchMigration();
    throw err;
  }
  if (refusal) return json(409, { error: `cancellation refused: ${refusal}` });
  // Only the request that wrote the cancellation records it; repeats (and parallel duplicates) change nothing.
  if (already) return json(202, { id, status: "already requested" });
  await s.store.appendAudit({
    migrationId: id,
    actor: `admin:${by}`,
    action: "migration.cancelRequested",
    details: { reason: reason ?? null },
    instanceId: id,
  });
  const durable = await client.getStatus(id).catch(() => undefined);
  if (!durable || ["Failed", "Terminated", "Completed"].includes(String(durable.runtimeStatus))) {
    // Nothing runs that could act on the request (the orchestration failed after its retries, or was
    // terminated): record the end here, so the workspace is free for a new migration.
    const { record } = await updateRuntime(s, id, () => ({ phase: "cancelled", status: "cancelled" }));
    await s.store.releaseWorkspace(record.workspace, id);
    await s.store.appendAudit({
      migrationId: id,
      actor: `admin:${by}`,
      action: "phase.cancelled",
      details: { detail: `the orchestration was ${durable?.runtimeStatus ?? "missing"}; closed by the cancellation` },
      instanceId: id,
    });
  } else {
    await wake(client, id);
  }
  return json(202, {
    id,
    message:
      "Cancellation requested. Nothing is deleted: the Peig migration configuration and the Entra app PeigMigrationManager stay in place until you remove them.",
  });
}

export async function requestApprovalAgain(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const { record } = await loadMigration(s, id).catch(() => ({ record: undefined }));
  if (!record) return noSuchMigration();
  if (record.phase !== "approval")
    return json(409, {
      error: `approval can be requested again only while the migration waits at the approval gate (phase ${record.phase})`,
    });
  const open = (await s.store.listTasks(id, { status: "open" })).filter((t) => t.gate?.startsWith("deletionApproval-"));
  if (open.length > 0)
    return json(409, {
      error: `an approval round is still open (${open.length} link(s) waiting for a decision): it can be asked again after a rejection or expiry`,
    });
  await updateRuntime(s, id, (rt) => void (rt.commands.approvalRequested = true));
  await s.store.appendAudit({
    migrationId: id,
    actor: `admin:${adminName(request, s.settings)}`,
    action: "approval.requestedAgain",
    details: {},
    instanceId: id,
  });
  await wake(client, id);
  return json(202, { id });
}

/** A step that failed past its quick re-tries: what, where, and the likely fix (null when all is well). */
function needsAttention(runtime: MigrationRuntime, phase: string) {
  const a = runtime.attention;
  if (!a?.needed || isFinalPhase(phase)) return null;
  return {
    step: a.step,
    service: a.service,
    status: a.status,
    code: a.code ?? null,
    message: a.message,
    fix: a.fix,
    since: a.since,
    failures: a.failures,
    lastAttemptAt: a.lastAttemptAt,
    nextAttemptAt: a.nextAttemptAt ?? null,
  };
}

/** "Try again now" while the migration needs attention (after fixing the cause); recorded, then the orchestration is woken. */
export async function resumeMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const by = adminName(request, s.settings);
  let refusal: string | undefined;
  try {
    await updateRuntime(s, id, (rt, current) => {
      if (isFinalPhase(current.phase))
        refusal = `the migration has already ${current.phase === "completed" ? "completed" : "stopped"}`;
      else if (!rt.attention) refusal = "nothing to resume: no step is failing";
      if (refusal) return false;
      rt.commands.resumeRequested = { by, at: s.clock.now().toISOString() };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return json(404, { error: `no migration ${id}` });
    throw err;
  }
  if (refusal) return json(409, { error: `resume refused: ${refusal}` });
  await s.store.appendAudit({
    migrationId: id,
    actor: `admin:${by}`,
    action: "migration.resumeRequested",
    details: {},
    instanceId: id,
  });
  await wake(client, id);
  return json(202, { id, message: "The failed step is tried again now." });
}

export async function getReport(request: HttpRequest): Promise<HttpResponseInit> {
  const id = migrationIdOf(request);
  if (!id) return noSuchMigration();
  const report = await services().store.getReport(id);
  if (!report) return json(404, { error: "no report yet: it is written when the migration completes" });
  return request.query.get("format") === "json"
    ? { status: 200, body: report.json, headers: { ...JSON_HEADERS, "content-type": "application/json" } }
    : html(200, report.html);
}

const noSuchMigration = (): HttpResponseInit => json(404, { error: "no such migration" });

async function wake(client: df.DurableClient, id: string): Promise<void> {
  // A finished instance answers 410, which the client treats as success: nothing is waiting to be woken.
  await client.raiseEvent(id, Events.wake, {});
}

function statusUrl(request: HttpRequest, id: string): string {
  return `${baseUrlOf(request)}/api/migrations/${id}`;
}

/** The admin API, every route behind the function key (and App Service Authentication in Azure). */
export function registerMigrationFunctions(): void {
  const reads: [name: string, route: string, handler: (req: HttpRequest) => Promise<HttpResponseInit>][] = [
    ["listMigrations", "migrations", listMigrations],
    ["getHomePage", "home", getHomePage],
    ["listMigrationUsers", "migrations/{id}/users", listMigrationUsers],
    ["getMigrationReport", "migrations/{id}/report", getReport],
  ];
  for (const [name, route, handler] of reads) {
    app.http(name, { route, methods: ["GET"], authLevel: "function", handler: (req: HttpRequest) => handler(req) });
  }
  // Routes that start, signal or read an orchestration get the durable client binding.
  const withClient: [name: string, method: "GET" | "POST", route: string, handler: df.HttpDurableClientHandler][] = [
    ["postHomePlan", "POST", "home/plan", postHomePlan],
    ["postHomeStart", "POST", "home/start", postHomeStart],
    ["startMigration", "POST", "migrations", startMigration],
    ["getMigrationStatus", "GET", "migrations/{id}", getMigrationStatus],
    ["getMigrationPage", "GET", "migrations/{id}/page", getMigrationPage],
    ["extendDeadline", "POST", "migrations/{id}/deadline", extendDeadline],
    ["cancelMigration", "POST", "migrations/{id}/cancel", cancelMigration],
    ["resumeMigration", "POST", "migrations/{id}/resume", resumeMigration],
    ["requestApprovalAgain", "POST", "migrations/{id}/approval", requestApprovalAgain],
  ];
  for (const [name, method, route, handler] of withClient) {
    df.app.client.http(name, { route, methods: [method], authLevel: "function", handler });
  }
}
