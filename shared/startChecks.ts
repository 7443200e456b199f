/**
 * `dryRun: true`: the plan a start would follow, computed from the real directory, with no side effects; and the
 * preflight, which the real start runs too before anything is created.
 */
import { serverFromIdpEntityId } from "./entra/entityIds";
import { dryRunPlan, type DryRunPlan } from "./domain/mailPlan";
import { preflightFindings, type PreflightFinding } from "./graph/preflight";
import type { Services } from "./services";
import type { MigrationRequest } from "./workflow";

export async function planDryRun(request: MigrationRequest, s: Services): Promise<DryRunPlan & { peigMode: string }> {
  const users = await s.entra.listUsersInScope({ domain: request.domain, groupId: request.scopeGroupId });
  return { ...dryRunPlan(request, users, s.clock.now(), s.mail.senders), peigMode: s.settings.PEIG_MODE };
}

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
    scopeGroup: request.scopeGroupId !== undefined,
    peigHost,
    domain: request.domain,
    now: s.clock.now(),
    cloud: s.settings.GRAPH_CLOUD,
  });
}
