/**
 * The admins' home page: the migrations (workspace, phase, progress, deadline, needs attention) and a start form.
 * The form posts to our own origin (the pages' CSP allows `form-action 'self'` and no script): the server answers
 * with the dry-run plan and a confirm form, and only that confirm starts anything.
 */
import type { MailPlan } from "../domain/mailPlan";
import type { PreflightFinding } from "../graph/preflight";
import type { MigrationCounts } from "../workflow";
import type { FieldError } from "../validation/startRequest";
import { escapeHtml, nameHtml, page } from "./layout";

export interface MigrationSummary {
  id: string;
  workspace: string;
  phase: string;
  status: string;
  counts: MigrationCounts;
  deadline: string;
  needsAttention: { step: string; message: string } | null;
  links: { page: string };
}

/** The start form's fields, as the admin typed them (text), so a refused form comes back as it was sent. */
export type StartForm = Record<
  (typeof TEXT_FIELDS)[number]["name"] | (typeof CHECKBOXES)[number]["name"] | "phase2",
  string
>;

const TEXT_FIELDS = [
  { name: "workspace", label: "Peig workspace", hint: "e.g. contoso" },
  { name: "domain", label: "Corporate domain", hint: "e.g. contoso.com" },
  {
    name: "idpEntityId",
    label: "Peig IDP Entity ID (operator mode)",
    hint: "https://[SERVER]/idp/shibboleth; empty in api mode",
  },
  { name: "deadline", label: "Deadline", hint: "ISO 8601 with an offset, e.g. 2026-12-15T17:00:00Z" },
  {
    name: "reminders",
    label: "Reminders before the deadline",
    hint: "ISO 8601 durations, comma-separated, e.g. P7D, P1D, PT4H",
  },
  { name: "monitorEvery", label: "Check progress every", hint: "PT15M to P1D, e.g. PT12H" },
  {
    name: "scopeGroupId",
    label: "Entra group in scope (optional)",
    hint: "object id; empty for all users of the domain",
  },
  { name: "approvers", label: "Deletion approvers", hint: "e-mail addresses, comma-separated" },
  { name: "requiredApprovals", label: "Approvals required", hint: "a whole number, at most the number of approvers" },
  { name: "admins", label: "Admins (digests)", hint: "e-mail addresses, comma-separated" },
] as const;

const CHECKBOXES = [
  { name: "endEarly", label: "End the window early once everyone has onboarded" },
  { name: "personalisedReminders", label: "One reminder message per person (slower, personal)" },
  { name: "acceptPlanWarnings", label: "Start even if the mail plan cannot reach everyone in time" },
] as const;

const LIST_FIELDS = new Set(["reminders", "approvers", "admins"]);
const OPTIONAL_FIELDS = new Set(["idpEntityId", "scopeGroupId"]);

export const emptyStartForm = (): StartForm =>
  ({
    ...Object.fromEntries([...TEXT_FIELDS, ...CHECKBOXES].map((f) => [f.name, ""])),
    phase2: "auto",
    reminders: "P7D, P3D, P1D, PT4H",
    monitorEvery: "PT12H",
    requiredApprovals: "1",
  }) as StartForm;

/** The posted form (application/x-www-form-urlencoded) as the admin typed it. */
export function startFormFrom(posted: URLSearchParams): StartForm {
  const form = emptyStartForm();
  for (const f of TEXT_FIELDS) form[f.name] = posted.get(f.name) ?? "";
  for (const f of CHECKBOXES) form[f.name] = posted.has(f.name) ? "on" : "";
  form.phase2 = posted.get("phase2") ?? "";
  return form;
}

/**
 * The start request the form stands for: lists split at commas and white space, a whole number for
 * requiredApprovals (anything else is passed on as typed, so the validation names the field), checkboxes as booleans.
 */
export function startBodyFromForm(form: StartForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const { name } of TEXT_FIELDS) {
    const text = form[name].trim();
    if (OPTIONAL_FIELDS.has(name) && text === "") continue;
    if (LIST_FIELDS.has(name)) body[name] = text.split(/[\s,]+/).filter(Boolean);
    else if (name === "requiredApprovals") body[name] = /^\d{1,6}$/.test(text) ? Number(text) : text;
    else body[name] = text;
  }
  body.phase2 = form.phase2;
  for (const { name } of CHECKBOXES) body[name] = form[name] === "on";
  return body;
}

function errorsOf(errors: readonly FieldError[], field: string): string {
  const mine = errors.filter((e) => e.field === field || e.field.startsWith(`${field}.`));
  return mine
    .map(
      (e) =>
        `<div class="bad" data-error-for="${escapeHtml(field)}">${escapeHtml(e.field === field ? e.message : `${e.field}: ${e.message}`)}</div>`,
    )
    .join("");
}

const FORM_FIELD_NAMES = new Set<string>([
  ...TEXT_FIELDS.map((f) => f.name),
  ...CHECKBOXES.map((f) => f.name),
  "phase2",
]);

function startFormHtml(form: StartForm, errors: readonly FieldError[], action: string): string {
  const text = TEXT_FIELDS.map(
    (f) =>
      `<p><label for="f-${f.name}"><strong>${escapeHtml(f.label)}</strong></label><br><input id="f-${f.name}" name="${f.name}" value="${escapeHtml(form[f.name])}" size="60"><br><span class="muted">${escapeHtml(f.hint)}</span>${errorsOf(errors, f.name)}</p>`,
  ).join("");
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
  const boxes = CHECKBOXES.map(
    (f) =>
      `<p><label><input type="checkbox" name="${f.name}"${form[f.name] === "on" ? " checked" : ""}> ${escapeHtml(f.label)}</label>${errorsOf(errors, f.name)}</p>`,
  ).join("");
  // Errors about no form field (a setting, the tenant's permissions, the body) are listed above the form.
  const general = errors.filter((e) => !FORM_FIELD_NAMES.has(e.field.split(".")[0]));
  const generalHtml = general.length
    ? `<div class="card attention" id="form-errors"><ul>${general.map((e) => `<li><strong>${escapeHtml(e.field)}</strong>: ${escapeHtml(e.message)}</li>`).join("")}</ul></div>`
    : "";
  return `${generalHtml}<form method="post" action="${escapeHtml(action)}">${text}${phase2}${boxes}<p><button class="primary" type="submit">Show the plan</button> <span class="muted">Nothing starts until you confirm the plan.</span></p></form>`;
}

function progressText(c: MigrationCounts): string {
  return `${c.onboarded} of ${c.inScope} onboarded; ${c.phase2Created} Phase 2 account(s) created`;
}

export function renderHomePage(input: {
  migrations: MigrationSummary[];
  next: string | null;
  form: StartForm;
  errors: FieldError[];
  planAction: string;
  notice?: string;
}): string {
  const rows = input.migrations
    .map(
      (m) =>
        `<tr><td><a href="${escapeHtml(m.links.page)}">${nameHtml(m.workspace)}</a></td><td>${escapeHtml(m.phase)}</td><td>${escapeHtml(progressText(m.counts))}</td><td>${escapeHtml(m.deadline)}</td><td>${
          m.needsAttention
            ? `<span class="bad">${escapeHtml(`${m.needsAttention.step}: ${m.needsAttention.message}`)}</span>`
            : `<span class="muted">no</span>`
        }</td></tr>`,
    )
    .join("");
  const list = input.migrations.length
    ? `<table id="migrations"><thead><tr><th>Workspace</th><th>Phase</th><th>Progress</th><th>Deadline</th><th>Needs attention</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted" id="migrations">No migrations yet.</p>`;
  const more = input.next ? `<p><a href="${escapeHtml(input.next)}">More migrations</a></p>` : "";
  const notice = input.notice ? `<div class="card attention">${escapeHtml(input.notice)}</div>` : "";
  return page(
    "Peig migrations",
    `<h1>Peig migrations</h1>${notice}<div class="card"><h2>Migrations</h2>${list}${more}</div><div class="card"><h2>Start a migration</h2>${startFormHtml(input.form, input.errors, input.planAction)}</div>`,
  );
}

export interface PlanView {
  usersInScope: number;
  recipients: number;
  deadline: string;
  monitor: { every: string; checks: number };
  invitation: MailPlan["invitation"];
  reminders: MailPlan["reminders"];
  senders: string[];
  shortfalls: string[];
  warnings: string[];
}

/** The form's fields as hidden inputs: the confirm carries exactly the request the plan was made for. */
function hiddenForm(form: StartForm): string {
  return Object.entries(form)
    .filter(([name, value]) => value !== "" || !CHECKBOXES.some((f) => f.name === name))
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
  const sends = [plan.invitation, ...plan.reminders]
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.label)}</td><td>${escapeHtml(s.at)}</td><td>${s.recipients}</td><td>${s.messages}</td><td>${escapeHtml(s.finishesAt ?? "not in time")}</td></tr>`,
    )
    .join("");
  const list = (items: string[], cls: string) =>
    items.length
      ? `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`
      : `<p class="muted">None.</p>`;
  const findings = input.preflight.map(
    (f) => `${f.severity === "blocking" ? "Blocking" : "Warning"} (${f.field}): ${f.problem} Fix: ${f.fix}`,
  );
  const blocking = input.preflight.some((f) => f.severity === "blocking");
  const body = `<h1>The plan</h1><p class="muted">Nothing has started yet.</p>
<div class="card" id="plan"><p><strong id="users-in-scope">${plan.usersInScope}</strong> users in scope, <strong>${plan.recipients}</strong> of them with a mailbox (the only ones mail reaches). Deadline ${escapeHtml(plan.deadline)}; progress checked every ${escapeHtml(plan.monitor.every)} (${plan.monitor.checks} checks).</p>
<h2>Mail plan</h2><p>Sent from ${escapeHtml(plan.senders.join(", ") || "no mailbox")}.</p><table><thead><tr><th>Mail</th><th>Starts</th><th>Recipients</th><th>Messages</th><th>Last recipient mailed</th></tr></thead><tbody>${sends}</tbody></table>
<h2>Shortfalls</h2>${list(plan.shortfalls, "bad")}<h2>Warnings</h2>${list(plan.warnings, "warn")}<h2>Preflight</h2>${list(findings, blocking ? "bad" : "warn")}</div>
${
  blocking
    ? `<p class="bad" id="refused">This migration cannot start until the blocking findings above are resolved.</p>`
    : `<form method="post" action="${escapeHtml(input.startAction)}">${hiddenForm(input.form)}<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><p><button class="primary" type="submit">Start the migration</button></p></form>`
}
<form method="post" action="${escapeHtml(input.editAction)}">${hiddenForm(input.form)}<input type="hidden" name="edit" value="1"><p><button type="submit">Change the request</button></p></form>`;
  return page("The plan", body);
}
