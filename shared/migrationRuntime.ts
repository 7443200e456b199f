/**
 * What the migration row keeps while the migration runs (its `runtime` column): the validated request, what
 * setup created, admin commands, and which one-time sends are done. Decoded and checked where the store reads
 * and writes the row, so a damaged or foreign row fails there, naming the field, not somewhere downstream.
 */
import { z } from "zod";
import { decodeOrThrow } from "./decode";
import type { Exemption } from "./domain/exemptions";
import type { OperatorReports } from "./domain/figures";
import type { PersonalDeadline } from "./domain/personalDeadlines";
import type { OutOfOfficeCheck } from "./domain/outOfOffice";
import type { MailRuntime } from "./domain/mailPlan";
import type { Wave, WaveProgress } from "./domain/waves";
import type { InstantiatedApp, MigrationApp } from "./entra/port";
import type {
  Attention,
  ChecklistItem,
  MigrationRequest,
  MigrationCounts,
  PeigMode,
  Phase2Outcome,
  WorkflowTimings,
} from "./workflow";

export interface MigrationRuntime {
  request: MigrationRequest;
  peigMode: PeigMode;
  taskLinkTtlMs: number;
  /** The workflow's timings from the settings at start. */
  timings: WorkflowTimings;
  server?: string;
  /** What setup made in Entra (the certificate is the public one Peig needs, not a secret). */
  app?: Omit<MigrationApp, "created">;
  /** The ids instantiate answered with, stored before anything else is done with the new app (a rerun finds it by them). */
  instantiatedApp?: InstantiatedApp;

  commands: {
    cancelRequested?: { reason: string; by: string; at: string };
    /** Set by an admin after a rejected or expired approval round; consumed by the next round. */
    approvalRequested?: boolean;
    /** "Try again now" while the migration needs attention (the latest one counts). */
    resumeRequested?: { by: string; at: string };
    /** "Ask for the pilot review again" while the next wave is on hold (the latest one counts). */
    pilotReviewRequested?: { by: string; at: string };
  };
  /** A step that keeps failing, as the orchestration last recorded it; absent when all is well. */
  attention?: Attention;
  /** Pending requests whose typed e-mail matches nobody in scope (the latest monitor's, at most 50): Approve or Deny by hand. */
  unmatchedRequests?: { email: string; displayName: string; submittedAt: string; reason: string }[];
  /** How Phase 2 ended (recorded with the move to verification; absent before it). */
  phase2?: Phase2Outcome;
  /** Operator mode: what the Peig admin read in Peig when confirming each task (checked before it was accepted). */
  operatorReports?: OperatorReports;
  /** The latest verified checklist (what approvers see as evidence). */
  checklist?: ChecklistItem[];
  deletionStartedAt?: string;
  /** operator mode: the newest sign-in to the migration app already recorded on the user rows (the next pass reads from about there). */
  signInCursor?: { newestSeen: string };
  /** People an admin exempted, each with the reason (shared/domain/exemptions.ts). */
  exemptions?: Exemption[];
  /** People an admin gave a later deadline of their own, one at a time (shared/domain/personalDeadlines.ts). */
  personalDeadlines?: PersonalDeadline[];
  /** The latest approval round's out-of-office check: who was away and not asked, whose replies could not be read. */
  outOfOffice?: OutOfOfficeCheck;
  /** operator mode: when the last pass read the sign-in log (the figures hold sign-ins up to this less SIGN_IN_LOG_LATENCY). */
  signInsReadAt?: string;
  /** Keys of one-time sends already done (invitation and reminder batches, task mails). */
  sent: string[];
  /** What each sender mailbox sent in the last 24 hours, the send still waiting for room, where bounces were read up to. */
  mail?: MailRuntime;
  /** When the admins' last digest went and the counts it reported (the next one waits ADMIN_DIGEST_INTERVAL). */
  lastDigest?: { at: string; counts: MigrationCounts };
  /** A migration with waves: where each wave is (started, its pilot review), as the orchestration recorded it. */
  waves?: WaveProgress[];
}

const text = z.string();
const texts = z.array(z.string());
/** Nested records written only by this app: checked to be objects; their fields are the writers' to keep. */
const record = <T>() =>
  z.custom<T>((value) => typeof value === "object" && value !== null && !Array.isArray(value), {
    message: "expected an object",
  });
const who = z.looseObject({ by: text, at: text });

const requestSchema = z.looseObject({
  workspace: text,
  domain: text,
  idpEntityId: text.optional(),
  deadline: text,
  reminders: texts,
  monitorEvery: text,
  includeGroups: texts.optional(),
  excludeGroups: texts.optional(),
  excludeGuests: z.boolean().optional(),
  excludeDisabledAccounts: z.boolean().optional(),
  excludeUnlicensed: z.boolean().optional(),
  scopeGroupId: text.optional(),
  approvers: texts,
  requiredApprovals: z.number(),
  fallbackApprovers: texts.optional(),
  escalateAfter: text.optional(),
  admins: texts,
  phase2: z.enum(["auto", "approve", "skip"]),
  endEarly: z.boolean(),
  personalisedReminders: z.boolean().optional(),
  timeZone: text.optional(),
  note: text.optional(),
  waves: z.array(record<Wave>()).optional(),
}) satisfies z.ZodType<MigrationRequest>;

// Unknown fields are kept (loose): a row written by a newer version loses nothing when an older one updates it.
const runtimeSchema = z.looseObject({
  request: requestSchema,
  peigMode: z.enum(["api", "operator"]) satisfies z.ZodType<PeigMode>,
  taskLinkTtlMs: z.number(),
  timings: record<WorkflowTimings>(),
  server: text.optional(),
  app: record<Omit<MigrationApp, "created">>().optional(),
  instantiatedApp: record<InstantiatedApp>().optional(),
  commands: z.looseObject({
    cancelRequested: who.extend({ reason: text }).optional(),
    approvalRequested: z.boolean().optional(),
    resumeRequested: who.optional(),
    pilotReviewRequested: who.optional(),
  }),
  attention: record<Attention>().optional(),
  unmatchedRequests: z.array(record<NonNullable<MigrationRuntime["unmatchedRequests"]>[number]>()).optional(),
  phase2: record<Phase2Outcome>().optional(),
  operatorReports: record<OperatorReports>().optional(),
  checklist: z.array(record<ChecklistItem>()).optional(),
  deletionStartedAt: text.optional(),
  signInCursor: z.looseObject({ newestSeen: text }).optional(),
  signInsReadAt: text.optional(),
  exemptions: z.array(record<Exemption>()).optional(),
  personalDeadlines: z.array(record<PersonalDeadline>()).optional(),
  outOfOffice: record<OutOfOfficeCheck>().optional(),
  sent: texts,
  mail: record<MailRuntime>().optional(),
  lastDigest: record<NonNullable<MigrationRuntime["lastDigest"]>>().optional(),
  waves: z.array(record<WaveProgress>()).optional(),
}) satisfies z.ZodType<MigrationRuntime>;

/**
 * The runtime of `migrationId`, checked (on every write of its row, and on reading a text not checked lately:
 * shared/store/codecs.ts); throws naming the first field that does not fit.
 */
export const decodeRuntime = (value: unknown, migrationId: string): MigrationRuntime =>
  decodeOrThrow(runtimeSchema, value, `migration ${migrationId}: runtime`);
