/**
 * Starting a migration (or only planning it): one use case for the JSON API and the home page's form. Nothing is
 * created anywhere before every check passed; a start that fails half-way frees the workspace again.
 */
import { randomUUID } from "node:crypto";
import { parseIsoDuration } from "../shared/domain/duration";
import { timingsFromSettings } from "../shared/domain/waits";
import type { PreflightFinding } from "../shared/graph/preflight";
import type { MigrationRuntime } from "../shared/migrationRuntime";
import { planDryRun, runPreflight, workspaceFindings, type StartPlan } from "../shared/startChecks";
import { parseStartRequest, planShortfallErrors, startSettingsErrors } from "../shared/validation/startRequest";
import { initialState, type MigrationRequest } from "../shared/workflow";
import type { AppDeps, FieldError, MigrationRunner } from "./ports";

export type { StartPlan };

export type StartResult =
  /** The request (or the deployment's settings) cannot start: each error names its field. */
  | { kind: "invalid"; errors: FieldError[]; preflight?: PreflightFinding[] }
  /** `dryRun`: what a start would do, and what the tenant and the workspace would refuse. */
  | { kind: "planned"; plan: StartPlan; preflight: PreflightFinding[] }
  /** The workspace is taken: another migration runs on it, or Peig's migration configuration is not free. */
  | { kind: "conflict"; message: string; activeMigrationId?: string; preflight: PreflightFinding[] }
  | { kind: "accepted"; id: string; warnings: PreflightFinding[] };

/**
 * Every group the request names must exist: a 400 naming the field of each one that does not. The waves keep their
 * groups' display names, so that pages say which group in words.
 */
async function nameGroups(request: MigrationRequest, deps: AppDeps): Promise<FieldError[]> {
  const named: { field: string; id: string }[] = [
    ...(request.scopeGroupId ? [{ field: "scopeGroupId", id: request.scopeGroupId }] : []),
    ...(request.includeGroups ?? []).map((id, i) => ({ field: `includeGroups.${i}`, id })),
    ...(request.excludeGroups ?? []).map((id, i) => ({ field: `excludeGroups.${i}`, id })),
    ...(request.waves ?? []).flatMap((wave, i) => (wave.group ? [{ field: `waves.${i}.group`, id: wave.group }] : [])),
  ];
  if (named.length === 0) return [];
  const names = await deps.entra.readGroupNames(named.map((g) => g.id));
  for (const wave of request.waves ?? []) {
    const name = wave.group ? names.get(wave.group) : undefined;
    if (name) wave.groupName = name;
  }
  return named
    .filter((g) => names.get(g.id) === null)
    .map((g) => ({
      field: g.field,
      message: `no Entra group has the object id ${g.id}: copy the group's Object ID from the Microsoft Entra admin center (Groups > the group > Overview)`,
    }));
}

/** Starts a migration from a request body (already JSON), or only plans it when the body says `dryRun`. */
export async function startMigration(
  deps: AppDeps,
  runner: MigrationRunner,
  body: unknown,
  actor: string,
): Promise<StartResult> {
  const parsed = parseStartRequest(body, deps.clock.now());
  if (!parsed.ok) return { kind: "invalid", errors: parsed.errors };
  const settingsErrors = startSettingsErrors({ peigMode: deps.settings.PEIG_MODE, cloud: deps.settings.GRAPH_CLOUD });
  if (settingsErrors.length > 0) return { kind: "invalid", errors: settingsErrors };
  const { dryRun, acceptPlanWarnings, ...fields } = parsed.value;
  const request = fields as MigrationRequest;
  if (deps.settings.PEIG_MODE === "operator" && !request.idpEntityId) {
    const message = "is required in operator mode: copy the IDP Entity ID from Peig's Configuration > SAML IDP Info";
    return { kind: "invalid", errors: [{ field: "idpEntityId", message }] };
  }
  // Everything is read before anything is created: what the workspace or the tenant would refuse is reported now.
  const groupErrors = await nameGroups(request, deps);
  if (groupErrors.length > 0) return { kind: "invalid", errors: groupErrors };
  const workspace = await workspaceFindings(request, deps);
  if (!dryRun && workspace.findings.length > 0)
    return {
      kind: "conflict",
      message: workspace.findings.map((f) => `${f.problem} ${f.fix}`).join(" "),
      activeMigrationId: workspace.activeMigrationId,
      preflight: workspace.findings,
    };
  const [tenant, plan] = await Promise.all([runPreflight(request, deps), planDryRun(request, deps)]);
  const preflight = [...workspace.findings, ...tenant];
  if (dryRun) return { kind: "planned", plan, preflight };
  const blocking = tenant.filter((finding) => finding.severity === "blocking");
  if (blocking.length > 0)
    return {
      kind: "invalid",
      errors: blocking.map((f) => ({ field: f.field, message: `${f.problem} Fix: ${f.fix}` })),
      preflight,
    };
  const shortfalls = planShortfallErrors(plan.shortfalls, acceptPlanWarnings);
  if (shortfalls.length > 0) return { kind: "invalid", errors: shortfalls };

  const id = randomUUID();
  // The claim is the guard against a parallel start: the check above only read.
  const claim = await deps.store.claimWorkspace(request.workspace, id);
  if (!claim.claimed)
    return {
      kind: "conflict",
      message: `workspace ${request.workspace} already has an active migration`,
      activeMigrationId: claim.activeMigrationId,
      preflight,
    };
  const runtime: MigrationRuntime = {
    request,
    peigMode: deps.settings.PEIG_MODE,
    taskLinkTtlMs: parseIsoDuration(deps.settings.TASK_LINK_TTL),
    timings: timingsFromSettings(deps.settings),
    commands: {},
    sent: [],
  };
  try {
    await deps.store.createMigration({
      id,
      workspace: request.workspace,
      domain: request.domain,
      phase: "setup",
      deadline: request.deadline,
      runtime,
    });
    await deps.store.appendAudit({
      migrationId: id,
      actor: `admin:${actor}`,
      action: "migration.started",
      details: {
        workspace: request.workspace,
        domain: request.domain,
        deadline: request.deadline,
        peigMode: runtime.peigMode,
      },
      instanceId: id,
    });
    await runner.start(id, initialState(id, runtime));
  } catch (err) {
    // Nothing half-started: free the workspace and mark the row failed before reporting the error.
    await deps.store.releaseWorkspace(request.workspace, id).catch(() => undefined);
    await deps.store.updateMigration(id, { status: "failed", phase: "failed" }).catch(() => undefined);
    throw err;
  }
  return { kind: "accepted", id, warnings: preflight.filter((finding) => finding.severity === "warning") };
}
