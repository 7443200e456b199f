/**
 * `dryRun: true`: the plan a start would follow, computed from the real directory, with no side effects; and the
 * preflight, which the real start runs too before anything is created.
 */
import { wavesOf } from "./domain/waves";
import { waveAssignment } from "./reconciliationPass";
import { formatHuman } from "./domain/humanTime";
import { serverFromIdpEntityId } from "./entra/entityIds";
import { dryRunPlan, type DryRunPlan } from "./domain/mailPlan";
import { migrationScope, type MigrationScope, type ScopeRemoval } from "./domain/scope";
import { preflightFindings, type PreflightFinding } from "./graph/preflight";
import type { Services } from "./services";
import { isFinalPhase, type MigrationRequest } from "./workflow";

/** The plan, with who each scope rule left out. */
export type StartPlan = DryRunPlan & { leftOut: ScopeRemoval[]; peigMode: string };

export async function planDryRun(request: MigrationRequest, s: Services): Promise<StartPlan> {
  const scope = await s.entra.readScope(migrationScope(request));
  return {
    ...dryRunPlan(request, scope.users, s.clock.now(), s.mail.senders, await peopleOfWaves(request, scope.users, s)),
    leftOut: scope.removed,
    peigMode: s.settings.PEIG_MODE,
  };
}

/** Each wave's people among `users` (shared/domain/waves.ts); undefined without waves. */
async function peopleOfWaves<U extends { id: string }>(request: MigrationRequest, users: readonly U[], s: Services) {
  const waveOf = await waveAssignment(s, request);
  if (!waveOf) return undefined;
  const people: U[][] = wavesOf(request).map(() => []);
  for (const user of users) {
    const wave = waveOf(user.id);
    if (wave !== undefined) people[wave].push(user);
  }
  return people;
}

const usesGroups = (scope: MigrationScope) => scope.includeGroups.length + scope.excludeGroups.length > 0;

/** What the tenant would refuse, each with its fix (reads only). */
export async function runPreflight(request: MigrationRequest, s: Services): Promise<PreflightFinding[]> {
  // Peig unreachable or its IDP Entity ID malformed: setup reports that itself; the host check is then skipped.
  const idpEntityId = s.peig
    ? await s.peig.getSamlIdpInfo().then(
        (info) => info.idpEntityId,
        () => undefined,
      )
    : request.idpEntityId;
  let peigHost: string | undefined;
  try {
    peigHost = idpEntityId ? new URL(`https://${serverFromIdpEntityId(idpEntityId)}`).hostname : undefined;
  } catch {
    peigHost = undefined;
  }
  const readiness = await s.entra.readTenantReadiness({
    senders: s.settings.MAIL_SENDERS,
    signInLogs: s.settings.PEIG_MODE === "operator",
  });
  return preflightFindings({
    readiness,
    peigMode: s.settings.PEIG_MODE,
    scopeGroup: usesGroups(migrationScope(request)),
    fallbackApprovers: (request.fallbackApprovers?.length ?? 0) > 0,
    peigHost,
    domain: request.domain,
    now: s.clock.now(),
    cloud: s.settings.GRAPH_CLOUD,
  });
}

/**
 * Whether the workspace is free for a new migration, read before anything is created: no other migration of
 * this app is running on it, and (api mode) Peig's migration configuration was neither deleted (its migration is
 * over: federation is next) nor saved for an Entra app that no ended migration of this app left behind (another
 * migration uses it; saving ours would replace theirs). A cancelled or failed migration's configuration is not
 * in the way: the new migration adopts its app and saves over it.
 */
export async function workspaceFindings(
  request: Pick<MigrationRequest, "workspace" | "timeZone">,
  s: Pick<Services, "store" | "peig">,
): Promise<{ findings: PreflightFinding[]; activeMigrationId?: string }> {
  // Workspaces are one whatever their case, as the store's claim has them.
  const running = await s.store.listMigrations({ status: "running" });
  const active = running.find(
    (m) => m.workspace.toLowerCase() === request.workspace.toLowerCase() && !isFinalPhase(m.phase),
  );
  if (active)
    return {
      activeMigrationId: active.id,
      findings: [
        {
          check: "workspace",
          severity: "blocking",
          field: "workspace",
          problem: `Workspace ${request.workspace} already has a migration running (${active.id}, ${active.phase}).`,
          fix: "Let that migration finish, or cancel it from its status page, then start again.",
        },
      ],
    };
  if (!s.peig) return { findings: [] };
  const peig = await s.peig.getMigrationConfiguration();
  if (peig.state === "deleted")
    return {
      findings: [
        {
          check: "workspace",
          severity: "blocking",
          field: "workspace",
          problem: `Peig's migration configuration for this workspace was deleted on ${formatHuman(new Date(peig.deletedAt), request.timeZone)}: its user migration is over, and Peig never accepts a migration configuration again.`,
          fix: "Nothing to migrate here: go on with federation (Step 5 of Peig's runbook). If users still miss a Peig account, create it in Peig (MS365 Identifiers > Create Peig Account).",
        },
      ],
    };
  if (peig.state === "saved") {
    const ended = await Promise.all(
      (["cancelled", "failed"] as const).map((status) => s.store.listMigrations({ status })),
    );
    const adoptable = ended.flat().some((m) => m.runtime.app?.appId === peig.configuration.applicationId);
    if (!adoptable)
      return {
        findings: [
          {
            check: "workspace",
            severity: "blocking",
            field: "workspace",
            problem: `Another migration is using this Peig workspace: its migration configuration was saved on ${formatHuman(new Date(peig.configuration.savedAt), request.timeZone)} for the Entra app ${peig.configuration.applicationId}, which no ended migration of this app created. Starting would replace it.`,
            fix: "Let that migration finish (or cancel it where it was started). If it is a leftover nobody uses, ask the Peig admin to check Configuration > Microsoft 365 Active Provider > Migration before starting again.",
          },
        ],
      };
  }
  return { findings: [] };
}
