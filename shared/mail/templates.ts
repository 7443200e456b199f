/**
 * The migration's e-mails as plain functions returning { subject, html, text }. Each message is a list of blocks
 * rendered twice (HTML and plain text), so the two versions never drift and every user-provided string is escaped
 * in exactly one place. No external resources (images, fonts, CSS) and no tracking: mail clients block them and
 * scanners distrust them. Links are passed in and must be http(s); task links are single-purpose tokens, never
 * Durable's management URLs (docs/design.md#human-tasks). Nothing secret belongs in a template: Application IDs and the public
 * SAML signing certificate are not secrets.
 */
import type { ChecklistItem } from "../domain/checklist";
import { describeRoughly } from "../domain/duration";
import { figureLines, waveLine, type MigrationFigures } from "../domain/figures";
import { valueInWords } from "../domain/inWords";
import { formatHuman } from "../domain/humanTime";
import type { Reconciliation, UserState } from "../domain/reconcile";

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

type Block =
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "steps"; items: string[] }
  /** Exact values to copy, shown verbatim (certificates keep their line breaks). */
  | { kind: "values"; rows: { label: string; value: string }[] }
  | { kind: "link"; label: string; url: string };

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * A name (or any text people typed) set apart from the text around it: Unicode's first-strong isolate
 * (U+2068 … U+2069, UAX #9 §2.4). In plain text the characters do it; in HTML they become <bdi>, so a name
 * containing U+202E (right-to-left override) cannot reorder the words after it. Isolate characters inside
 * the name are dropped first, so it cannot close its own isolate early.
 */
export function isolate(text: string): string {
  return `\u2068${text.replace(/[\u2066-\u2069]/g, "")}\u2069`;
}

/**
 * Escaped text for HTML content (not attributes), with every isolate turned into <bdi>…</bdi>. Always
 * well-formed: a closing U+2069 without an opening one is dropped, and open ones are closed at the end.
 */
export function escapeHtmlText(text: string): string {
  let depth = 0;
  const body = escapeHtml(text).replace(/[\u2066-\u2069]/g, (c) => {
    if (c !== "\u2069") return (depth++, "<bdi>");
    return depth > 0 ? (depth--, "</bdi>") : "";
  });
  return body + "</bdi>".repeat(depth);
}

/** Only http(s) links: a javascript: or data: URL in a mail is an attack, not a link. */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`e-mail link ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new Error(`e-mail link ${JSON.stringify(url)} must use https`);
  return parsed.href;
}

const STYLE = {
  body: "margin:0;padding:24px;background:#f5f5f5;font-family:'Segoe UI',Arial,sans-serif;font-size:15px;line-height:1.5;color:#1b1b1b",
  card: "max-width:640px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px",
  pre: "white-space:pre-wrap;word-break:break-all;background:#f0f0f0;padding:8px;border-radius:4px;font-family:Consolas,monospace;font-size:13px",
  button:
    "display:inline-block;padding:10px 18px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px",
};

function blockHtml(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `<h2 style="font-size:17px;margin:20px 0 8px">${escapeHtmlText(block.text)}</h2>`;
    case "paragraph":
      return `<p>${escapeHtmlText(block.text)}</p>`;
    case "list":
      return `<ul>${block.items.map((i) => `<li>${escapeHtmlText(i)}</li>`).join("")}</ul>`;
    case "steps":
      return `<ol>${block.items.map((i) => `<li>${escapeHtmlText(i)}</li>`).join("")}</ol>`;
    case "values":
      return block.rows
        .map(
          (r) =>
            `<p style="margin-bottom:4px"><strong>${escapeHtml(r.label)}</strong></p><pre style="${STYLE.pre}">${escapeHtml(r.value)}</pre>`,
        )
        .join("");
    case "link":
      return `<p><a href="${escapeHtml(checkedUrl(block.url))}" style="${STYLE.button}">${escapeHtml(block.label)}</a></p>`;
  }
}

function blockText(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${block.text}\n${"-".repeat(block.text.length)}`;
    case "paragraph":
      return block.text;
    case "list":
      return block.items.map((i) => `- ${i}`).join("\n");
    case "steps":
      return block.items.map((i, n) => `${n + 1}. ${i}`).join("\n");
    case "values":
      return block.rows.map((r) => `${r.label}:\n${r.value}`).join("\n\n");
    case "link":
      return `${block.label}: ${checkedUrl(block.url)}`;
  }
}

/** Subjects are single header lines: line breaks would let a workspace name inject headers. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ").trim();

function render(subject: string, blocks: Block[]): EmailContent {
  const line = oneLine(subject);
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(line)}</title></head><body style="${STYLE.body}"><div style="${STYLE.card}">${blocks.map(blockHtml).join("")}</div></body></html>`;
  return { subject: line, html, text: `${blocks.map(blockText).join("\n\n")}\n` };
}

/** "…and 12 more" after the first `limit` items. */
function truncated(items: string[], limit: number, where = ""): string[] {
  return items.length > limit ? [...items.slice(0, limit), `…and ${items.length - limit} more${where}`] : items;
}

/** A headed section, or nothing when it would be empty. */
const section = (heading: string, shown: boolean, blocks: Block[]): Block[] =>
  shown ? [{ kind: "heading", text: heading }, ...blocks] : [];

const greeting = (name: string | undefined): Block[] =>
  name ? [{ kind: "paragraph", text: `Hello ${isolate(name)},` }] : [];

export interface OnboardingMailInput {
  workspace: string;
  /** The corporate domain, so people use their work address. */
  domain: string;
  deadline: Date;
  recipientName?: string;
  /** Where to ask for help, e.g. the IT team's address. */
  contact?: string;
  /** IANA zone the deadline is shown in (default UTC). */
  timeZone?: string;
  /** The admins' own line (plain text), e.g. a help-desk link or why the deadline is when it is. */
  note?: string;
}

function onboardingSteps({ workspace, domain }: OnboardingMailInput): Block[] {
  return [
    ...section("What to do", true, [
      {
        kind: "steps",
        items: [
          "Download the Peig app to your phone.",
          `Open Peig and join the workspace "${workspace}".`,
          `When Peig asks, sign in with your Microsoft 365 credentials: your @${domain} e-mail address and your current password.`,
          "Follow the prompts until Peig says you are done.",
        ],
      },
    ]),
    {
      kind: "paragraph",
      text: `Use your @${domain} work address, not a personal one: Peig matches it to your Microsoft 365 account.`,
    },
  ];
}

const help = (contact: string | undefined): Block[] =>
  contact ? [{ kind: "paragraph", text: `Questions? Contact ${contact}.` }] : [];

/** The admins' note, set apart as their words (isolated: it is text people typed). */
const adminsNote = (note: string | undefined): Block[] =>
  note ? [{ kind: "paragraph", text: `A note from your IT team: ${isolate(note)}` }] : [];

export function invitationEmail(input: OnboardingMailInput): EmailContent {
  const due = formatHuman(input.deadline, input.timeZone);
  return render(`Action needed: set up Peig for workspace "${input.workspace}" by ${due}`, [
    ...greeting(input.recipientName),
    {
      kind: "paragraph",
      text: "We are moving Microsoft 365 sign-in to Peig, a passwordless sign-in app. Your Microsoft 365 account stays the same; only the way you sign in changes.",
    },
    { kind: "paragraph", text: `Please set up Peig before ${due}.` },
    ...onboardingSteps(input),
    { kind: "paragraph", text: "It takes a few minutes. You will keep signing in as today until the switch-over." },
    ...adminsNote(input.note),
    ...help(input.contact),
  ]);
}

export function reminderEmail(input: OnboardingMailInput & { now: Date }): EmailContent {
  const left = describeRoughly(input.deadline.getTime() - input.now.getTime());
  return render(`Reminder: ${left} left to set up Peig for workspace "${input.workspace}"`, [
    ...greeting(input.recipientName),
    {
      kind: "paragraph",
      text: `You have ${left} left to set up Peig: the deadline is ${formatHuman(input.deadline, input.timeZone)}.`,
    },
    ...onboardingSteps(input),
    { kind: "paragraph", text: "If you have finished in the last few hours, thank you: you can ignore this message." },
    ...adminsNote(input.note),
    ...help(input.contact),
  ]);
}

export interface AdminDigestInput {
  workspace: string;
  now: Date;
  deadline: Date;
  reconciliation: Reconciliation;
  /** The migration's figures after this pass (migrationFigures): the digest's numbers and their words. */
  figures: MigrationFigures;
  statusPageUrl: string;
  /** Users and requests listed per state before "…and N more". */
  listLimit?: number;
  /** IANA zone the times are shown in (default UTC). */
  timeZone?: string;
}

/** Each user state as the admins read it: never the code name. */
export const userStateInWords: Record<UserState, string> = {
  onboarded: "onboarded",
  pendingRequest: "request waiting for approval",
  mismatched: "typed another e-mail address",
  awaitingOnboarding: "has a Phase 2 account, not onboarded yet",
  notOnboarded: "not onboarded yet",
};

/** Digest sections, in the order an admin acts on them; mismatched users are listed with their requests. */
const DIGEST_STATES: readonly UserState[] = ["pendingRequest", "notOnboarded", "awaitingOnboarding"];

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function adminDigestEmail({
  workspace,
  now,
  deadline,
  reconciliation,
  figures,
  statusPageUrl,
  listLimit = 50,
  timeZone,
}: AdminDigestInput): EmailContent {
  const { counts } = reconciliation;
  const onStatusPage = " (all of them on the status page)";
  const byState = DIGEST_STATES.flatMap((state) => {
    const people = reconciliation.users
      .filter((u) => u.state === state)
      .map((u) => `${isolate(u.displayName)} <${isolate(u.userPrincipalName)}>`);
    return section(`${capitalised(userStateInWords[state])} (${people.length})`, people.length > 0, [
      { kind: "list", items: truncated(people, listLimit, onStatusPage) },
    ]);
  });
  const mismatches = reconciliation.mismatchedRequests.map((m) =>
    m.suggestedMergeTarget
      ? `${isolate(m.request.displayName)} typed ${isolate(m.request.email)}: merge into ${m.suggestedMergeTarget.userPrincipalName} (matched by ${m.suggestedMergeTarget.matchedBy}). ${m.reason}`
      : `${isolate(m.request.displayName)} typed ${isolate(m.request.email)}: no merge suggestion. ${m.reason}`,
  );
  return render(`Peig migration "${workspace}": ${figures.onboarded.value} of ${figures.inScope.value} onboarded`, [
    {
      kind: "paragraph",
      text: `Status on ${formatHuman(now, timeZone)}; the deadline is ${formatHuman(deadline, timeZone)} (${describeRoughly(deadline.getTime() - now.getTime())} left).`,
    },
    {
      kind: "list",
      items: [
        ...figureLines(figures),
        ...(counts.unmatchedRequests > 0
          ? [`${counts.unmatchedRequests} pending requests match no user in scope`]
          : []),
      ],
    },
    ...section(`Waves (${figures.waves?.length ?? 0})`, !!figures.waves?.length, [
      { kind: "list", items: (figures.waves ?? []).map(waveLine) },
    ]),
    ...section(`Requests that typed another e-mail address (${mismatches.length})`, mismatches.length > 0, [
      { kind: "list", items: truncated(mismatches, listLimit, onStatusPage) },
    ]),
    ...byState,
    { kind: "link", label: "Open the status page", url: statusPageUrl },
  ]);
}

export interface ApprovalRequestInput {
  workspace: string;
  approverName?: string;
  requiredApprovals: number;
  /** Peig's migration configuration (Application ID) and the Entra app that will be deleted. */
  deletes: { applicationId: string; appDisplayName: string };
  checklist: readonly ChecklistItem[];
  link: string;
  expiresAt: Date;
  /** IANA zone the expiry is shown in (default UTC). */
  timeZone?: string;
}

export function approvalRequestEmail(input: ApprovalRequestInput): EmailContent {
  return render(`Approval needed: delete the Peig migration configuration for "${input.workspace}"`, [
    ...greeting(input.approverName),
    {
      kind: "paragraph",
      text: `The onboarding window of workspace "${input.workspace}" is over and the checks below passed. ${input.requiredApprovals === 1 ? "1 approval is" : `${input.requiredApprovals} approvals are`} needed before these are deleted:`,
    },
    {
      kind: "list",
      items: [
        `the migration configuration in Peig (Microsoft 365 Active Provider > Migration, Application ID ${input.deletes.applicationId})`,
        `the temporary Entra enterprise app ${input.deletes.appDisplayName} (Application ID ${input.deletes.applicationId})`,
      ],
    },
    {
      kind: "paragraph",
      text: "This cannot be undone. The state is checked again just before deletion; if anything got worse, nothing is deleted.",
    },
    ...section("Evidence", true, [
      {
        kind: "list",
        items: input.checklist.map((i) => `${i.met ? "[x]" : "[ ]"} ${i.label}: ${i.evidence.join("; ")}`),
      },
    ]),
    {
      kind: "paragraph",
      text: `The link opens a page where you can review and then approve or reject; opening it changes nothing. It works until ${formatHuman(input.expiresAt, input.timeZone)}.`,
    },
    { kind: "link", label: "Review and decide", url: input.link },
  ]);
}

export interface OperatorTaskInput {
  workspace: string;
  /** What the Peig admin is asked to do, e.g. "Set the migration configuration in Peig". */
  title: string;
  steps: string[];
  /** Exact values to paste, e.g. Application ID and certificate. */
  values: { label: string; value: string }[];
  link: string;
  expiresAt: Date;
  /** IANA zone the expiry is shown in (default UTC). */
  timeZone?: string;
}

export function operatorTaskEmail(input: OperatorTaskInput): EmailContent {
  return render(`Peig task for "${input.workspace}": ${input.title}`, [
    { kind: "paragraph", text: `The migration of workspace "${input.workspace}" waits for you to do this in Peig:` },
    { kind: "steps", items: input.steps },
    ...section("Values to paste", input.values.length > 0, [{ kind: "values", rows: input.values }]),
    {
      kind: "paragraph",
      text: `When you are done, confirm on the task page (opening it changes nothing). The link works until ${formatHuman(input.expiresAt, input.timeZone)}.`,
    },
    { kind: "link", label: "Open the task", url: input.link },
  ]);
}

export interface ReportReadyInput {
  workspace: string;
  checklist: readonly ChecklistItem[];
  link: string;
}

export function reportReadyEmail(input: ReportReadyInput): EmailContent {
  const allMet = input.checklist.every((i) => i.met);
  return render(`Peig migration report for "${input.workspace}" is ready`, [
    {
      kind: "paragraph",
      text: allMet
        ? "Every item of the runbook's checklist is confirmed: the tenant is ready for Step 5 (federation)."
        : "The report is ready, but not every checklist item is met: see below before Step 5 (federation).",
    },
    { kind: "list", items: input.checklist.map((i) => `${i.met ? "[x]" : "[ ]"} ${i.label}`) },
    { kind: "link", label: "Open the report", url: input.link },
  ]);
}

/** What the admins are told when something needs them (activity notifyAdmins). */
const ADMIN_NOTICES: Record<string, { subject: string; lead: string }> = {
  escalated: {
    subject: "approval escalated to the fallback approvers",
    lead: "The deletion approval had no quorum in time, so the fallback approvers were asked too. Their approvals count toward the same quorum; the first approvers' links keep working until the round ends.",
  },
  "escalated.outOfOffice": {
    subject: "approval sent to the fallback approvers: an approver is out of office",
    lead: "An approver's automatic replies say they are away for the whole deletion approval round, so they were not asked and the fallback approvers were asked at once. Their approvals count toward the same quorum. The status page names who was away and until when.",
  },
  cancelled: {
    subject: "cancelled",
    lead: "The migration was cancelled before anything was deleted. The Peig migration configuration and the Entra app PeigMigrationManager are left in place: remove them yourself when you no longer need them.",
  },
  notReady: {
    subject: "not ready for deletion",
    lead: "The onboarding window is over but the checklist is not complete, so no approval was requested. The check runs again on the monitor schedule.",
  },
  "approval.rejected": {
    subject: "deletion rejected",
    lead: "An approver rejected deleting the migration configuration. Nothing was deleted. When the concerns are resolved, ask the approvers again with the button on the status page.",
  },
  "approval.expired": {
    subject: "approval expired",
    lead: "The approval links expired without enough approvals. Nothing was deleted. To try again, ask the approvers again with the button on the status page.",
  },
  "peigChecklist.expired": {
    subject: "the Peig admin did not confirm the checklist",
    lead: "The link asking the Peig admin to confirm, in Peig, that every user is onboarded and linked expired. Nothing was deleted. A new link goes out with the next check.",
  },
  "peigAccounts.expired": {
    subject: "the Peig admin's task to create the missing accounts expired",
    lead: "The link asking the Peig admin to create the Peig accounts of the users who missed the onboarding window (Phase 2) expired unanswered; it no longer works. While accounts are still missing, a new task with a new link goes out to the same people at once. Nothing was deleted.",
  },
  "peigAccounts.incomplete": {
    subject: "Phase 2 accounts still missing: the Peig admin is asked again",
    lead: 'The Peig admin confirmed the Phase 2 task, but the checklist still finds users without a Peig account (its item "Phase 2 was completed" names them). A new task with a new link has gone out; its page lists the users it asks for that the app has not seen sign in yet. Nothing was deleted.',
  },
  waitsForPeople: {
    subject: "needs attention: a task was not done",
    lead: "The migration waits for a person: a task ended without what it asked for several rounds in a row, and it is not asked again by itself. The migration has not failed. Below: what happened and what to do; once it is done, press Resume on the status page (a new task goes out), or cancel there.",
  },
  needsAttention: {
    subject: "needs attention",
    lead: "A step of the migration keeps failing. The migration has not failed: it carries on where it stopped once the cause is gone. Below: the step, the service, its answer, the likely fix and when it tries the step again by itself. After fixing it, press Resume on the status page to try at once, or cancel there.",
  },
  "merges.rejected": {
    subject: "the Peig admin declined the merges",
    lead: "The Peig admin declined merging the pending requests typed with another e-mail. Nothing was merged; those users stay unlinked until the requests are resolved in Peig (Users & Access). A new merge task goes out when new such requests appear.",
  },
  "merges.expired": {
    subject: "the merge task expired",
    lead: "The link asking the Peig admin to merge the pending requests typed with another e-mail expired unanswered. Nothing was merged. A new merge task goes out when new such requests appear; meanwhile they can be merged in Peig (Users & Access).",
  },
  "pilotReview.held": {
    subject: "the next wave is on hold",
    lead: 'An admin answered "Hold" to the pilot review, so the next wave was not invited. The migration has not ended: the earlier waves go on being watched. When you are ready, press "Ask for the pilot review again" on the status page; or extend the deadline, or cancel there.',
  },
  "pilotReview.expired": {
    subject: "the pilot review was not answered",
    lead: 'Nobody answered the pilot review before its links expired, so the next wave was not invited. The migration has not ended. When you are ready, press "Ask for the pilot review again" on the status page.',
  },
  regressed: {
    subject: "deletion stopped: the re-check failed",
    lead: "After approval, the final re-check found something had regressed, so nothing was deleted. The migration is back at the approval gate.",
  },
};

export interface AdminNoticeInput {
  workspace: string;
  event: string;
  details: Record<string, unknown>;
  statusPageUrl: string;
  /** IANA zone the times are shown in (default UTC). */
  timeZone?: string;
}

/** The notices' detail names as the admins read them. */
const DETAIL_LABELS: Record<string, string> = {
  wave: "Wave",
  round: "Round",
  to: "Asked now",
  reason: "Reason",
  by: "By",
  phase: "Phase",
  missing: "Missing",
  regressed: "What regressed",
  step: "Step",
  service: "Service",
  status: "Answer (HTTP status)",
  message: "Message",
  fix: "Likely fix",
  since: "Failing since",
  waitingSince: "Waiting since",
  nextAttemptAt: "Next try",
};

export function adminNoticeEmail(input: AdminNoticeInput): EmailContent {
  const known = ADMIN_NOTICES[input.event] ?? { subject: input.event, lead: `Event: ${input.event}.` };
  // In words (dates in the zone, rounds named); values are what people typed (a reason, a name): each isolated.
  const lines = Object.entries(input.details).map(
    ([k, v]) => `${DETAIL_LABELS[k] ?? k}: ${isolate(valueInWords(v, input.timeZone))}`,
  );
  return render(`Peig migration "${input.workspace}": ${known.subject}`, [
    { kind: "paragraph", text: known.lead },
    ...(lines.length ? [{ kind: "list" as const, items: lines }] : []),
    { kind: "link", label: "Open the status page", url: input.statusPageUrl },
  ]);
}
