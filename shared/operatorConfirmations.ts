/**
 * Operator mode: the Peig admin's "I have done this", checked before it counts. The figures they read in Peig
 * (operatorSteps.ts names them) are compared with what the store knows; a confirmation that contradicts it is
 * refused with the difference named, and nothing is recorded. One that holds is recorded on the migration row
 * (`operatorReports`), where the figures, the checklist and the report read it.
 */
import type { OperatorReports } from "./domain/figures";
import { operatorStepOf } from "./taskPayloads";
import { loadMigration, recordFigures, updateRuntime } from "./migrationRecord";
import { checkConfirmation, type KnownFacts } from "./peig/operatorSteps";
import type { Services } from "./services";
import type { TaskRecord } from "./store";

export type ConfirmationOutcome = { ok: true } | { ok: false; problems: { field: string; message: string }[] };

/** What the store knows that a confirmation of `task` is compared with. */
async function knownFacts(s: Services, migrationId: string): Promise<KnownFacts> {
  const { record, runtime } = await loadMigration(s, migrationId);
  const figures = recordFigures(record);
  // Rows written before the migration row counted Phase 2's listed users: count them on the user rows.
  const listed =
    record.counts.phase2Planned ?? (await s.store.getUsers(migrationId)).filter((u) => u.phase2.planned).length;
  return {
    applicationId: runtime.app?.appId,
    listedForPhase2: listed,
    inScope: figures.inScope.value,
    exempted: figures.exempted.value,
    awaitingFirstSignIn: figures.awaitingFirstSignIn.value,
  };
}

/**
 * Checks the figures a "done" on an operator task carries and, when they hold, records them. Tasks that ask for
 * no figure (approvals, the api-mode merge task) pass unchanged.
 */
export async function checkAndRecordConfirmation(
  s: Services,
  task: Pick<TaskRecord, "migrationId" | "payload">,
  entered: (name: string) => string | null,
  by: string,
): Promise<ConfirmationOutcome> {
  const kind = operatorStepOf(task.payload.purpose);
  if (!kind) return { ok: true };
  const check = checkConfirmation(kind, entered, await knownFacts(s, task.migrationId));
  if (!check.ok) return check;
  const at = s.clock.now().toISOString();
  const f = check.figures;
  const report: OperatorReports = {
    saveMigrationConfiguration: { configuration: { applicationId: String(f.applicationId), by, at } },
    createPeigAccounts: {
      phase2: { created: Number(f.created), alreadyLinked: Number(f.alreadyLinked), failed: Number(f.failed), by, at },
    },
    confirmOnboardingComplete: {
      checklist: {
        pendingRequests: Number(f.pendingRequests),
        notOnboarded: Number(f.notOnboarded),
        linkedAccounts: Number(f.linkedAccounts),
        by,
        at,
      },
    },
    deleteMigrationConfiguration: { deletion: { configurationsShown: Number(f.configurationsShown), by, at } },
    resolvePendingRequests: {},
  }[kind];
  await updateRuntime(s, task.migrationId, (rt) => void (rt.operatorReports = { ...rt.operatorReports, ...report }));
  return { ok: true };
}
