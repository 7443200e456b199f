/**
 * Verification and the irreversible end: the checklist from fresh state, the ETag-guarded "deletion
 * started" mark (a cancellation and a deletion cannot both win), and the two deletions, each
 * tolerant of "already gone" so a retry is harmless.
 */
import { compareWithApproved, readyForDeletion } from "../shared/domain/checklist";
import { freshChecklist } from "../shared/migrationChecklist";
import { loadMigration, updateRuntime } from "../shared/migrationRecord";
import type { ApiModeServices, Services } from "../shared/services";
import type { ChecklistItem, Verification } from "../shared/workflow";
import { apiModeOnly } from "./apiModeOnly";

export async function verifyChecklist(
  input: { migrationId: string; approved?: ChecklistItem[] },
  s: Services,
): Promise<Verification> {
  const { runtime } = await loadMigration(s, input.migrationId);
  const checklist = await freshChecklist(s, input.migrationId, runtime, runtime.phase2 ?? null);
  const recheck = input.approved
    ? compareWithApproved(input.approved, checklist)
    : { ready: readyForDeletion(checklist), reasons: [] as string[] };
  await updateRuntime(s, input.migrationId, (rt) => void (rt.checklist = checklist));
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: input.approved ? "checklist.rechecked" : "checklist.verified",
    details: {
      ready: recheck.ready,
      items: checklist.map((i) => ({ id: i.id, met: i.met })),
      reasons: recheck.reasons,
    },
  });
  return { checklist, readyForDeletion: recheck.ready, reasons: recheck.reasons };
}

/** Marks "deletion started" unless a cancellation got there first; from then on cancel is refused. */
export async function beginDeletion(
  input: { migrationId: string; instanceId: string },
  s: Services,
): Promise<{ ok: boolean; reason?: string }> {
  let refused: string | undefined;
  await updateRuntime(s, input.migrationId, (rt) => {
    if (rt.commands.cancelRequested) {
      refused = `cancelled by ${rt.commands.cancelRequested.by}`;
      return false;
    }
    if (rt.deletionStartedAt) return false;
    rt.deletionStartedAt = s.clock.now().toISOString();
  });
  if (refused) return { ok: false, reason: refused };
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "deletion.started",
    details: {},
    instanceId: input.instanceId,
  });
  return { ok: true };
}

export async function deletePeigMigrationConfiguration(
  input: { migrationId: string },
  s: ApiModeServices,
): Promise<"deleted" | "alreadyDeleted"> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.deletionStartedAt) throw new Error("refusing to delete: deletion was not started through beginDeletion");
  const result = await s.peig.deleteMigrationConfiguration();
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "peig.migrationConfig.deleted",
    details: { result },
  });
  return result;
}

export async function deleteMigrationApp(
  input: { migrationId: string },
  s: Services,
): Promise<{ servicePrincipal: string; application: string }> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.deletionStartedAt) throw new Error("refusing to delete: deletion was not started through beginDeletion");
  if (!runtime.app) return { servicePrincipal: "alreadyGone", application: "alreadyGone" };
  const result = await s.entra.deleteMigrationApp({ appId: runtime.app.appId });
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "entraApp.deleted",
    details: { appId: runtime.app.appId, ...result },
  });
  return result;
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const closingActivities = {
  verifyChecklist,
  beginDeletion,
  deletePeigMigrationConfiguration: apiModeOnly(deletePeigMigrationConfiguration),
  deleteMigrationApp,
};
