/**
 * Runbook "Users & Access": pending requests whose typed e-mail is not the Microsoft 365 account's are
 * Merged into the right account. The app plans a round when new ones appear (the Peig admin confirms on
 * a task page) and, once confirmed, merges through the Peig API: each request read again first, each
 * merge audited, a repeat harmless (a merged request is no longer pending; Peig takes the same Merge again).
 */
import { mergeAction, mergeList, newRequests, type MergeItem, type MergeList } from "../shared/domain/merges";
import { loadMigration, type MigrationRuntime } from "../shared/migrationRecord";
import type { ApiModeServices, Services } from "../shared/services";
import { currentReconciliation } from "../shared/reconciliationPass";
import { isPerUserFailure } from "../shared/stepFailure";
import { gateId } from "../shared/workflow";
import { apiModeOnly } from "./apiModeOnly";

/** Merge rounds' gates are `peigMerges-<round>` (gateId). */
const isMergeGate = (gate: string | undefined) => gate?.startsWith("peigMerges-") === true;

/** Whether round `round` is due: some request holding up the checklist is in no earlier round's task. */
export async function planMerges(
  input: { migrationId: string; round: number },
  s: Services,
): Promise<{ asks: number; requests: number }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  // The monitor pass or check just before counted them: nothing mismatched, nothing to read again.
  if (record.counts.mismatched === 0) return { asks: 0, requests: 0 };
  const list = await currentMergeList(s, runtime);
  const asks = newRequests(list, await coveredRequests(s, input.migrationId)).length;
  return { asks, requests: list.merges.length + list.manual.length };
}

/** The list a merge task shows, read fresh when the task opens. */
export async function currentMergeList(s: Services, runtime: MigrationRuntime): Promise<MergeList> {
  return mergeList(await currentReconciliation(runtime, s, undefined));
}

/** Request ids listed by any merge task so far, open or decided. */
async function coveredRequests(s: Services, migrationId: string): Promise<Set<string>> {
  const tasks = (await s.store.listTasks(migrationId)).filter((t) => isMergeGate(t.gate));
  const covered = new Set<string>();
  for (const task of tasks) {
    const list = task.payload.merges;
    for (const item of [...(list?.merges ?? []), ...(list?.manual ?? [])]) covered.add(item.requestId);
  }
  return covered;
}

/** The confirmed round's merges, through the Peig API. A service failure throws (the step is tried again); one request refused is recorded and the rest go on. */
export async function performMerges(
  input: { migrationId: string; round: number },
  s: ApiModeServices,
): Promise<{ merged: number; alreadyHandled: number; failed: number }> {
  const peig = s.peig;
  const gate = gateId("peigMerges", input.round);
  const [task] = await s.store.listTasks(input.migrationId, { gate });
  const items = task?.payload.merges?.merges ?? [];
  const pending = new Set((await peig.listPendingRequests()).map((r) => r.id));
  const result = { merged: 0, alreadyHandled: 0, failed: 0 };
  const audit = (action: string, item: MergeItem, details: Record<string, unknown>) =>
    s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action,
      details: {
        gate,
        requestId: item.requestId,
        typedEmail: item.typedEmail,
        userPrincipalName: item.userPrincipalName,
        ...details,
      },
    });
  for (const item of items) {
    try {
      const action = mergeAction(item, {
        pending: pending.has(item.requestId),
        account: pending.has(item.requestId) ? await peig.getMicrosoft365Account(item.userId) : null,
      });
      if (action.kind === "skip") {
        result.alreadyHandled++;
        await audit("peig.request.notMerged", item, { why: action.why });
        continue;
      }
      const target =
        action.kind === "merge"
          ? { peigAccountId: action.targetUserId, created: false }
          : await peig.createPeigAccount(action.microsoft365UserId);
      await peig.mergeRequest(item.requestId, target.peigAccountId);
      result.merged++;
      await audit("peig.request.merged", item, { peigAccountId: target.peigAccountId, accountCreated: target.created });
    } catch (err) {
      if (!isPerUserFailure(err)) throw err;
      result.failed++;
      await audit("peig.request.mergeFailed", item, { error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const mergeActivities = { planMerges, performMerges: apiModeOnly(performMerges) };
