/**
 * The workflow's records as sentences for people: tasks and rounds ("round 1 of the deletion approval"), who did
 * something ("the workflow", an address), and every audit entry ("cio@contoso.com approved round 1 of the deletion
 * approval"). Pages and e-mails say these; only the JSON API shows the records as they are stored.
 */
import { describeIsoDuration } from "./duration";
import { formatHuman } from "./humanTime";
import { plural } from "./plural";
import type { FailedService, HumanTaskPurpose } from "../workflow";

const PURPOSES: Record<HumanTaskPurpose, string> = {
  deletionApproval: "the deletion approval",
  phase2Approval: "the Phase 2 approval",
  peigConfiguration: "the Peig admin's task to save the migration configuration",
  peigAccounts: "the Peig admin's task to create the missing accounts",
  peigChecklist: "the Peig admin's confirmation that everyone is onboarded",
  peigDeletion: "the Peig admin's task to delete the migration configuration",
  peigMerges: "the Peig admin's merge task",
  pilotReview: "the pilot review",
};

const PHASES: Record<string, string> = {
  setup: "setup",
  onboarding: "onboarding window",
  phase2: "Phase 2",
  verification: "verification",
  approval: "approval",
  closing: "closing",
  report: "report",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
};

/** A phase as people name it ("Phase 2", "onboarding window"). */
export const phaseInWords = (phase: string): string => PHASES[phase] ?? phase;

export const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** "round 1 of the deletion approval" for the gate id "deletionApproval-1"; other text as it is. */
export function gateInWords(gate: string | null | undefined): string {
  const match = /^([A-Za-z0-9]+)-(\d+)$/.exec(gate ?? "");
  const purpose = match && PURPOSES[match[1] as HumanTaskPurpose];
  if (!match || !purpose) return gate === "all" || !gate ? "every open task" : gate;
  return `round ${match[2]} of ${purpose}`;
}

/** Who did it: "the workflow" for the system, the address or name otherwise. */
export function actorInWords(actor: string): string {
  if (actor === "system") return "the workflow";
  const [, who] = /^(?:admin|approver):(.*)$/.exec(actor) ?? [];
  return who === "function key" ? "an admin (function key)" : (who ?? actor);
}

const DECISIONS: Record<string, string> = { approve: "approved", reject: "rejected", done: "confirmed" };
const OUTCOMES: Record<string, string> = {
  approved: "approved",
  rejected: "rejected",
  done: "done",
  expired: "expired",
  cancelled: "the migration was cancelled",
  notNeeded: "no longer needed",
};

type Details = Record<string, unknown>;

const list = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(", ") : String(value ?? ""));

/** Any stored value in words: dates in the zone, ISO durations spelled out, lists joined, objects as "key value". */
export function valueInWords(value: unknown, timeZone?: string): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.map((v) => valueInWords(v, timeZone)).join(", ");
  if (typeof value === "object")
    return Object.entries(value as Details)
      .map(([k, v]) => `${wordsOfKey(k)} ${valueInWords(v, timeZone)}`)
      .join(", ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})$/.test(text)) return formatHuman(new Date(text), timeZone);
  if (/^P(?:\d+[WD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?$/.test(text) && text !== "P") return describeIsoDuration(text);
  return gateInWords(text);
}

/**
 * Each activity as the runbook step it does, for a person reading which step fails ("creating the Entra app
 * PeigMigrationManager"). Keyed by activity name; test/domain/inWords.test.ts checks every activity has its words (the
 * domain does not import the activities, not even their types, so the import graph has no cycle).
 */
const STEPS: Record<string, string> = {
  resolvePeigServer: "finding the Peig server",
  createMigrationApp: "creating the Entra app PeigMigrationManager",
  configurePeigMigration: "saving the migration configuration in Peig",
  openHumanTasks: "opening a task and mailing its links",
  tallyHumanTasks: "reading the decisions on a task",
  remindHumanTasks: "mailing a task's reminders",
  closeHumanTasks: "closing a task",
  escalateHumanTasks: "asking the fallback approvers",
  sendInvitations: "sending the invitations",
  sendReminders: "sending the reminders",
  monitorOnboarding: "checking onboarding progress",
  planPhase2: "planning Phase 2 (Peig accounts for those who missed the window)",
  createPeigAccounts: "creating Peig accounts (Phase 2)",
  planMerges: "looking for pending requests to merge",
  performMerges: "merging pending requests in Peig",
  verifyChecklist: "checking the checklist",
  beginDeletion: "starting the deletion",
  deletePeigMigrationConfiguration: "deleting the migration configuration in Peig",
  deleteMigrationApp: "deleting the Entra app PeigMigrationManager",
  readAdminCommands: "reading the admins' commands",
  recordPhase: "recording the move to the next phase",
  notifyAdmins: "mailing the admins",
  recordAttention: "recording the failure",
  recordWave: "recording the wave's progress",
  writeReport: "writing the report",
  // Not an activity: the Peig admin's Phase 2 task, when its rounds ended without the accounts (it needs attention).
  peigAccounts: "the Peig admin's task to create the missing Peig accounts (Phase 2)",
};

/** The runbook step a failing activity belongs to, in words ("createMigrationApp" → "creating the Entra app …"). */
export const stepInWords = (step: string): string => (Object.hasOwn(STEPS, step) ? STEPS[step] : wordsOfKey(step));

const SERVICES: Record<FailedService, string> = {
  graph: "Microsoft Graph",
  peig: "Peig",
  store: "Table Storage",
  app: "the app",
  people: "the people a task asked",
};

/** The service a failing step talks to, as people name it ("graph" → "Microsoft Graph"). */
export const serviceInWords = (service: string): string =>
  Object.hasOwn(SERVICES, service) ? SERVICES[service as FailedService] : service;

/** "withoutMailbox" → "without mailbox". */
const wordsOfKey = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

/** What happened, as a sentence (without who and when, which the page shows beside it). */
export function auditInWords(entry: { action: string; details: Details }, timeZone?: string): string {
  const d = entry.details;
  const when = (value: unknown) => valueInWords(value, timeZone);
  const known: Record<string, () => string> = {
    "migration.started": () => `Started the migration of ${d.workspace} (${d.domain}), deadline ${when(d.deadline)}.`,
    "peig.server.resolved": () => `Found the Peig server ${d.server} (from the ${d.source}).`,
    "entraApp.created": () => `Created the Entra app PeigMigrationManager (Application ID ${d.appId}).`,
    "entraApp.found": () => `Found the Entra app PeigMigrationManager made earlier (Application ID ${d.appId}).`,
    "entraApp.adopted": () =>
      `Took over the Entra app PeigMigrationManager (Application ID ${d.appId}) from an earlier migration.`,
    "entraApp.handedOver": () => `Handed the Entra app (Application ID ${d.appId}) over to a new migration.`,
    "entraApp.deleted": () => `Deleted the Entra app PeigMigrationManager (Application ID ${d.appId}).`,
    "peig.migrationConfig.saved": () =>
      `Saved the migration configuration in Peig (Application ID ${d.applicationId}).`,
    "peig.migrationConfig.deleted": () => "Deleted the migration configuration in Peig.",
    "mail.invitation.sent": () =>
      `Sent the invitation${d.wave ? ` of the wave "${d.wave}"` : ""} to ${plural(Number(d.recipients), "person", "people")}.`,
    "mail.reminder.sent": () =>
      `Sent the reminder ${describeIsoDuration(String(d.reminder ?? ""))} before the deadline${d.wave ? ` of the wave "${d.wave}"` : d.deadline ? ` of ${when(d.deadline)}` : ""} to ${plural(Number(d.recipients), "person", "people")}.`,
    "mail.bounced": () => `Mail to ${plural(Number(d.users), "person", "people")} bounced.`,
    "monitor.progress": () => {
      const c = (d.counts ?? {}) as Details;
      return `Checked progress: ${c.onboarded ?? 0} of ${c.inScope ?? 0} onboarded.`;
    },
    "tasks.opened": () => `Opened ${gateInWords(String(d.gate))} and mailed ${list(d.assignees)}.`,
    "tasks.reminded": () => `Reminded ${list(d.assignees)} of ${gateInWords(String(d.gate))}.`,
    "tasks.closed": () => `Closed ${gateInWords(String(d.gate))}: ${OUTCOMES[String(d.outcome)] ?? String(d.outcome)}.`,
    "task.decided": () =>
      `${capitalised(DECISIONS[String(d.decision)] ?? String(d.decision))} ${gateInWords(String(d.gate))}${d.reason ? ` (reason: ${d.reason})` : ""}.`,
    "task.linkResent": () => `Asked for a fresh link to ${gateInWords(String(d.gate))}.`,
    "tasks.escalated": () =>
      d.because === "outOfOffice"
        ? `An approver is out of office for the whole round: asked the fallback approvers ${list(d.to)} in ${gateInWords(String(d.gate))} at once.`
        : `No quorum in time: asked the fallback approvers ${list(d.to)} in ${gateInWords(String(d.gate))}.`,
    "approver.outOfOffice": () =>
      `${d.approver} is out of office for the whole of ${gateInWords(String(d.gate))} (automatic replies on ${d.until ? `until ${when(d.until)}` : "until turned off"}): not asked.`,
    "outOfOffice.notChecked": () =>
      `Did not check the approvers' automatic replies for ${gateInWords(String(d.gate))}: the app may not read mailbox settings (the Graph permission MailboxSettings.Read is not granted), so everyone was asked.`,
    "task.delegated": () =>
      `Handed ${gateInWords(String(d.gate))} to ${d.to}, who got a link of their own (reason: ${d.reason}).`,
    "checklist.verified": () =>
      d.ready ? "Checked the checklist: every item is met." : "Checked the checklist: not every item is met yet.",
    "checklist.rechecked": () =>
      d.ready
        ? "Checked the checklist again before deleting: every item is met."
        : `Checked the checklist again before deleting: ${list(d.reasons)}.`,
    "deletion.started": () => "Started deleting (approved).",
    "deadline.extended": () => `Moved the deadline from ${when(d.from)} to ${when(d.to)}.`,
    "migration.cancelRequested": () => `Asked to cancel the migration${d.reason ? ` (reason: ${d.reason})` : ""}.`,
    "migration.resumeRequested": () => "Asked the migration to try again now.",
    "approval.requestedAgain": () => "Asked the approvers again.",
    "pilotReview.requestedAgain": () => "Asked the admins for the pilot review again.",
    "wave.started": () => `Started the wave "${d.wave}".`,
    "wave.review.open": () => `Asked the admins to review the earlier waves before the wave "${d.wave}".`,
    "wave.review.approved": () =>
      `${d.by ?? "An admin"} answered "Go on" to the pilot review: the wave "${d.wave}" starts.`,
    "wave.review.held": () => `${d.by ?? "An admin"} answered "Hold" to the pilot review: the wave "${d.wave}" waits.`,
    "wave.review.expired": () => `Nobody answered the pilot review: the wave "${d.wave}" waits.`,
    "person.exempted": () => `Exempted ${d.displayName} (${d.user}) from the migration (reason: ${d.reason}).`,
    "person.deadlineExtended": () =>
      `Gave ${d.displayName} (${d.user}) a later deadline of their own, ${when(d.to)} (it was ${when(d.from)})${d.reason ? ` (reason: ${d.reason})` : ""}.`,
    "person.invitationResent": () => `Sent the invitation again to ${d.user} (at ${d.to}).`,
    "attention.needed": () =>
      `${capitalised(stepInWords(String(d.step)))} ${d.service === "people" ? "waits for a person" : "keeps failing"}: ${d.message}`,
    "admins.notified.peigAccounts.expired": () =>
      `Told the admins that ${gateInWords(`peigAccounts-${d.round}`)} expired unanswered, and asked the Peig admin again.`,
    "admins.notified.peigAccounts.incomplete": () =>
      `Told the admins that users were still without a Peig account after ${gateInWords(`peigAccounts-${d.round}`)}, and asked the Peig admin again.`,
    "attention.cleared": () => `${capitalised(stepInWords(String(d.step)))} works again.`,
    "phase2.planned": () =>
      `Planned Peig accounts for ${plural(Number(d.users), "person", "people")} who missed the window.`,
    "peig.request.merged": () => `Merged ${d.typedEmail}'s request into ${d.userPrincipalName}'s Peig account.`,
    "peig.request.notMerged": () => `Did not merge ${d.typedEmail}'s request: ${d.why}.`,
    "peig.request.mergeFailed": () => `Could not merge ${d.typedEmail}'s request: ${d.error}`,
    "peig.account.created": () => `Created a Peig account for ${d.userPrincipalName ?? "a user"}.`,
    "report.written": () =>
      d.allMet
        ? "Wrote the report: every checklist item is met."
        : "Wrote the report: not every checklist item is met.",
  };
  const sentence = known[entry.action];
  if (sentence) return sentence();
  const [head, ...rest] = entry.action.split(".");
  if (head === "phase") return `Moved to ${phaseInWords(rest.join("."))}${d.detail ? `: ${d.detail}` : ""}.`;
  if (head === "admins" && rest[0] === "notified") return `Told the admins: ${wordsOfKey(rest.slice(1).join(" "))}.`;
  const details = Object.keys(d).length ? `: ${valueInWords(d, timeZone)}` : "";
  return `${capitalised(entry.action.split(".").map(wordsOfKey).join(" "))}${details}.`;
}
