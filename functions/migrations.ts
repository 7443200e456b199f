/**
 * The admin API (DESIGN.md §7): start a migration, read its status (JSON and a page), extend the
 * deadline, cancel, and ask for approval again. Function keys guard it; App Service Authentication
 * adds the admin's identity in Azure. Handlers validate, write the store, and wake the orchestration:
 * nothing here deletes or creates anything outside this app.
 */
import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { parseIsoDuration } from "../shared/domain/duration";
import { nextReminder } from "../shared/domain/schedule";
import { loadMigration, updateRuntime, type MigrationRuntime } from "../shared/migrationRecord";
import { bouncedUsers, renderStatusPage } from "../shared/pages/statusPage";
import { services, type Services } from "../shared/services";
import { NotFoundError } from "../shared/store";
import { parseDeadlineExtension, parseStartRequest, planShortfallErrors } from "../shared/validation/startRequest";
import { Events, Orchestrations, type MigrationProgress, type MigrationRequest, type MigrationState } from "../shared/workflow";
import { planDryRun } from "../activities/dryRun";
import { badRequest, baseUrlOf, callerName, html, json, readJson } from "./http";

/** Phases in which the onboarding window is still open and a new deadline can take effect. */
const DEADLINE_EXTENDABLE = new Set(["setup", "onboarding"]);
const FINISHED = new Set(["completed", "cancelled", "failed"]);

export async function startMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = parseStartRequest(body.value, s.clock.now());
  if (!parsed.ok) return badRequest(parsed.errors);
  const { dryRun, acceptPlanWarnings, ...fields } = parsed.value;
  const migrationRequest = fields as MigrationRequest;
  if (s.settings.PEIG_MODE === "operator" && !migrationRequest.idpEntityId) {
    return badRequest([{ field: "idpEntityId", message: "is required in operator mode: copy the IDP Entity ID from Peig's Configuration > SAML IDP Info" }]);
  }
  const plan = await planDryRun(migrationRequest, s);
  if (dryRun) return json(200, { dryRun: true, plan });
  const shortfalls = planShortfallErrors(plan.shortfalls, acceptPlanWarnings);
  if (shortfalls.length > 0) return badRequest(shortfalls);

  const id = randomUUID();
  const claim = await s.store.claimWorkspace(migrationRequest.workspace, id);
  if (!claim.claimed) {
    return json(409, { id: claim.activeMigrationId, statusUrl: statusUrl(request, claim.activeMigrationId), message: `workspace ${migrationRequest.workspace} already has an active migration` });
  }
  const runtime: MigrationRuntime = {
    request: migrationRequest,
    peigMode: s.settings.PEIG_MODE,
    taskLinkTtlMs: parseIsoDuration(s.settings.TASK_LINK_TTL),
    commands: {},
    sent: [],
  };
  try {
    await s.store.createMigration({ id, workspace: migrationRequest.workspace, domain: migrationRequest.domain, phase: "setup", deadline: migrationRequest.deadline, settings: runtime as unknown as Record<string, unknown> });
    await s.store.appendAudit({ migrationId: id, actor: `admin:${callerName(request) ?? "function key"}`, action: "migration.started", details: { workspace: migrationRequest.workspace, domain: migrationRequest.domain, deadline: migrationRequest.deadline, peigMode: runtime.peigMode }, instanceId: id });
    await client.startNew(Orchestrations.migration, { instanceId: id, input: initialState(id, runtime) });
  } catch (err) {
    // Nothing half-started: free the workspace and mark the row failed before reporting the error.
    await s.store.releaseWorkspace(migrationRequest.workspace, id).catch(() => undefined);
    await s.store.updateMigration(id, { status: "failed", phase: "failed" }).catch(() => undefined);
    throw err;
  }
  return json(202, { id, statusUrl: statusUrl(request, id), statusPageUrl: `${statusUrl(request, id)}/page` }, { location: statusUrl(request, id) });
}

export function initialState(migrationId: string, runtime: MigrationRuntime): MigrationState {
  return {
    migrationId,
    request: runtime.request,
    peigMode: runtime.peigMode,
    taskLinkTtlMs: runtime.taskLinkTtlMs,
    phase: "setup",
    deadline: runtime.request.deadline,
    window: { invited: false, remindersSent: [], cycles: 0 },
    approvalRound: 0,
  };
}

export async function getMigrationStatus(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const status = await migrationStatus(request, client, services());
  return status ? json(200, status) : json(404, { error: `no migration ${request.params.id}` });
}

export async function getMigrationPage(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const status = await migrationStatus(request, client, services());
  return status ? html(200, renderStatusPage(status)) : html(404, "<!doctype html><title>Not found</title><p>No such migration.</p>");
}



async function migrationStatus(request: HttpRequest, client: df.DurableClient, s: Services) {
  const id = request.params.id;
  const record = await s.store.getMigration(id);
  if (!record) return undefined;
  const runtime = record.settings as unknown as MigrationRuntime;
  const [durable, tasks, audit, users] = await Promise.all([
    client.getStatus(id).catch(() => undefined),
    s.store.listTasks(id, { status: "open" }),
    s.store.listAudit(id, { limit: 500 }),
    s.store.getUsers(id),
  ]);
  const progress = (durable?.customStatus ?? undefined) as MigrationProgress | undefined;
  const now = s.clock.now();
  const next = FINISHED.has(record.phase) ? null : nextReminder(new Date(record.deadline), runtime.request.reminders, now);
  return {
    id,
    workspace: record.workspace,
    domain: record.domain,
    phase: record.phase,
    status: record.status,
    runtimeStatus: durable?.runtimeStatus ?? null,
    peigMode: runtime.peigMode,
    deadline: record.deadline,
    nextReminder: next?.at.toISOString() ?? null,
    waitingFor: progress?.waitingFor ?? null,
    counts: record.counts,
    app: runtime.app ? { appId: runtime.app.appId, entityId: runtime.app.entityId, replyUrl: runtime.app.replyUrl, thumbprint: runtime.app.thumbprint, certificateNotAfter: runtime.app.certificateNotAfter } : null,
    checklist: runtime.checklist ?? null,
    cancelRequested: runtime.commands.cancelRequested ?? null,
    deletionStartedAt: runtime.deletionStartedAt ?? null,
    openTasks: tasks.map((t) => ({ id: t.id, kind: t.kind, gate: t.gate, assignee: t.assignee, expiresAt: t.expiresAt })),
    notOnboarded: users.filter((u) => u.state === "notOnboarded").map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName, remindersSent: u.remindersSent })),
    unmatchedRequests: runtime.unmatchedRequests ?? [],
    bounced: bouncedUsers(users),
    mismatched: users.filter((u) => u.mergeSuggestion).map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName, mergeSuggestion: u.mergeSuggestion })),
    audit: audit.map((a) => ({ at: a.at, actor: a.actor, action: a.action, details: a.details })),
    links: { status: statusUrl(request, id), page: `${statusUrl(request, id)}/page`, report: `${statusUrl(request, id)}/report` },
    generatedAt: now.toISOString(),
  };
}

export async function extendDeadline(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = request.params.id;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const record = await s.store.getMigration(id);
  if (!record) return json(404, { error: `no migration ${id}` });
  if (!DEADLINE_EXTENDABLE.has(record.phase)) return json(409, { error: `too late: the onboarding window is over (phase ${record.phase})` });
  const parsed = parseDeadlineExtension(body.value, s.clock.now(), new Date(record.deadline));
  if (!parsed.ok) return badRequest(parsed.errors);
  const deadline = new Date(parsed.value.deadline).toISOString();
  let tooLate = false;
  await updateRuntime(s, id, (_rt, current) => {
    if (!DEADLINE_EXTENDABLE.has(current.phase)) {
      tooLate = true;
      return false;
    }
    return { deadline };
  });
  if (tooLate) return json(409, { error: "too late: the onboarding window closed while the request was being handled" });
  await s.store.appendAudit({ migrationId: id, actor: `admin:${callerName(request) ?? "function key"}`, action: "deadline.extended", details: { from: record.deadline, to: deadline }, instanceId: id });
  await wake(client, id);
  return json(202, { id, deadline });
}

export async function cancelMigration(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = request.params.id;
  const body = await readJson(request, {});
  if (!body.ok) return body.response;
  const reason = (body.value as { reason?: unknown }).reason;
  if (reason !== undefined && (typeof reason !== "string" || reason.length > 500)) return badRequest([{ field: "reason", message: "must be text of at most 500 characters" }]);
  const by = callerName(request) ?? "admin";
  let refusal: string | undefined;
  try {
    await updateRuntime(s, id, (rt, current) => {
      // The same ETag guard as beginDeletion: one of the two wins, never both.
      if (rt.deletionStartedAt) refusal = `deletion started at ${rt.deletionStartedAt}; it cannot be cancelled any more`;
      else if (FINISHED.has(current.phase)) refusal = `the migration has already ${current.phase === "completed" ? "completed" : "stopped"}`;
      if (refusal || rt.commands.cancelRequested) return false;
      rt.commands.cancelRequested = { reason: (reason as string | undefined) ?? "no reason given", by, at: s.clock.now().toISOString() };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return json(404, { error: `no migration ${id}` });
    throw err;
  }
  if (refusal) return json(409, { error: `cancellation refused: ${refusal}` });
  await s.store.appendAudit({ migrationId: id, actor: `admin:${by}`, action: "migration.cancelRequested", details: { reason: reason ?? null }, instanceId: id });
  const durable = await client.getStatus(id).catch(() => undefined);
  if (!durable || ["Failed", "Terminated", "Completed"].includes(String(durable.runtimeStatus))) {
    // Nothing runs that could act on the request (the orchestration failed after its retries, or was
    // terminated): record the end here, so the workspace is free for a new migration.
    const { record } = await updateRuntime(s, id, () => ({ phase: "cancelled", status: "cancelled" }));
    await s.store.releaseWorkspace(record.workspace, id);
    await s.store.appendAudit({ migrationId: id, actor: `admin:${by}`, action: "phase.cancelled", details: { detail: `the orchestration was ${durable?.runtimeStatus ?? "missing"}; closed by the cancellation` }, instanceId: id });
  } else {
    await wake(client, id);
  }
  return json(202, {
    id,
    message: "Cancellation requested. Nothing is deleted: the Peig migration configuration and the Entra app PeigMigrationManager stay in place until you remove them.",
  });
}

export async function requestApprovalAgain(request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> {
  const s = services();
  const id = request.params.id;
  const { record } = await loadMigration(s, id).catch(() => ({ record: undefined }));
  if (!record) return json(404, { error: `no migration ${id}` });
  if (record.phase !== "approval") return json(409, { error: `approval can be requested again only while the migration waits at the approval gate (phase ${record.phase})` });
  const open = (await s.store.listTasks(id, { status: "open" })).filter((t) => t.gate?.startsWith("deletionApproval-"));
  if (open.length > 0) return json(409, { error: `an approval round is still open (${open.length} link(s) waiting for a decision): it can be asked again after a rejection or expiry` });
  await updateRuntime(s, id, (rt) => void (rt.commands.approvalRequested = true));
  await s.store.appendAudit({ migrationId: id, actor: `admin:${callerName(request) ?? "function key"}`, action: "approval.requestedAgain", details: {}, instanceId: id });
  await wake(client, id);
  return json(202, { id });
}

export async function getReport(request: HttpRequest): Promise<HttpResponseInit> {
  const report = await services().store.getReport(request.params.id);
  if (!report) return json(404, { error: "no report yet: it is written when the migration completes" });
  return request.query.get("format") === "json" ? { status: 200, body: report.json, headers: { "content-type": "application/json" } } : html(200, report.html);
}

async function wake(client: df.DurableClient, id: string): Promise<void> {
  // A finished instance answers 410, which the client treats as success: nothing is waiting to be woken.
  await client.raiseEvent(id, Events.wake, {});
}

function statusUrl(request: HttpRequest, id: string): string {
  return `${baseUrlOf(request)}/api/migrations/${id}`;
}

export function registerMigrationFunctions(): void {
  const route = (r: string) => `migrations${r}`;
  df.app.client.http("startMigration", { route: route(""), methods: ["POST"], authLevel: "function", handler: startMigration });
  df.app.client.http("getMigrationStatus", { route: route("/{id}"), methods: ["GET"], authLevel: "function", handler: getMigrationStatus });
  df.app.client.http("getMigrationPage", { route: route("/{id}/page"), methods: ["GET"], authLevel: "function", handler: getMigrationPage });
  df.app.client.http("extendDeadline", { route: route("/{id}/deadline"), methods: ["POST"], authLevel: "function", handler: extendDeadline });
  df.app.client.http("cancelMigration", { route: route("/{id}/cancel"), methods: ["POST"], authLevel: "function", handler: cancelMigration });
  df.app.client.http("requestApprovalAgain", { route: route("/{id}/approval"), methods: ["POST"], authLevel: "function", handler: requestApprovalAgain });
  app.http("getMigrationReport", { route: route("/{id}/report"), methods: ["GET"], authLevel: "function", handler: (req: HttpRequest, _ctx: InvocationContext) => getReport(req) });
}
