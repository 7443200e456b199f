/**
 * The admins' home page: the migrations (workspace, phase, progress, deadline, needs attention) and a start form.
 * The form posts to our own origin (the pages' CSP allows `form-action 'self'` and no script): the server answers
 * with the dry-run plan and a confirm form, and only that confirm starts anything.
 */
import { describeIsoDuration } from "../domain/duration";
import type { MigrationFigures } from "../domain/figures";
import type { MailPlan, WavePlan } from "../domain/mailPlan";
import { DEFAULT_TIME_ZONE, formatDay, formatHuman, isTimeZone } from "../domain/humanTime";
import { instantOfWallClock } from "../domain/wallClock";
import type { ScopeRemoval } from "../domain/scope";
import type { PreflightFinding } from "../graph/preflight";
import type { MigrationCounts } from "../workflow";
import type { FieldError } from "../validation/startRequest";
import { capitalised, phaseInWords, stepInWords } from "../domain/inWords";
import { escapeHtml, nameHtml, page, signedInHtml, type SignedInView } from "./layout";

export interface MigrationSummary {
  id: string;
  workspace: string;
  phase: string;
  status: string;
  counts: MigrationCounts;
  figures: MigrationFigures;
  deadline: string;
  /** IANA zone the deadline is shown in on the page (absent: UTC). */
  timeZone?: string;
  needsAttention: { step: string; message: string } | null;
  links: { page: string };
}

/** The start form's fields, as the admin typed them (text), so a refused form comes back as it was sent. */
export type StartForm = Record<
  | (typeof TEXT_FIELDS)[number]["name"]
  | (typeof CHECKBOXES)[number]["name"]
  | (typeof PILOT_FIELDS)[number]["name"]
  | "pilotReview"
  | "phase2"
  | "timeZone",
  string
>;

/**
 * An optional pilot wave before everyone else (shared/domain/waves.ts): with a pilot group, the request gets two
 * waves, the pilot to its own deadline and reminders, then everyone else to the deadline above.
 */
const PILOT_FIELDS = [
  {
    name: "pilotGroup",
    label: "Pilot wave: Entra group (optional)",
    hint: "object id of the pilot group; empty for one wave of everyone",
  },
  { name: "pilotName", label: "Pilot wave: name", hint: "what pages and e-mails call it, e.g. Pilot" },
  {
    name: "pilotDeadlineDate",
    label: "Pilot wave: deadline day",
    hint: "the pilot's last day to onboard",
    type: "date",
  },
  { name: "pilotDeadlineTime", label: "Pilot wave: deadline time", hint: "in the time zone above", type: "time" },
  {
    name: "pilotReminders",
    label: "Pilot wave: reminders before its deadline",
    hint: "comma-separated, e.g. 2 days, 4 hours",
  },
] as const;
const PILOT_REVIEW_LABEL = "Ask the admins to review the pilot's results before everyone else is invited";
/** The wave everyone else is in (the form's pilot is wave 1). */
const EVERYONE_ELSE = "Everyone else";

const TEXT_FIELDS = [
  { name: "workspace", label: "Peig workspace", hint: "e.g. contoso" },
  { name: "domain", label: "Corporate domain", hint: "e.g. contoso.com" },
  {
    name: "idpEntityId",
    label: "Peig IDP Entity ID (operator mode)",
    hint: "https://[SERVER]/idp/shibboleth; empty in api mode",
  },
  { name: "deadlineDate", label: "Deadline: day", hint: "the last day to onboard", type: "date" },
  { name: "deadlineTime", label: "Deadline: time", hint: "in the time zone below", type: "time" },
  {
    name: "reminders",
    label: "Reminders before the deadline",
    hint: "how long before the deadline, comma-separated, e.g. 7 days, 3 days, 1 day, 4 hours",
  },
  { name: "monitorEvery", label: "Check progress every", hint: "15 minutes to 1 day, e.g. 12 hours" },
  {
    name: "includeGroups",
    label: "Entra groups in scope (optional)",
    hint: "object ids, comma-separated; members of nested groups count too; empty for all users of the domain",
  },
  {
    name: "excludeGroups",
    label: "Entra groups left out (optional)",
    hint: "object ids, comma-separated; their members are left out even when a group above holds them",
  },
  { name: "approvers", label: "Deletion approvers", hint: "e-mail addresses, comma-separated" },
  { name: "requiredApprovals", label: "Approvals required", hint: "a whole number, at most the number of approvers" },
  {
    name: "fallbackApprovers",
    label: "Fallback approvers (optional)",
    hint: "e-mail addresses, comma-separated; asked too when the approvers have not reached the quorum in time",
  },
  {
    name: "escalateAfter",
    label: "Ask the fallback approvers after (optional)",
    hint: "how long the approvers have first, e.g. 2 days",
  },
  { name: "admins", label: "Admins (digests)", hint: "e-mail addresses, comma-separated" },
] as const;

const CHECKBOXES = [
  { name: "excludeGuests", label: "Leave out guests (accounts of other organisations)" },
  { name: "excludeDisabledAccounts", label: "Leave out disabled accounts" },
  {
    name: "excludeUnlicensed",
    label: "Leave out accounts without a licence (shared and room mailboxes, service accounts)",
  },
  { name: "endEarly", label: "End the window early once everyone has onboarded" },
  { name: "personalisedReminders", label: "One reminder message per person (slower, personal)" },
  { name: "acceptPlanWarnings", label: "Start even if the mail plan cannot reach everyone in time" },
] as const;

/** Address lists split at commas and white space; reminders only at commas, since "1 day 12 hours" is one. */
const LIST_SEPARATORS: Record<string, RegExp> = {
  reminders: /[,;]+/,
  approvers: /[\s,;]+/,
  admins: /[\s,;]+/,
  includeGroups: /[\s,;]+/,
  fallbackApprovers: /[\s,;]+/,
  excludeGroups: /[\s,;]+/,
};
const OPTIONAL_FIELDS = new Set([
  "idpEntityId",
  "includeGroups",
  "excludeGroups",
  "fallbackApprovers",
  "escalateAfter",
]);
/** The form's parts that make up the request's deadline (with the time zone). */
const DEADLINE_PARTS = new Set(["deadlineDate", "deadlineTime"]);

export const emptyStartForm = (): StartForm =>
  ({
    ...Object.fromEntries([...TEXT_FIELDS, ...CHECKBOXES].map((f) => [f.name, ""])),
    phase2: "auto",
    deadlineTime: "17:00",
    timeZone: DEFAULT_TIME_ZONE,
    reminders: "7 days, 3 days, 1 day, 4 hours",
    monitorEvery: "12 hours",
    requiredApprovals: "1",
    // The built-in exclusions are on unless the admin switches them off.
    excludeGuests: "on",
    excludeDisabledAccounts: "on",
    excludeUnlicensed: "on",
    ...Object.fromEntries(PILOT_FIELDS.map((f) => [f.name, ""])),
    pilotName: "Pilot",
    pilotDeadlineTime: "17:00",
    pilotReminders: "2 days",
    pilotReview: "on",
  }) as StartForm;

/** The posted form (application/x-www-form-urlencoded) as the admin typed it. */
export function startFormFrom(posted: URLSearchParams): StartForm {
  const form = emptyStartForm();
  for (const f of TEXT_FIELDS) form[f.name] = posted.get(f.name) ?? "";
  for (const f of CHECKBOXES) form[f.name] = posted.has(f.name) ? "on" : "";
  for (const f of PILOT_FIELDS) form[f.name] = posted.get(f.name) ?? "";
  form.pilotReview = posted.has("pilotReview") ? "on" : "";
  form.phase2 = posted.get("phase2") ?? "";
  form.timeZone = posted.get("timeZone") ?? DEFAULT_TIME_ZONE;
  return form;
}

/**
 * The start request the form stands for, and what the form itself gets wrong (a deadline day or time that is no
 * date): lists split, the deadline's day and time read in the chosen zone, a whole number for requiredApprovals
 * (anything else is passed on as typed, so the validation names the field), checkboxes as booleans. Durations go as
 * typed ("7 days"): the request takes them in words.
 */
export function startBodyFromForm(form: StartForm): { body: Record<string, unknown>; errors: FieldError[] } {
  const body: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const { name } of TEXT_FIELDS) {
    const text = form[name].trim();
    if ((OPTIONAL_FIELDS.has(name) && text === "") || DEADLINE_PARTS.has(name)) continue;
    if (LIST_SEPARATORS[name])
      body[name] = text
        .split(LIST_SEPARATORS[name])
        .map((item) => item.trim())
        .filter(Boolean);
    else if (name === "requiredApprovals") body[name] = /^\d{1,6}$/.test(text) ? Number(text) : text;
    else body[name] = text;
  }
  const zone = form.timeZone.trim() || DEFAULT_TIME_ZONE;
  body.timeZone = zone;
  const deadline = instantOfWallClock(
    `${form.deadlineDate.trim()}T${form.deadlineTime.trim()}`,
    isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE,
  );
  if (deadline) body.deadline = deadline.toISOString();
  else errors.push({ field: "deadline", message: "choose the day and the time of the deadline" });
  body.phase2 = form.phase2;
  for (const { name } of CHECKBOXES) body[name] = form[name] === "on";
  if (form.pilotGroup.trim()) {
    const pilotDeadline = instantOfWallClock(
      `${form.pilotDeadlineDate.trim()}T${form.pilotDeadlineTime.trim()}`,
      isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE,
    );
    if (!pilotDeadline)
      errors.push({ field: "waves.0.deadline", message: "choose the day and the time of the pilot's deadline" });
    body.waves = [
      {
        name: form.pilotName.trim(),
        group: form.pilotGroup.trim(),
        ...(pilotDeadline ? { deadline: pilotDeadline.toISOString() } : {}),
        reminders: form.pilotReminders
          .split(LIST_SEPARATORS.reminders)
          .map((item) => item.trim())
          .filter(Boolean),
      },
      { name: EVERYONE_ELSE, ...(form.pilotReview === "on" ? { review: true } : {}) },
    ];
  }
  return { body, errors };
}

/** "waves.0.group" as the form's reader knows it: the pilot wave's group. */
const waveFieldInWords = (field: string) => {
  const [, index, name] = field.split(".");
  const wave = index === "0" ? "pilot wave" : "everyone else";
  const words: Record<string, string> = {
    name: "name",
    group: "Entra group",
    deadline: "deadline",
    reminders: "reminders",
    invitationDate: "start",
    review: "review",
  };
  return name ? `${capitalised(wave)}, ${words[name] ?? name}` : capitalised(wave);
};

/** "approvers.1" as the form's reader counts: "item 2". */
const itemOf = (path: string) => {
  const index = Number(path.split(".")[1]);
  return Number.isInteger(index) ? `item ${index + 1}` : path;
};

function errorsOf(errors: readonly FieldError[], field: string): string {
  const mine = errors.filter((e) => e.field === field || e.field.startsWith(`${field}.`));
  return mine
    .map(
      (e) =>
        `<div class="bad" data-error-for="${escapeHtml(field)}">${escapeHtml(e.field === field ? e.message : `${itemOf(e.field)}: ${e.message}`)}</div>`,
    )
    .join("");
}

const FORM_FIELD_NAMES = new Set<string>([
  ...TEXT_FIELDS.map((f) => f.name),
  ...CHECKBOXES.map((f) => f.name),
  "phase2",
  "timeZone",
  "deadline",
  "waves",
]);

/** Every zone Intl knows, UTC first. */
const TIME_ZONES = [DEFAULT_TIME_ZONE, ...Intl.supportedValuesOf("timeZone").filter((z) => z !== DEFAULT_TIME_ZONE)];

function timeZoneHtml(form: StartForm, errors: readonly FieldError[]): string {
  const options = TIME_ZONES.map(
    (zone) =>
      `<option value="${escapeHtml(zone)}"${zone === form.timeZone ? " selected" : ""}>${escapeHtml(zone.replace(/_/g, " "))}</option>`,
  ).join("");
  return `<p><label for="f-timeZone"><strong>Time zone</strong></label><br><select id="f-timeZone" aria-describedby="h-timeZone" name="timeZone">${options}</select><br><span class="muted" id="h-timeZone">the deadline's, and the one pages and e-mails show times in</span>${errorsOf(errors, "timeZone")}${errorsOf(errors, "deadline")}</p>`;
}

function startFormHtml(form: StartForm, errors: readonly FieldError[], action: string): string {
  const text = TEXT_FIELDS.map((f) => {
    const type = "type" in f ? f.type : "text";
    const input = `<input id="f-${f.name}" name="${f.name}" type="${type}" value="${escapeHtml(form[f.name])}"${type === "text" ? ' size="60"' : ""} aria-describedby="h-${f.name}">`;
    const field = `<p><label for="f-${f.name}"><strong>${escapeHtml(f.label)}</strong></label><br>${input}<br><span class="muted" id="h-${f.name}">${escapeHtml(f.hint)}</span>${errorsOf(errors, f.name)}</p>`;
    return f.name === "deadlineTime" ? `${field}${timeZoneHtml(form, errors)}` : field;
  }).join("");
  const phase2 = `<p><label for="f-phase2"><strong>Phase 2 (Peig accounts for who did not onboard)</strong></label><br><select id="f-phase2" name="phase2">${(
    [
      ["auto", "create them automatically"],
      ["approve", "create them after an approval"],
      ["skip", "do not create any"],
    ] as const
  )
    .map(
      ([value, label]) =>
        `<option value="${value}"${form.phase2 === value ? " selected" : ""}>${escapeHtml(label)}</option>`,
    )
    .join("")}</select>${errorsOf(errors, "phase2")}</p>`;
  const pilot = PILOT_FIELDS.map((f) => {
    const type = "type" in f ? f.type : "text";
    const input = `<input id="f-${f.name}" name="${f.name}" type="${type}" value="${escapeHtml(form[f.name])}"${type === "text" ? ' size="60"' : ""} aria-describedby="h-${f.name}">`;
    return `<p><label for="f-${f.name}"><strong>${escapeHtml(f.label)}</strong></label><br>${input}<br><span class="muted" id="h-${f.name}">${escapeHtml(f.hint)}</span></p>`;
  }).join("");
  const waveErrors = errors
    .filter((e) => e.field === "waves" || e.field.startsWith("waves."))
    .map(
      (e) =>
        `<div class="bad" data-error-for="waves">${escapeHtml(`${waveFieldInWords(e.field)}: ${e.message}`)}</div>`,
    )
    .join("");
  const waves = `<fieldset id="pilot-wave"><legend>A pilot wave first (optional)</legend><p class="muted">With a pilot group, its members are invited first, to their own deadline; everyone else is invited when the pilot's deadline comes, to the deadline above.</p>${pilot}<p><label><input type="checkbox" name="pilotReview"${form.pilotReview === "on" ? " checked" : ""}> ${escapeHtml(PILOT_REVIEW_LABEL)}</label></p>${waveErrors}</fieldset>`;
  const boxes = CHECKBOXES.map(
    (f) =>
      `<p><label><input type="checkbox" name="${f.name}"${form[f.name] === "on" ? " checked" : ""}> ${escapeHtml(f.label)}</label>${errorsOf(errors, f.name)}</p>`,
  ).join("");
  // Errors about no form field (a setting, the tenant's permissions, the body) are listed above the form.
  const general = errors.filter((e) => !FORM_FIELD_NAMES.has(e.field.split(".")[0]));
  const generalHtml = general.length
    ? `<div class="card attention" id="form-errors"><ul>${general.map((e) => `<li><strong>${escapeHtml(e.field)}</strong>: ${escapeHtml(e.message)}</li>`).join("")}</ul></div>`
    : "";
  return `${generalHtml}<form method="post" action="${escapeHtml(action)}">${text}${waves}${phase2}${boxes}<p><button class="primary" type="submit">Show the plan</button> <span class="muted">Nothing starts until you confirm the plan.</span></p></form>`;
}

function progressText(f: MigrationFigures): string {
  return `${f.onboarded.text}, of ${f.inScope.text}; ${f.awaitingFirstSignIn.text}`;
}

export function renderHomePage(input: {
  migrations: MigrationSummary[];
  next: string | null;
  form: StartForm;
  errors: FieldError[];
  /** Where the start form posts; absent for a Viewer, who sees no form. */
  planAction?: string;
  signedIn: SignedInView;
  notice?: string;
}): string {
  const rows = input.migrations
    .map(
      (m) =>
        `<tr><td><a href="${escapeHtml(m.links.page)}">${nameHtml(m.workspace)}</a></td><td>${escapeHtml(phaseInWords(m.phase))}</td><td>${escapeHtml(progressText(m.figures))}</td><td><time datetime="${escapeHtml(m.deadline)}">${escapeHtml(formatHuman(new Date(m.deadline), m.timeZone))}</time></td><td>${
          m.needsAttention
            ? `<span class="bad">${escapeHtml(`${capitalised(stepInWords(m.needsAttention.step))}: ${m.needsAttention.message}`)}</span>`
            : `<span class="muted">no</span>`
        }</td></tr>`,
    )
    .join("");
  const list = input.migrations.length
    ? `<div class="scroll"><table id="migrations"><thead><tr><th scope="col">Workspace</th><th scope="col">Phase</th><th scope="col">Progress</th><th scope="col">Deadline</th><th scope="col">Needs attention</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : `<p class="muted" id="migrations">No migrations yet.</p>`;
  const more = input.next ? `<p><a href="${escapeHtml(input.next)}">More migrations</a></p>` : "";
  const notice = input.notice ? `<div class="card attention">${escapeHtml(input.notice)}</div>` : "";
  return page(
    "Peig migrations",
    `<h1>Peig migrations</h1>${signedInHtml(input.signedIn)}${notice}<div class="card"><h2>Migrations</h2>${list}${more}</div>${
      input.planAction
        ? `<div class="card"><h2>Start a migration</h2>${startFormHtml(input.form, input.errors, input.planAction)}</div>`
        : ""
    }`,
  );
}

export interface PlanView {
  usersInScope: number;
  /** Who each scope rule left out, with a few names. */
  leftOut: ScopeRemoval[];
  recipients: number;
  deadline: string;
  monitor: { every: string; checks: number };
  invitation: MailPlan["invitation"];
  reminders: MailPlan["reminders"];
  senders: string[];
  shortfalls: string[];
  warnings: string[];
  /** A migration with waves: each wave's people and mail (the sends above are then the first wave's). */
  waves?: WavePlan[];
}

/** Each scope rule with how many it left out and who, for example; rules that left nobody out say so. */
function leftOutHtml(leftOut: readonly ScopeRemoval[]): string {
  const rows = leftOut
    .map(
      (r) =>
        `<tr data-rule="${r.rule}"><td>${escapeHtml(capitalised(r.description))}</td><td>${r.count}</td><td>${r.sample.length ? escapeHtml(r.sample.join(", ")) + (r.count > r.sample.length ? ", …" : "") : "nobody"}</td></tr>`,
    )
    .join("");
  return `<div class="scroll"><table id="left-out"><thead><tr><th scope="col">Rule</th><th scope="col">Left out</th><th scope="col">For example</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The form's fields as hidden inputs: the confirm carries exactly the request the plan was made for. */
function hiddenForm(form: StartForm): string {
  return Object.entries(form)
    .filter(([name, value]) => value !== "" || !(name === "pilotReview" || CHECKBOXES.some((f) => f.name === name)))
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
}

/** The dry-run plan with a confirm form (carrying the request shown and a CSRF token bound to it) and a way back to the form. */
export function renderPlanPage(input: {
  plan: PlanView;
  preflight: PreflightFinding[];
  form: StartForm;
  csrf: string;
  startAction: string;
  editAction: string;
}): string {
  const { plan } = input;
  const zone = isTimeZone(input.form.timeZone) ? input.form.timeZone : DEFAULT_TIME_ZONE;
  const when = (iso: string | null) => (iso ? formatHuman(new Date(iso), zone) : "not in time");
  const sendLabel = (label: string) =>
    label === "invitation" ? "Invitation" : `Reminder ${describeIsoDuration(label)} before the deadline`;
  const sendsOf = (mail: Pick<MailPlan, "invitation" | "reminders">) =>
    [mail.invitation, ...mail.reminders]
      .map(
        (s) =>
          `<tr><td>${escapeHtml(sendLabel(s.label))}</td><td>${escapeHtml(when(s.at))}</td><td>${s.recipients}</td><td>${s.messages}</td><td>${escapeHtml(when(s.finishesAt))}</td></tr>`,
      )
      .join("");
  const sendsTable = (mail: Pick<MailPlan, "invitation" | "reminders">) =>
    `<div class="scroll"><table><thead><tr><th scope="col">Mail</th><th scope="col">Starts</th><th scope="col">Recipients</th><th scope="col">Messages</th><th scope="col">Last recipient mailed</th></tr></thead><tbody>${sendsOf(mail)}</tbody></table></div>`;
  const mailPlan = plan.waves?.length
    ? plan.waves
        .map(
          (w, i) =>
            `<h3>Wave ${i + 1}: ${escapeHtml(w.name)}</h3><p class="wave-plan">${w.usersInScope} users (${w.recipients} with a mailbox); invited ${escapeHtml(w.reviewFirst ? `after the admins' pilot review, at the earliest ${when(w.startsAt)}` : when(w.startsAt))}; deadline ${escapeHtml(when(w.deadline))}.</p>${sendsTable(w.mail)}`,
        )
        .join("")
    : sendsTable(plan);
  const reminderDays = plan.reminders.map((r) => formatDay(new Date(r.at), zone));
  const list = (items: string[], cls: string) =>
    items.length
      ? `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`
      : `<p class="muted">None.</p>`;
  const findings = input.preflight.map(
    (f) => `${f.severity === "blocking" ? "Blocking" : "Warning"} (${f.field}): ${f.problem} Fix: ${f.fix}`,
  );
  const blocking = input.preflight.some((f) => f.severity === "blocking");
  const body = `<h1>The plan</h1><p class="muted">Nothing has started yet.</p>
<div class="card" id="plan"><p><strong id="users-in-scope">${plan.usersInScope}</strong> users in scope, <strong>${plan.recipients}</strong> of them with a mailbox (the only ones mail reaches).</p>
<p id="plan-times">Deadline <strong>${escapeHtml(when(plan.deadline))}</strong> (${escapeHtml(zone.replace(/_/g, " "))}); ${plan.waves?.length ? "each wave's reminders below" : reminderDays.length ? `reminders on ${escapeHtml(reminderDays.join(", "))}` : "no reminders"}; progress checked every ${escapeHtml(describeIsoDuration(plan.monitor.every))} (${plan.monitor.checks} checks).</p>
<h2>Left out</h2>${leftOutHtml(plan.leftOut)}
<h2>Mail plan</h2><p>Sent from ${escapeHtml(plan.senders.join(", ") || "no mailbox")}.</p>${mailPlan}
<h2>Shortfalls</h2>${list(plan.shortfalls, "bad")}<h2>Warnings</h2>${list(plan.warnings, "warn")}<h2>Preflight</h2>${list(findings, blocking ? "bad" : "warn")}</div>
${
  blocking
    ? `<p class="bad" id="refused">This migration cannot start until the blocking findings above are resolved.</p>`
    : `<form method="post" action="${escapeHtml(input.startAction)}">${hiddenForm(input.form)}<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><p><button class="primary" type="submit">Start the migration</button></p></form>`
}
<form method="post" action="${escapeHtml(input.editAction)}">${hiddenForm(input.form)}<input type="hidden" name="edit" value="1"><p><button type="submit">Change the request</button></p></form>`;
  return page("The plan", body);
}
