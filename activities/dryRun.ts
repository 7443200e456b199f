/** `dryRun: true`: the plan a start would follow, computed from the real directory, with no side effects. */
import { dryRunPlan, type DryRunPlan } from "../shared/domain/mailPlan";
import type { Services } from "../shared/services";
import type { MigrationRequest } from "../shared/workflow";

export async function planDryRun(request: MigrationRequest, s: Services): Promise<DryRunPlan & { peigMode: string }> {
  const users = await s.entra.listUsersInScope({ domain: request.domain, groupId: request.scopeGroupId });
  return { ...dryRunPlan(request, users, s.clock.now(), s.mail.senders), peigMode: s.settings.PEIG_MODE };
}
