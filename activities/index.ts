/** Every activity, registered under the name the orchestrations call it by, typed by the ActivityContract. */
import * as df from "durable-functions";
import { ActivityFailedError, describeFailure } from "../shared/stepFailure";
import type { ActivityInput, ActivityName, ActivityResult } from "../shared/workflow";
import { notifyAdmins, readAdminCommands, recordAttention, recordPhase, writeReport } from "./bookkeeping";
import { beginDeletion, deleteMigrationApp, deletePeigMigrationConfiguration, verifyChecklist } from "./closing";
import { closeHumanTasks, openHumanTasks, remindHumanTasks, tallyHumanTasks } from "./gateTasks";
import { performMerges, planMerges } from "./merges";
import { monitorOnboarding, sendInvitations, sendReminders } from "./onboarding";
import { createPeigAccounts, planPhase2 } from "./phase2";
import { configurePeigMigration, createMigrationApp, resolvePeigServer } from "./setup";

// Each handler takes the activity input only; the services come from the process (shared/services.ts).
const handlers: { [K in ActivityName]: (input: ActivityInput<K>) => Promise<ActivityResult<K>> } = {
  resolvePeigServer: (i) => resolvePeigServer(i),
  createMigrationApp: (i) => createMigrationApp(i),
  configurePeigMigration: (i) => configurePeigMigration(i),
  openHumanTasks: (i) => openHumanTasks(i),
  tallyHumanTasks: (i) => tallyHumanTasks(i),
  remindHumanTasks: (i) => remindHumanTasks(i),
  closeHumanTasks: (i) => closeHumanTasks(i),
  sendInvitations: (i) => sendInvitations(i),
  sendReminders: (i) => sendReminders(i),
  monitorOnboarding: (i) => monitorOnboarding(i),
  readAdminCommands: (i) => readAdminCommands(i),
  planPhase2: (i) => planPhase2(i),
  createPeigAccounts: (i) => createPeigAccounts(i),
  verifyChecklist: (i) => verifyChecklist(i),
  recordPhase: (i) => recordPhase(i),
  beginDeletion: (i) => beginDeletion(i),
  deletePeigMigrationConfiguration: (i) => deletePeigMigrationConfiguration(i),
  deleteMigrationApp: (i) => deleteMigrationApp(i),
  writeReport: (i) => writeReport(i),
  notifyAdmins: (i) => notifyAdmins(i),
  recordAttention: (i) => recordAttention(i),
  planMerges: (i) => planMerges(i),
  performMerges: (i) => performMerges(i),
};

/** A failure leaves as an ActivityFailedError: its message carries service, status and fix to the orchestration. */
function register<K extends ActivityName>(name: K): void {
  const handler = handlers[name] as (input: ActivityInput<K>) => Promise<ActivityResult<K>>;
  df.app.activity(name, {
    handler: async (input: unknown) => {
      try {
        return await handler(input as ActivityInput<K>);
      } catch (error) {
        throw new ActivityFailedError(describeFailure(name, error));
      }
    },
  });
}

export function registerActivities(): void {
  for (const name of Object.keys(handlers) as ActivityName[]) register(name);
}
