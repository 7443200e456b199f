/** Every activity, registered under the name the orchestrations call it by. */
import * as df from "durable-functions";
import { Activities } from "../shared/workflow";
import { notifyAdmins, readAdminCommands, recordPhase, writeReport } from "./bookkeeping";
import { beginDeletion, deleteMigrationApp, deletePeigMigrationConfiguration, verifyChecklist } from "./closing";
import { closeHumanTasks, openHumanTasks, remindHumanTasks, tallyHumanTasks } from "./humanTasks";
import { monitorOnboarding, sendInvitations, sendReminders } from "./onboarding";
import { createPeigAccounts, planPhase2 } from "./phase2";
import { configurePeigMigration, createMigrationApp, resolvePeigServer } from "./setup";

// Each handler takes the activity input only; the services come from the process (shared/services.ts).
const handlers: Record<(typeof Activities)[keyof typeof Activities], (input: never) => Promise<unknown>> = {
  [Activities.resolvePeigServer]: (i) => resolvePeigServer(i),
  [Activities.createMigrationApp]: (i) => createMigrationApp(i),
  [Activities.configurePeigMigration]: (i) => configurePeigMigration(i),
  [Activities.openHumanTasks]: (i) => openHumanTasks(i),
  [Activities.tallyHumanTasks]: (i) => tallyHumanTasks(i),
  [Activities.remindHumanTasks]: (i) => remindHumanTasks(i),
  [Activities.closeHumanTasks]: (i) => closeHumanTasks(i),
  [Activities.sendInvitations]: (i) => sendInvitations(i),
  [Activities.sendReminders]: (i) => sendReminders(i),
  [Activities.monitorOnboarding]: (i) => monitorOnboarding(i),
  [Activities.readAdminCommands]: (i) => readAdminCommands(i),
  [Activities.planPhase2]: (i) => planPhase2(i),
  [Activities.createPeigAccounts]: (i) => createPeigAccounts(i),
  [Activities.verifyChecklist]: (i) => verifyChecklist(i),
  [Activities.recordPhase]: (i) => recordPhase(i),
  [Activities.beginDeletion]: (i) => beginDeletion(i),
  [Activities.deletePeigMigrationConfiguration]: (i) => deletePeigMigrationConfiguration(i),
  [Activities.deleteMigrationApp]: (i) => deleteMigrationApp(i),
  [Activities.writeReport]: (i) => writeReport(i),
  [Activities.notifyAdmins]: (i) => notifyAdmins(i),
};

export function registerActivities(): void {
  for (const [name, handler] of Object.entries(handlers)) df.app.activity(name, { handler: (input: unknown) => handler(input as never) });
}
