/**
 * The admin's status page: phase timeline, progress, a chart of onboarded users over time with the
 * reminder moments marked, the users still missing, mismatched requests with their Merge suggestion,
 * open human tasks, the audit trail, and a button for each command an admin may give now. Server-rendered, no
 * script; no automatic refresh either, which would wipe a half-typed cancel reason (a Reload link instead).
 */
import { describeIsoDuration } from "../domain/duration";
import { figureLines, waveFigureLines, type MigrationFigures } from "../domain/figures";
import { DEFAULT_TIME_ZONE, formatHuman } from "../domain/humanTime";
import {
  actorInWords,
  auditInWords,
  capitalised,
  gateInWords,
  phaseInWords,
  serviceInWords,
  stepInWords,
} from "../domain/inWords";
import { wallClockOf } from "../domain/wallClock";
import { isFinalPhase, type AdminAction, type WaitingOn } from "../workflow";
import type { Exemption } from "../domain/exemptions";
import type { PersonalDeadline } from "../domain/personalDeadlines";
import { permissionMissing, type OutOfOfficeCheck } from "../domain/outOfOffice";
import type { BouncedUserSummary } from "../domain/mailPlan";
import {
  checklistHtml,
  escapeHtml,
  isolatedParts,
  page,
  signedInHtml,
  table,
  timeHtml,
  type HtmlCell,
  type SignedInView,
} from "./layout";
import type { MigrationCounts } from "../workflow";
import type { WaveView } from "../domain/waves";

export interface StatusView {
  id: string;
  workspace: string;
  domain: string;
  phase: string;
  status: string;
  peigMode: string;
  /** IANA zone the dates are shown in (absent: UTC). */
  timeZone?: string;
  deadline: string;
  nextReminder: string | null;
  waitingFor: string | null;
  /** People the workflow waits on now (shown at the top). */
  waitingOn?: WaitingOn[];
  /** A step failing past its quick re-tries (the migration waits and tries again; it has not failed). */
  needsAttention?: {
    step: string;
    service: string;
    status: number | null;
    message: string;
    fix: string;
    since: string;
    nextAttemptAt: string | null;
  } | null;
  counts: MigrationCounts;
  figures: MigrationFigures;
  /** A migration with waves: each wave (its figures are `figures.waves`); absent or empty without waves. */
  waves?: readonly WaveView[];
  /** Operator mode: the counts hold sign-ins up to this time (Entra's sign-in log shows them late). */
  signInsUpTo?: string | null;
  app: { appId: string; entityId: string; replyUrl: string; thumbprint: string; certificateNotAfter: string } | null;
  checklist: { label: string; met: boolean; evidence: string[] }[] | null;
  openTasks: { kind: string; gate?: string; assignee: string; expiresAt: string }[];
  /** The first rows of each user table, and where the rest is (null when there is no more). */
  notOnboarded: UserTable<{ userPrincipalName: string; displayName: string; remindersSent: number }>;
  mismatched: UserTable<{ userPrincipalName: string; displayName: string; mergeSuggestion?: Record<string, unknown> }>;
  unmatchedRequests: { email: string; displayName: string; submittedAt: string; reason: string }[];
  /** People an admin exempted (no more mail, counted apart). */
  exemptions: readonly Exemption[];
  /** People an admin gave a later deadline of their own (absent: none). */
  personalDeadlines?: readonly PersonalDeadline[];
  /** The latest approval round's out-of-office check (absent or null: none made). */
  outOfOffice?: OutOfOfficeCheck | null;
  /** When the onboarding window closes: the latest deadline anyone has (absent: the deadline). */
  windowClosesAt?: string;
  /** Users whose last mail Exchange bounced (non-delivery report), with the reason. */
  bounced?: BouncedUser[];
  /** How many bounced users there are in all (`bounced` lists the first of them). */
  bouncedTotal?: number;
  audit: { at: string; actor: string; action: string; details: Record<string, unknown> }[];
  links: { report: string };
  generatedAt: string;
  /** The admin's buttons: the commands allowed now, where the forms post, and their CSRF token. */
  actions: StatusActions;
  /** Who is reading (a page for a signed-in person); absent where no one is (a rendering of the view alone). */
  signedIn?: SignedInView;
}

export interface StatusActions {
  allowed: readonly AdminAction[];
  formAction: string;
  csrf: string;
  /** What the last button did, or why it was refused. */
  notice?: { text: string; tone: "ok" | "bad" };
}

/** A user whose last mail bounced, as the page shows them. */
export type BouncedUser = BouncedUserSummary;

/** The bounced users among the user rows. */
export function bouncedUsers(
  users: readonly {
    userPrincipalName: string;
    displayName: string;
    bounce?: { address: string; cause: string; reason: string; at: string } | null;
  }[],
): BouncedUser[] {
  return users.flatMap((u) =>
    u.bounce ? [{ userPrincipalName: u.userPrincipalName, displayName: u.displayName, ...u.bounce }] : [],
  );
}

/** The bounced users' table (status page and report). */
export function bouncedTable(
  bounced: readonly BouncedUser[],
  total = bounced.length,
  when: (iso: string) => HtmlCell = (iso) => ({ html: escapeHtml(iso) }),
): string {
  if (total === 0) return "";
  return `<h2 class="bad">Mail bounced (${total})</h2>${table(
    ["User", "Address", "Cause", "Non-delivery report", "When"],
    bounced
      .slice(0, 500)
      .map((b) => [isolatedParts(b.displayName, `<${b.userPrincipalName}>`), b.address, b.cause, b.reason, when(b.at)]),
  )}`;
}

/** The people given a later deadline of their own, with theirs, the one before, why, who and when (status page and report). */
export function personalDeadlinesTable(personal: readonly PersonalDeadline[], when: (iso: string) => HtmlCell): string {
  if (personal.length === 0) return "";
  return `<h2>Later deadlines of their own (${personal.length})</h2><div id="personal-deadlines">${table(
    ["User", "UPN", "Their deadline", "Was", "Why", "Extended by", "When"],
    personal.map((p) => [
      p.displayName,
      p.userPrincipalName,
      when(p.deadline),
      when(p.from),
      p.reason ?? "",
      p.by,
      when(p.at),
    ]),
  )}</div>`;
}

export interface UserTable<T> {
  rows: T[];
  more: string | null;
}

const PHASES = ["setup", "onboarding", "phase2", "verification", "approval", "closing", "report", "completed"];

export function renderStatusPage(view: StatusView): string {
  const { figures } = view;
  const percent = figures.inScope.value ? Math.round((figures.onboarded.value / figures.inScope.value) * 100) : 0;
  const finished = isFinalPhase(view.phase);
  const now = new Date(view.generatedAt);
  const when = (iso: string) => ({ html: timeHtml(iso, now, view.timeZone) });
  const body = `
  <h1>Peig migration: ${escapeHtml(view.workspace)}</h1>
  ${view.signedIn ? signedInHtml(view.signedIn) : ""}
  <p class="muted">${escapeHtml(view.domain)} · ${escapeHtml(view.peigMode)} mode · migration ${escapeHtml(view.id)} · updated ${escapeHtml(formatHuman(now, view.timeZone))}${finished ? "" : ` · <a href="${escapeHtml(view.actions.formAction)}">Reload</a>`}</p>
  ${timeline(view.phase)}
  ${view.actions.notice ? `<div class="card ${view.actions.notice.tone === "ok" ? "done" : "attention"}" role="status" id="notice"><p>${escapeHtml(view.actions.notice.text)}</p></div>` : ""}
  ${view.needsAttention ? attentionBanner(view.needsAttention, when, view.actions) : ""}
  ${(view.waitingOn ?? []).map((w) => waitingBanner(w, when)).join("")}
  ${view.outOfOffice ? outOfOfficeCard(view.outOfOffice, when) : ""}
  <div class="card">
    <p><strong>${escapeHtml(figures.onboarded.text)}</strong>, of ${escapeHtml(figures.inScope.text)} (${percent}%)</p>
    <div class="bar" role="progressbar" aria-label="Users onboarded" aria-valuenow="${percent}" aria-valuemin="0" aria-valuemax="100"><span style="width:${percent}%"></span></div>
    ${view.signInsUpTo ? `<p class="muted" id="freshness">Onboarding figures hold the sign-ins up to ${when(view.signInsUpTo).html}: Entra's sign-in log shows sign-ins late.</p>` : ""}
    <ul class="muted" id="counts">${figureLines(figures)
      .map((line) => `<li>${escapeHtml(line)}</li>`)
      .join("")}</ul>
    <p>Deadline <strong>${when(view.deadline).html}</strong>${view.windowClosesAt && view.windowClosesAt !== view.deadline ? ` · the window stays open until ${when(view.windowClosesAt).html} for the people given a later deadline of their own` : ""}${view.nextReminder ? ` · next reminder ${when(view.nextReminder).html}` : ""}${view.waitingFor && !finished ? ` · waiting for ${escapeHtml(view.waitingFor)}` : ""}</p>
    ${view.phase === "completed" ? `<p><a href="${escapeHtml(view.links.report)}">Open the report</a></p>` : ""}
  </div>
  ${view.waves?.length ? wavesHtml(view.waves, figures, when) : ""}
  ${actionsCard(view, view.actions, !!view.needsAttention, when)}
  <h2>Onboarded over time</h2>
  <div class="card">${chart(view)}</div>
  ${view.checklist ? `<h2>Checklist</h2>${checklistHtml(view.checklist)}` : ""}
  <h2>Open tasks</h2>${table(
    ["Task", "Assigned to", "Links work until"],
    view.openTasks.map((t) => [capitalised(gateInWords(t.gate)), t.assignee, when(t.expiresAt)]),
    "No task is waiting for anyone.",
  )}
  <h2>Mismatched requests</h2>${table(
    ["Request typed as", "Belongs to", "Merge into Peig account", "Why"],
    view.mismatched.rows.map((m) => [
      String(m.mergeSuggestion?.typedEmail ?? ""),
      isolatedParts(m.displayName, `<${m.userPrincipalName}>`),
      String(m.mergeSuggestion?.peigAccountId ?? "none yet: approve, then link"),
      String(m.mergeSuggestion?.reason ?? ""),
    ]),
    "No request with a mismatched e-mail address.",
  )}${moreLink(view.mismatched, figures.mismatchedRequests?.value ?? 0)}
  ${
    view.unmatchedRequests.length
      ? `<h2>Requests matching no user</h2>${table(
          ["Request typed as", "Name", "Submitted", "Why"],
          view.unmatchedRequests.map((r) => [r.email, r.displayName, when(r.submittedAt), r.reason]),
        )}`
      : ""
  }
  <h2>Not onboarded (${figures.notOnboarded.value})</h2>${table(
    ["User", "UPN", "Reminders sent"],
    view.notOnboarded.rows.map((u) => [u.displayName, u.userPrincipalName, u.remindersSent]),
    "Everyone in scope is onboarded.",
  )}${moreLink(view.notOnboarded, figures.notOnboarded.value)}
  ${
    view.exemptions.length
      ? `<h2>Exempted (${view.exemptions.length})</h2><div id="exemptions">${table(
          ["User", "UPN", "Why", "Exempted by", "When"],
          view.exemptions.map((e) => [e.displayName, e.userPrincipalName, e.reason, e.by, when(e.at)]),
        )}</div>`
      : ""
  }
  ${personalDeadlinesTable(view.personalDeadlines ?? [], when)}
  ${bouncedTable(view.bounced ?? [], view.bouncedTotal, when)}
  ${
    view.app
      ? `<h2>Entra migration app</h2><div class="card">${table(
          ["Setting", "Value"],
          [
            ["Application ID", view.app.appId],
            ["Entity ID", view.app.entityId],
            ["Reply URL", view.app.replyUrl],
            [
              "Signing certificate",
              { html: `${escapeHtml(view.app.thumbprint)} (until ${when(view.app.certificateNotAfter).html})` },
            ],
          ],
        )}</div>`
      : ""
  }
  <h2>Audit trail</h2>${table(
    ["When", "Who", "What happened"],
    [...view.audit]
      .reverse()
      .slice(0, 200)
      .map((a) => [when(a.at), actorInWords(a.actor), auditInWords(a, view.timeZone)]),
  )}
  `;
  return page(`Peig migration ${view.workspace}`, body);
}

/** "Waiting for: the Peig admin to confirm 9 merges — task sent to it@… on …": the link itself is only in their e-mail. */
function waitingBanner(w: WaitingOn, when: (iso: string) => HtmlCell): string {
  const sent = w.since ? ` on ${when(w.since).html}` : "";
  return `<div class="card waiting" id="waiting-on"><p><strong>Waiting for:</strong> ${escapeHtml(w.what)} — task sent to ${escapeHtml(w.who.join(", "))}${sent}; the link in that e-mail works until ${when(w.expiresAt).html}.</p></div>`;
}

const UNREAD: Record<OutOfOfficeCheck["unread"][number]["why"], string> = {
  notPermitted: "the app may not read that mailbox's settings",
  noMailbox: "no mailbox",
  unknownTimeZone: "a time zone the app cannot read",
};

/** Who was out of office for the approval round and not asked, or a note that nobody's replies could be read. */
function outOfOfficeCard(check: OutOfOfficeCheck, when: (iso: string) => HtmlCell): string {
  const round = escapeHtml(gateInWords(check.gate));
  if (permissionMissing(check))
    return `<div class="card" id="out-of-office"><p><strong>Out of office not checked</strong> for ${round}: the app may not read the approvers' automatic replies (the Graph permission MailboxSettings.Read is not granted), so every approver was asked as usual. Grant it (<code>npm run grant-permissions -- --features outOfOffice</code>) to have approvers who are away skipped and the fallback approvers asked at once.</p></div>`;
  if (check.away.length === 0 && check.unread.length === 0) return "";
  const away = check.away.map(
    (a) =>
      `<li>${escapeHtml(a.approver)} is out of office for the whole round (automatic replies on ${a.until ? `until ${when(a.until).html}` : "until turned off"}): not asked; the fallback approvers were asked at once.</li>`,
  );
  const unread = check.unread.map(
    (u) =>
      `<li>${escapeHtml(u.approver)}: automatic replies not read (${escapeHtml(UNREAD[u.why])}); asked as usual.</li>`,
  );
  return `<div class="card" id="out-of-office"><p><strong>Out of office</strong>, checked for ${round} on ${when(check.at).html}:</p><ul>${[...away, ...unread].join("")}</ul></div>`;
}

function moreLink(table: UserTable<unknown>, total: number): string {
  return table.more
    ? `<p class="more">First ${table.rows.length} of ${total} shown. <a href="${escapeHtml(table.more)}">All of them, page by page (JSON)</a></p>`
    : "";
}

/**
 * One truth about retrying: either it still tries by itself (and when next), or it stopped and waits for a person.
 * Resume sits here, where the failure is explained.
 */
function attentionBanner(
  a: NonNullable<StatusView["needsAttention"]>,
  when: (iso: string) => HtmlCell,
  actions: StatusActions,
): string {
  const service = serviceInWords(a.service);
  const retry = a.nextAttemptAt
    ? `It still tries again by itself: next try ${when(a.nextAttemptAt).html}.`
    : "It no longer tries by itself: fix the cause, then resume (or cancel below).";
  const resume = actions.allowed.includes("resume")
    ? actionForm(actions, "resume", "", `<button class="primary" type="submit">Resume now</button>`)
    : "";
  return `<div class="card attention" role="alert" id="needs-attention">
    <h2>Needs attention</h2>
    ${
      a.service === "people"
        ? `<p><strong>${escapeHtml(capitalised(stepInWords(a.step)))}</strong> waits for a person since ${when(a.since).html}.</p>`
        : `<p><strong>${escapeHtml(capitalised(stepInWords(a.step)))}</strong> keeps failing since ${when(a.since).html}: ${escapeHtml(service)}${a.status !== null ? ` answered <strong>${a.status}</strong>` : " did not answer"}.</p>`
    }
    <p><strong>Likely fix:</strong> ${escapeHtml(a.fix)}</p>
    <p class="muted">${escapeHtml(a.message)}</p>
    <p id="retrying">${retry}</p>${resume}
  </div>`;
}

/** A form for one command: its hidden action and CSRF token, then `fields` and the button. */
/** Each wave: who it takes, when it runs, where it stands, and its figures (the same sentences as everywhere). */
export function wavesHtml(
  waves: readonly WaveView[],
  figures: MigrationFigures,
  when: (iso: string) => HtmlCell,
): string {
  return `<h2>Waves</h2><div id="waves">${table(
    ["Wave", "Who", "Invitation", "Deadline", "Where it stands", "People"],
    waves.map((w, i) => {
      const f = figures.waves?.[i];
      return [
        w.name,
        w.members,
        w.startedAt ? when(w.startedAt) : w.startsAt ? when(w.startsAt) : "at once",
        when(w.deadline),
        w.state,
        f ? waveFigureLines(f).join("; ") : "",
      ];
    }),
  )}</div>`;
}

function actionForm(actions: StatusActions, action: AdminAction, fields: string, button: string): string {
  return `<form method="post" action="${escapeHtml(actions.formAction)}" id="action-${action}"><input type="hidden" name="action" value="${action}"><input type="hidden" name="csrf" value="${escapeHtml(actions.csrf)}">${fields}<p>${button}</p></form>`;
}

/** The commands allowed now, each a form; none when nothing can be done (a finished migration). */
function actionsCard(
  view: StatusView,
  actions: StatusActions,
  resumeShown: boolean,
  when: (iso: string) => HtmlCell,
): string {
  const allowed = (action: AdminAction) => actions.allowed.includes(action);
  const zoneName = view.timeZone ?? DEFAULT_TIME_ZONE;
  const forms = [
    allowed("resume") && !resumeShown
      ? actionForm(
          actions,
          "resume",
          `<p>A step is being tried again after a failure.</p>`,
          `<button type="submit">Try the failed step now</button>`,
        )
      : "",
    allowed("requestApprovalAgain")
      ? actionForm(
          actions,
          "requestApprovalAgain",
          `<p>The last approval round was rejected or expired. Nothing was deleted.</p>`,
          `<button class="primary" type="submit">Ask the approvers again</button>`,
        )
      : "",
    allowed("requestPilotReview")
      ? actionForm(
          actions,
          "requestPilotReview",
          `<p>The next wave is on hold after the pilot review. When you are ready for it, the admins get a new review with the figures as they are then.</p>`,
          `<button class="primary" type="submit">Ask for the pilot review again</button>`,
        )
      : "",
    allowed("extendDeadline")
      ? actionForm(
          actions,
          "extendDeadline",
          `<p><label for="new-deadline">New deadline, ${escapeHtml(zoneName)} time</label> <span class="muted">(now ${when(view.deadline).html})</span><br><input id="new-deadline" name="deadline" type="datetime-local" value="${escapeHtml(wallClockOf(new Date(view.deadline), zoneName))}" required></p>`,
          `<button type="submit">Extend the deadline</button>`,
        )
      : "",
    allowed("resendInvitation")
      ? actionForm(
          actions,
          "resendInvitation",
          `<p><label for="resend-user">Send the invitation again to</label> <span class="muted">(their e-mail address; it goes now, from a sender mailbox with room)</span><br><input id="resend-user" name="user" type="text" maxlength="254" required></p>`,
          `<button type="submit">Resend the invitation</button>`,
        )
      : "",
    allowed("extendPersonDeadline")
      ? actionForm(
          actions,
          "extendPersonDeadline",
          `<p><label for="person-deadline-user">Give one person a later deadline</label> <span class="muted">(their e-mail address; their reminders count down to it, and the window stays open until then)</span><br><input id="person-deadline-user" name="user" type="text" maxlength="254" required></p><p><label for="person-deadline">Their deadline, ${escapeHtml(zoneName)} time</label><br><input id="person-deadline" name="deadline" type="datetime-local" value="${escapeHtml(wallClockOf(new Date(view.deadline), zoneName))}" required></p><p><label for="person-deadline-reason">Why</label> <span class="muted">(optional; kept in the audit trail and the report)</span><br><input id="person-deadline-reason" name="reason" type="text" maxlength="500"></p>`,
          `<button type="submit">Extend this person's deadline</button>`,
        )
      : "",
    allowed("exemptPerson")
      ? actionForm(
          actions,
          "exemptPerson",
          `<p><label for="exempt-user">Exempt a person</label> <span class="muted">(their e-mail address; they get no more mail and no Phase 2 account, and the approvers see why)</span><br><input id="exempt-user" name="user" type="text" maxlength="254" required></p><p><label for="exempt-reason">Why</label><br><input id="exempt-reason" name="reason" type="text" maxlength="500" required></p>`,
          `<button type="submit">Exempt this person</button>`,
        )
      : "",
    allowed("cancel")
      ? actionForm(
          actions,
          "cancel",
          `<p><label for="cancel-reason">Why cancel</label> <span class="muted">(kept in the audit trail; nothing is deleted)</span><br><input id="cancel-reason" name="reason" type="text" maxlength="500"></p>`,
          `<button class="danger" type="submit">Cancel the migration</button>`,
        )
      : "",
  ].filter(Boolean);
  return forms.length ? `<h2>What you can do</h2><div class="card" id="actions">${forms.join("")}</div>` : "";
}

function timeline(current: string): string {
  const index = PHASES.indexOf(current);
  const items = PHASES.map(
    (p, i) =>
      `<li class="${p === current ? "now" : index > i || current === "completed" ? "done" : ""}"${p === current ? ' aria-current="step"' : ""}>${escapeHtml(phaseInWords(p))}</li>`,
  );
  if (current === "cancelled" || current === "failed")
    items.push(`<li class="now" aria-current="step">${escapeHtml(phaseInWords(current))}</li>`);
  return `<ol class="timeline" aria-label="phases">${items.join("")}</ol>`;
}

/** A date-axis label: day and month in the migration's zone. */
const axisDay = (t: number, timeZone = "UTC") =>
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone }).format(t);
const DAY_MS = 86_400_000;

/**
 * Onboarded users at each monitor pass (the last one labelled with its count), over a date axis with a tick a
 * day (or fewer on long windows), reminder moments as dashed lines, the deadline in red, and a legend for each.
 */
function chart(view: StatusView): string {
  const points = view.audit
    .filter((a) => a.action === "monitor.progress")
    .map((a) => ({
      t: Date.parse(a.at),
      v: Number((a.details.counts as { onboarded?: number } | undefined)?.onboarded ?? 0),
    }));
  const reminders = view.audit
    .filter((a) => a.action === "mail.reminder.sent")
    .map((a) => ({ t: Date.parse(a.at), label: `${describeIsoDuration(String(a.details.reminder ?? ""))} before` }));
  const waveStarts = view.audit
    .filter((a) => a.action === "wave.started")
    .map((a) => ({ t: Date.parse(a.at), label: `${String(a.details.wave ?? "wave")} invited` }));
  if (points.length === 0) return `<p class="muted">No monitor pass yet.</p>`;
  // The line ends at the count the page shows above it (a pass that changed nothing records no progress entry).
  const now = Date.parse(view.generatedAt);
  if (now > points[points.length - 1].t && !isFinalPhase(view.phase))
    points.push({ t: now, v: view.figures.onboarded.value });
  const W = 900,
    H = 250,
    P = 40,
    LEGEND = 24;
  const bottom = H - P - LEGEND;
  const t0 = Math.min(...points.map((p) => p.t), ...reminders.map((r) => r.t), ...waveStarts.map((w) => w.t));
  const t1 = Math.max(Date.parse(view.deadline), ...points.map((p) => p.t));
  const max = Math.max(1, view.figures.inScope.value, ...points.map((p) => p.v));
  const x = (t: number) => P + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * P);
  const y = (v: number) => bottom - (v / max) * (bottom - P);
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  const marks = reminders
    .map(
      (r) =>
        `<line x1="${x(r.t).toFixed(1)}" x2="${x(r.t).toFixed(1)}" y1="${P}" y2="${bottom}" stroke="#9a6700" stroke-dasharray="4 3"/><text x="${(x(r.t) + 3).toFixed(1)}" y="${P + 10}" font-size="11" fill="#9a6700">${escapeHtml(r.label)}</text>`,
    )
    .join("");
  const waveMarks = waveStarts
    .map(
      (w) =>
        `<line class="wave-start" x1="${x(w.t).toFixed(1)}" x2="${x(w.t).toFixed(1)}" y1="${P}" y2="${bottom}" stroke="#1a7f37" stroke-dasharray="1 3"/><text x="${(x(w.t) + 3).toFixed(1)}" y="${P + 24}" font-size="11" fill="#1a7f37">${escapeHtml(w.label)}</text>`,
    )
    .join("");
  // Midnight UTC ticks, every `step` days so that at most about ten labels fit.
  const step = Math.max(1, Math.ceil((t1 - t0) / DAY_MS / 10));
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / DAY_MS) * DAY_MS; t <= t1; t += step * DAY_MS) ticks.push(t);
  const axis = ticks
    .map(
      (t) =>
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#8a94a3"/><text class="axis-day" x="${x(t).toFixed(1)}" y="${bottom + 15}" font-size="10" text-anchor="middle" fill="#5b6470">${escapeHtml(axisDay(t, view.timeZone))}</text>`,
    )
    .join("");
  const last = points[points.length - 1];
  // Near the right edge the count goes left of its point, so it is not cut off.
  const nearEnd = x(last.t) > W - P - 90;
  const deadlineX = x(Date.parse(view.deadline)).toFixed(1);
  const ly = H - 10;
  const legend = `<g class="legend" font-size="11"><path d="M${P},${ly - 4} h22" stroke="#2f6fde" stroke-width="2"/><text x="${P + 28}" y="${ly}">onboarded users at each check</text>
    <path d="M${P + 230},${ly - 4} h22" stroke="#9a6700" stroke-dasharray="4 3"/><text x="${P + 258}" y="${ly}" fill="#9a6700">reminder sent (its time before the deadline)</text>
    <path d="M${P + 520},${ly - 4} h22" stroke="#b42318"/><text x="${P + 548}" y="${ly}" fill="#b42318">deadline</text>${
      waveStarts.length
        ? `<path d="M${P + 620},${ly - 4} h22" stroke="#1a7f37" stroke-dasharray="1 3"/><text x="${P + 648}" y="${ly}" fill="#1a7f37">a wave invited</text>`
        : ""
    }</g>`;
  return `<svg id="onboarding-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Onboarded users over time">
    <line x1="${P}" y1="${bottom}" x2="${W - P}" y2="${bottom}" stroke="#8a94a3"/><line x1="${P}" y1="${P}" x2="${P}" y2="${bottom}" stroke="#8a94a3"/>
    <text x="4" y="${y(max) + 4}" font-size="11">${max}</text><text x="4" y="${bottom + 4}" font-size="11">0</text>${axis}
    <line x1="${deadlineX}" x2="${deadlineX}" y1="${P}" y2="${bottom}" stroke="#b42318"/>
    <text x="${(Number(deadlineX) - 50).toFixed(1)}" y="${P - 6}" font-size="11" fill="#b42318">deadline</text>
    ${marks}${waveMarks}<path class="onboarded" d="${line}" fill="none" stroke="#2f6fde" stroke-width="2"/>
    ${points.map((p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="2.5" fill="#2f6fde"/>`).join("")}
    <text class="last-count" x="${(x(last.t) + (nearEnd ? -5 : 5)).toFixed(1)}" y="${(y(last.v) - 5).toFixed(1)}"${nearEnd ? ' text-anchor="end"' : ""} font-size="11" fill="#2f6fde">${last.v} onboarded</text>
    ${legend}
  </svg>`;
}
