/**
 * Names and JSON shapes shared by the orchestrations, the activities and the HTTP functions. Orchestration
 * and event names are constants used both where a function is registered and where it is called (activity
 * names are the keys of activities/index.ts, and their inputs and results its handlers' types).
 * Nothing here may hold a secret: Durable persists orchestration inputs, outputs and custom status.
 */

import type { ChecklistItem } from "./domain/checklist";
import type { StoredCounts } from "./domain/figures";
import type { Wave } from "./domain/waves";

export type { ChecklistItem };

/** Where the in-scope users stand (one reconciliation pass): carried by the orchestration, kept on the migration row. */
export type MigrationCounts = StoredCounts;

export const Orchestrations = {
  migration: "migration",
  phase2Batch: "createPeigAccountsBatch",
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

/** The phases a migration ends in; each is also the migration row's final status. */
export type FinalPhase = Extract<Phase, "completed" | "cancelled" | "failed">;
const finalPhases: readonly string[] = ["completed", "cancelled", "failed"] satisfies FinalPhase[];
export const isFinalPhase = (phase: string): phase is FinalPhase => finalPhases.includes(phase);

/** The validated start request, as the orchestration carries it (no secrets). */
export interface MigrationRequest {
  workspace: string;
  domain: string;
  idpEntityId?: string;
  deadline: string;
  reminders: string[];
  monitorEvery: string;
  /** Who is in scope (`migrationScope` in shared/domain/scope.ts reads these; absent switches are on). */
  includeGroups?: string[];
  excludeGroups?: string[];
  excludeGuests?: boolean;
  excludeDisabledAccounts?: boolean;
  excludeUnlicensed?: boolean;
  /** Migrations started before include groups existed: their one scope group. */
  scopeGroupId?: string;
  approvers: string[];
  requiredApprovals: number;
  /** Asked too when an approval round has no quorum `escalateAfter` (ISO 8601 duration) after it opened. */
  fallbackApprovers?: string[];
  escalateAfter?: string;
  admins: string[];
  phase2: "auto" | "approve" | "skip";
  endEarly: boolean;
  personalisedReminders?: boolean;
  /** IANA zone the e-mails and pages show dates in (absent: UTC). */
  timeZone?: string;
  /** The admins' own line in the invitation and reminders (plain text). */
  note?: string;
  /** Ordered waves (shared/domain/waves.ts); absent: one wave, everyone in scope. */
  waves?: Wave[];
}

/**
 * The workflow's own timings, read from the settings once at start (so a shortened conformance or demo
 * run takes the same code path with other numbers). Milliseconds.
 */
export interface WorkflowTimings {
  /** GATE_REMINDER_INTERVAL: how often the undecided of an open human gate get a fresh link. */
  gateReminderMs: number;
  /** STEP_RETRY_DELAYS: waits before the quick re-tries of a failed step; when they are used up, the migration needs attention. */
  stepRetryMs: number[];
  /** ATTENTION_RETRY_DELAYS: waits between tries while it needs attention (the last one repeats). */
  attentionRetryMs: number[];
  /** ATTENTION_RETRY_FOR: how long after the first failure it keeps trying by itself; then only resume or cancel. */
  attentionRetryForMs: number;
}

/** A human gate that is open: what every wake-up needs to decide, carried across continueAsNew. */
export interface OpenGate {
  purpose: HumanTaskPurpose;
  round: number;
  id: string;
  required: number;
  expiresAt: string;
  nextReminderAt: string;
  /** When the links went out. */
  openedAt: string;
  /** Approvals with fallback approvers: when the round goes to them too if it has no quorum yet. */
  escalateAt?: string;
  /** The fallback approvers were asked. */
  escalated?: boolean;
  /** Approvers out of office for the whole round: not asked (the fallback approvers were, at once). */
  away?: string[];
}

/**
 * Which outside service a failed step was talking to; "people" when it waits on a person who did not do what a task
 * asked (no try of the app's own can help: it needs attention at once, and goes on when an admin resumes it).
 */
export type FailedService = "graph" | "peig" | "store" | "app" | "people";

/** Why a step (one activity) failed, in a form that survives Durable's string-only failure details. */
export interface StepFailure {
  step: string;
  service: FailedService;
  /** HTTP status, when the service answered; null when it did not (network, timeout) or there was no HTTP call. */
  status: number | null;
  code?: string;
  message: string;
  /** The likely fix, for the status page and the admins' e-mail. */
  fix: string;
  /**
   * A failure known to clear up by itself within this long (e.g. a setting Entra is still propagating): retried on
   * the quick schedule without needing attention until this long after the first failure.
   */
  patienceMs?: number;
}

/** A step that keeps failing: the migration waits and tries again; after the quick re-tries, it needs attention. */
export interface Attention extends StepFailure {
  /** Numbered per migration: the admins get one e-mail per incident. */
  incident: number;
  since: string;
  failures: number;
  lastAttemptAt: string;
  /** Absent once it stopped trying by itself (only resume or cancel go on). */
  nextAttemptAt?: string;
  /** The quick re-tries are used up: shown and mailed as "needs attention". */
  needed: boolean;
  /** Failures while the failure's patience lasted: the usual schedule counts from after them. */
  patientFailures?: number;
}

/** The orchestration's input, carried across continueAsNew. */
export interface MigrationState {
  migrationId: string;
  request: MigrationRequest;
  peigMode: PeigMode;
  /** How long e-mailed task links stay valid (TASK_LINK_TTL, read once at start). */
  taskLinkTtlMs: number;
  timings: WorkflowTimings;
  phase: Phase;
  /** The current deadline (an admin may extend it). */
  deadline: string;
  /**
   * Later deadlines an admin gave single people (distinct instants, ISO 8601; absent when none): their reminders
   * count down to them, and the window closes at the latest. Who has which stays on the migration row.
   */
  personalDeadlines?: string[];
  /** Setup steps done, so a re-try goes on from the failed one (what they made is in the store). */
  setup?: { serverResolved?: boolean; appCreated?: boolean };
  window: {
    invited: boolean;
    /** Keys `label@deadline` of reminders already sent: an extended deadline schedules them again. */
    remindersSent: string[];
    lastMonitorAt?: string;
    counts?: MigrationCounts;
    cycles: number;
    /** A migration with waves: the wave now running or next to start (absent: no waves, or not begun). */
    wave?: WaveCursor;
  };
  /** Phase 2 progress; `nextBatch`/`batches` while batches are still running. */
  phase2?: {
    created: number;
    failed: number;
    skipped: boolean;
    nextBatch?: number;
    batches?: number;
    /** Waves tried again after a failure (new sub-orchestration ids). */ waveRetries?: number;
  };
  checklist?: ChecklistItem[];
  approvalRound: number;
  /** Operator mode: rounds of the Peig admin's confirmation of the checklist in Peig itself. */
  peigChecklistRound?: number;
  /**
   * Operator mode: the Peig admin's Phase 2 task, asked in rounds (orchestrations/peigAccountsTask.ts): the round
   * asked last or next, the last one asked before the migration needs attention, and what comes next when `round`
   * is not open: "ask" it (decided, not opened yet), or "resume" (it needs attention; an admin's resume asks again).
   */
  peigAccounts?: { round: number; lastRound: number; next?: "ask" | "resume" };
  /** The checklist gap the admins were last told about (verification re-checks without repeating it). */
  notReadyNotified?: string;
  /** Why the migration stopped, when it did not complete. */
  stoppedBecause?: string;
  /** The human gate open now, if any. */
  gate?: OpenGate;
  /** The approval round ended (rejected or expired): waiting for an admin to ask again. */
  approvalEnded?: { outcome: "rejected" | "expired"; notified: boolean };
  /** Phase 2 with `phase2: "approve"`: the approvers said yes. */
  phase2Approved?: boolean;
  /** Closing: deletion started (the ETag-guarded mark is set); the Peig configuration is gone once `configurationDeleted`. */
  closing?: { configurationDeleted: boolean };
  /** A step that failed and is being tried again. */
  attention?: Attention;
  /** The admin's latest resume already acted on (AdminCommands.resumeRequested.at). */
  resumeSeen?: string;
  /**
   * The time the timer that ended the previous execution's wait was set for: the next execution decides as
   * if at least that late, since Azure Storage may deliver a TimerFired slightly early (orchestrations/common.ts).
   */
  timerDueAt?: string;
  /** Incidents so far (numbers the next one). */
  incidents?: number;
  /** The Peig admin's merge task for mistyped requests: rounds so far, and the one open now. */
  merges?: { round: number; gate?: OpenGate; /** Requests the open round lists. */ requests?: number };
}

/** Where the onboarding window is among the waves (orchestrations/runOnboardingWindow.ts). */
export interface WaveCursor {
  /** The wave now running, or the next to start. */
  index: number;
  /** Its invitation went out; `invited`, `remindersSent` of the window are then this wave's. */
  started: boolean;
  /** Its pilot review was approved ("Go on"). */
  reviewed?: boolean;
  /** Its pilot review ended without "Go on": the wave waits for an admin to ask for the review again. */
  held?: { outcome: "rejected" | "expired"; notified: boolean };
  /** The admin's latest request for the review again already acted on (AdminCommands.pilotReviewRequested.at). */
  reviewAskedSeen?: string;
  /** Pilot review rounds so far in this migration (numbers the next one). */
  reviewRounds?: number;
}

/** Published as custom status: what the admin sees while the orchestration runs. */
export interface MigrationProgress {
  phase: Phase;
  deadline: string;
  nextReminder?: string;
  counts?: MigrationCounts;
  approvalRound: number;
  waitingFor?: string;
  needsAttention?: Pick<Attention, "step" | "service" | "status" | "fix" | "since" | "nextAttemptAt">;
  /** The people the workflow waits on now, if any (who and what; the links are only in their e-mails). */
  waitingOn?: WaitingOn[];
  updatedAt: string;
}

export interface WaitingOn {
  /** The addresses the task links were e-mailed to. */
  who: string[];
  what: string;
  /** When the links went out (ISO). */
  since?: string;
  expiresAt: string;
}

/** The commands an admin may give a running migration (the JSON API's routes and the status page's buttons). */
export const adminActions = [
  "extendDeadline",
  "cancel",
  "requestApprovalAgain",
  "resume",
  "exemptPerson",
  "resendInvitation",
  "extendPersonDeadline",
  "requestPilotReview",
] as const;
export type AdminAction = (typeof adminActions)[number];

export interface AdminCommands {
  deadline: string;
  /** The distinct personal deadlines later than `deadline` (absent when none). */
  personalDeadlines?: string[];
  cancelRequested?: { reason: string; by: string; at: string };
  approvalRequested?: boolean;
  /** The latest "try again now" while the migration needs attention. */
  resumeRequested?: { by: string; at: string };
  /** The latest "ask for the pilot review again" while the next wave is on hold. */
  pilotReviewRequested?: { by: string; at: string };
}

export type HumanTaskPurpose =
  | "deletionApproval"
  | "phase2Approval"
  | "peigConfiguration"
  | "peigAccounts"
  | "peigChecklist"
  | "peigDeletion"
  | "peigMerges"
  | "pilotReview";

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

export interface Verification {
  checklist: ChecklistItem[];
  readyForDeletion: boolean;
  /** One line per unmet gating item, with its evidence (what compareWithApproved says on a re-check). */
  reasons: string[];
}

/**
 * Phase 2 batches in flight at once (orchestrations/createMissingPeigAccounts.ts, phase2Concurrency);
 * also the share an activity scheduled without `peers` (before they were passed) keeps to.
 */
export const PHASE2_BATCHES_AT_ONCE = 8;

/**
 * A Phase 2 batch's sub-orchestration id. A wave tried again after a failure gets new ids (`-r<n>`, n the waves
 * retried so far): a finished sub-orchestration's id is taken.
 */
export const phase2BatchInstanceId = (migrationId: string, batch: number, waveRetries?: number) =>
  `${migrationId}-phase2-${batch}${waveRetries ? `-r${waveRetries}` : ""}`;

/** Whether `instanceId` is one of the migration's Phase 2 batches (the history purge finds them by it). */
export const isPhase2InstanceOf = (migrationId: string, instanceId: string) =>
  instanceId.startsWith(`${migrationId}-phase2-`);

/**
 * Operator mode: rounds of the Peig admin's Phase 2 task in a row (each expired unanswered, or confirmed while
 * accounts are still missing) before the migration needs attention instead of asking again.
 */
export const PEIG_ACCOUNTS_ROUNDS = 3;

export interface Phase2Plan {
  users: number;
  batches: number;
}

export interface BatchResult {
  created: number;
  failed: number;
  /** The batch stopped on a service failure (nothing is lost: created accounts are recorded per user). */
  failure?: StepFailure;
}

/** How Phase 2 ended: accounts created and failed, or skipped (not needed, not approved, or `phase2: "skip"`). */
export type Phase2Outcome = { created: number; failed: number; skipped: boolean };

export const gateId = (purpose: HumanTaskPurpose, round: number) => `${purpose}-${round}`;
/** The round a gate id names (1 for a task of no round). */
export const gateRound = (gate: string | undefined) => Number(/-(\d+)$/.exec(gate ?? "")?.[1] ?? 1);

/** The orchestration's first input, from what the start stored in the migration row. */
export function initialState(
  migrationId: string,
  start: { request: MigrationRequest; peigMode: PeigMode; taskLinkTtlMs: number; timings: WorkflowTimings },
): MigrationState {
  return {
    migrationId,
    request: start.request,
    peigMode: start.peigMode,
    taskLinkTtlMs: start.taskLinkTtlMs,
    timings: start.timings,
    phase: "setup",
    deadline: start.request.deadline,
    window: { invited: false, remindersSent: [], cycles: 0 },
    approvalRound: 0,
  };
}
