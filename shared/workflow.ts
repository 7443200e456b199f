/**
 * Names and JSON shapes shared by the orchestrations, the activities and the HTTP functions. Function
 * and event names are constants used both where a function is registered and where it is called.
 * Nothing here may hold a secret: Durable persists orchestration inputs, outputs and custom status.
 */

import type { ChecklistItem } from "./domain/checklist";
import type { MigrationCounts as OnboardingCounts } from "./store/port";

export type { ChecklistItem };
/** The per-migration counts, as the store keeps them. */
export type { OnboardingCounts };

export const Orchestrations = {
  migration: "migration",
  phase2Batch: "createPeigAccountsBatch",
} as const;

export const Activities = {
  resolvePeigServer: "resolvePeigServer",
  createMigrationApp: "createMigrationApp",
  configurePeigMigration: "configurePeigMigration",
  openHumanTasks: "openHumanTasks",
  tallyHumanTasks: "tallyHumanTasks",
  remindHumanTasks: "remindHumanTasks",
  closeHumanTasks: "closeHumanTasks",
  sendInvitations: "sendInvitations",
  sendReminders: "sendReminders",
  monitorOnboarding: "monitorOnboarding",
  readAdminCommands: "readAdminCommands",
  planPhase2: "planPhase2",
  createPeigAccounts: "createPeigAccounts",
  verifyChecklist: "verifyChecklist",
  recordPhase: "recordPhase",
  beginDeletion: "beginDeletion",
  deletePeigMigrationConfiguration: "deletePeigMigrationConfiguration",
  deleteMigrationApp: "deleteMigrationApp",
  writeReport: "writeReport",
  notifyAdmins: "notifyAdmins",
} as const;

/** The one external event: "something changed in the store, look again" (admin command or task decision). */
export const Events = { wake: "wake" } as const;

export type PeigMode = "api" | "operator";

export type Phase =
  | "setup"
  | "onboarding"
  | "phase2"
  | "verification"
  | "approval"
  | "closing"
  | "report"
  | "completed"
  | "cancelled"
  | "failed";

/** The validated start request, as the orchestration carries it (no secrets). */
export interface MigrationRequest {
  workspace: string;
  domain: string;
  idpEntityId?: string;
  deadline: string;
  reminders: string[];
  monitorEvery: string;
  scopeGroupId?: string;
  approvers: string[];
  requiredApprovals: number;
  admins: string[];
  phase2: "auto" | "approve" | "skip";
  endEarly: boolean;
  personalisedReminders?: boolean;
}



/** The orchestration's input, carried across continueAsNew. */
export interface MigrationState {
  migrationId: string;
  request: MigrationRequest;
  peigMode: PeigMode;
  /** How long e-mailed task links stay valid (TASK_LINK_TTL, read once at start). */
  taskLinkTtlMs: number;
  phase: Phase;
  /** The current deadline (an admin may extend it). */
  deadline: string;
  server?: string;
  app?: { appId: string; thumbprint: string; certificateNotAfter: string };
  window: {
    invited: boolean;
    /** Keys `label@deadline` of reminders already sent: an extended deadline schedules them again. */
    remindersSent: string[];
    lastMonitorAt?: string;
    counts?: OnboardingCounts;
    cycles: number;
  };
  /** Phase 2 progress; `nextBatch`/`batches` while batches are still running. */
  phase2?: { created: number; failed: number; skipped: boolean; nextBatch?: number; batches?: number };
  checklist?: ChecklistItem[];
  approvalRound: number;
  /** Operator mode: rounds of the Peig admin's confirmation of the checklist in Peig itself. */
  peigChecklistRound?: number;
  /** The checklist gap the admins were last told about (verification re-checks without repeating it). */
  notReadyNotified?: string;
  /** Why the migration stopped, when it did not complete. */
  stoppedBecause?: string;
}

/** Published as custom status: what the admin sees while the orchestration runs. */
export interface MigrationProgress {
  phase: Phase;
  deadline: string;
  nextReminder?: string;
  counts?: OnboardingCounts;
  approvalRound: number;
  waitingFor?: string;
  updatedAt: string;
}

export interface AdminCommands {
  deadline: string;
  cancelRequested?: { reason: string; by: string; at: string };
  approvalRequested?: boolean;
}

export type HumanTaskPurpose = "deletionApproval" | "phase2Approval" | "peigConfiguration" | "peigAccounts" | "peigChecklist" | "peigDeletion";

export interface OpenHumanTasksInput {
  migrationId: string;
  purpose: HumanTaskPurpose;
  round: number;
  /** ISO time after which the links stop working. */
  expiresAt: string;
}

export interface HumanTaskTally {
  gate: string;
  approvals: string[];
  rejections: { by: string; reason?: string }[];
  done: string[];
  open: number;
}

export const gateId = (purpose: HumanTaskPurpose, round: number) => `${purpose}-${round}`;
