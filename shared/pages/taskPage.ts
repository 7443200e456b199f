/**
 * The page an e-mailed task link opens. Loading it changes nothing (mail scanners fetch links); the
 * decision is a POST from its buttons, carrying a CSRF token that must match the page's cookie.
 */
import { confirmationFields } from "../peig/operatorSteps";
import type { MergeList } from "../domain/merges";
import { formatHuman } from "../domain/humanTime";
import type { TaskRecord } from "../store";
import { operatorStepOf, type TaskDecision, type TaskPayload } from "../taskPayloads";
import { checklistHtml, escapeHtml, isolatedParts, nameHtml, page, table, timeHtml } from "./layout";

export interface TaskPageInput {
  payload: TaskPayload;
  assignee: string;
  expiresAt: string;
  csrf: string;
  /** Full list for account-creation tasks (the payload keeps only a sample). */
  accounts?: { displayName: string; userPrincipalName: string }[];
  /** Phase 2's task asked again: the listed users the app has not seen sign in yet (those still missing are among them). */
  stillMissing?: { displayName: string; userPrincipalName: string }[];
  /** The task's round: a later one says it is asked again. */
  round?: number;
  /** The time the page is shown at (relative times count from it). */
  now: Date;
  /** The local Peig simulator's console (the demo): each named console screen links there. */
  peigConsoleUrl?: string;
  /** A confirmation refused: each figure that contradicts what the app knows, and why. */
  refusal?: { field: string; message: string }[];
  /** The figures as the person entered them (shown again after a refusal). */
  entered?: Record<string, string>;
  /** Operator steps: what the app counts now (figureLines), which the figures entered are compared with. */
  appCounts?: string[];
  /** Approvals: where the "hand it to a colleague" form posts (absent: no such form). */
  delegateAction?: string;
}

const LABELS: Record<string, { text: string; style: string }> = {
  approve: { text: "Approve", style: "primary" },
  reject: { text: "Reject", style: "" },
  done: { text: "I have done this", style: "primary" },
};

export function renderTaskPage(input: TaskPageInput): string {
  const p = input.payload;
  const buttons = p.decisions
    .map(
      (d) =>
        `<button type="submit" name="decision" value="${escapeHtml(d)}" class="${d === "approve" && p.irreversible ? "danger" : (LABELS[d]?.style ?? "")}">${escapeHtml(p.labels?.[d] ?? LABELS[d]?.text ?? d)}</button>`,
    )
    .join("");
  const kind = p.decisions.includes("done") ? operatorStepOf(p.purpose) : undefined;
  const fields = kind ? confirmationFields[kind] : [];
  const refusal = input.refusal?.length
    ? `<div class="card attention" role="alert" id="refusal"><h2>Not confirmed: the figures do not agree</h2><ul>${input.refusal.map((r) => `<li>${escapeHtml(r.message)}</li>`).join("")}</ul><p>Nothing was recorded. Check in Peig, then confirm again.</p></div>`
    : "";
  const appCounts = input.appCounts?.length
    ? `<p class="muted">What the app counts now, to compare with:</p><ul class="muted" id="app-counts">${input.appCounts.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`
    : "";
  const figureInputs = fields.length
    ? `<fieldset><legend>What Peig shows now</legend>${appCounts}${fields
        .map(
          (f) =>
            `<p><label>${escapeHtml(f.label)}<br><input name="${escapeHtml(f.name)}" required ${f.kind === "count" ? 'inputmode="numeric" pattern="[0-9]+"' : 'size="40"'} value="${escapeHtml(input.entered?.[f.name] ?? "")}"${input.refusal?.some((r) => r.field === f.name) ? ' aria-invalid="true"' : ""}></label></p>`,
        )
        .join("")}</fieldset>`
    : "";
  const body = `
  <h1>${escapeHtml(p.title)}</h1>${refusal}
  <p class="muted">Peig workspace ${escapeHtml(p.workspace)} · for ${nameHtml(input.assignee)}${(input.round ?? 1) > 1 ? ` · <span id="round">${roundInWords(p.purpose, input.round!)}</span>` : ""} · this link works until ${timeHtml(input.expiresAt, input.now, p.timeZone)}</p>
  <div class="card"><p>${escapeHtml(p.summary)}</p>
    <h2>What happens ${p.decisions.includes("done") ? "when you confirm" : p.labels?.approve ? `if you answer “${escapeHtml(p.labels.approve)}”` : "if approved"}</h2><ul>${p.whatHappens.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>
    ${p.irreversible ? `<p class="bad"><strong>This cannot be undone.</strong></p>` : ""}
  </div>
  ${p.consolePages?.length ? consolePagesHtml(p.consolePages, input.peigConsoleUrl) : ""}
  ${p.instructions?.length ? `<h2>Steps</h2><ol>${p.instructions.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ol>` : ""}
  ${p.values?.length ? `<h2>Values to paste</h2>${p.values.map((v) => `<p><strong>${escapeHtml(v.label)}</strong></p><pre>${escapeHtml(v.value)}</pre>`).join("")}` : ""}
  ${input.stillMissing ? stillMissingHtml(input.stillMissing, input.accounts?.length ?? 0) : ""}
  ${
    input.accounts
      ? `<h2>Accounts (${input.accounts.length})</h2>${table(
          ["Name", "Microsoft 365 account"],
          input.accounts.map((a) => [a.displayName, a.userPrincipalName]),
        )}`
      : ""
  }
  ${p.merges ? mergesHtml(p.merges) : ""}
  ${p.waveResults?.length ? waveResultsHtml(p.waveResults) : ""}
  ${p.evidence?.length ? `<h2>Evidence</h2>${checklistHtml(p.evidence)}` : ""}
  <form method="post" class="card">
    <input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
    ${figureInputs}
    ${p.decisions.includes("reject") ? `<p><label>Reason (optional, sent to the admins)<br><input name="reason" maxlength="500" style="width:100%"></label></p>` : ""}
    ${buttons}
  </form>
  ${
    input.delegateAction && p.decisions.includes("approve")
      ? `<form method="post" action="${escapeHtml(input.delegateAction)}" class="card" id="delegate"><h2>Away, or not the right person?</h2><p>Hand this task to a colleague: they get their own link, and this one stops working.</p><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><p><label for="delegate-to">Colleague's e-mail address</label><br><input id="delegate-to" name="delegate" type="email" maxlength="254" required></p><p><label for="delegate-reason">Why (sent to the admins)</label><br><input id="delegate-reason" name="reason" maxlength="500" required style="width:100%"></p><button type="submit">Hand it over</button></form>`
      : ""
  }`;
  return page(p.title, body);
}

/** The pilot review's evidence: each earlier wave's figures, in the sentences every view uses. */
function waveResultsHtml(results: { wave: string; lines: string[] }[]): string {
  return `<h2>How the earlier waves went</h2>${results
    .map(
      (r) =>
        `<div class="card wave-results"><h3>${escapeHtml(r.wave)}</h3><ul>${r.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul></div>`,
    )
    .join("")}`;
}

/** Phase 2's task asked again: the listed users not seen signing in (all of them in one sentence, not a second table). */
function stillMissingHtml(users: { displayName: string; userPrincipalName: string }[], listed: number): string {
  const heading = `<h2>Still without a Peig account (${users.length})</h2>`;
  const linked = "Those who already show a linked Peig account count as already linked.";
  if (users.length === listed)
    return `<section id="still-missing">${heading}<p>None of the ${listed} listed users had signed in when this round opened, so the accounts still missing may be any of them (under Accounts below). ${linked}</p></section>`;
  return `<section id="still-missing">${heading}<p class="muted">As far as the app could tell when this round opened (no sign-in to the migration app, no round confirmed for them without failures): the accounts still missing are among these. ${linked}</p>${table(
    ["Name", "Microsoft 365 account"],
    users.map((a) => [a.displayName, a.userPrincipalName]),
  )}</section>`;
}

/** A later round in words: the same question asked again (a merge task's rounds each list other requests). */
const roundInWords = (purpose: TaskPayload["purpose"], round: number) =>
  purpose === "peigMerges" ? `round ${round}` : `round ${round}: asked again`;

/** "In Peig, open: Configuration → … → Migration", linked to the simulator's console page in the demo. */
function consolePagesHtml(pages: { name: string; path: string }[], consoleUrl: string | undefined): string {
  const named = pages.map((p) =>
    consoleUrl
      ? `<a href="${escapeHtml(new URL(`.${p.path}`, consoleUrl).toString())}"><strong>${escapeHtml(p.name)}</strong></a>`
      : `<strong>${escapeHtml(p.name)}</strong>`,
  );
  const simulator = consoleUrl ? ` <span class="muted">(the local Peig simulator's console)</span>` : "";
  return `<p class="console-pages">In Peig, open ${named.join(", then ")}${simulator}.</p>`;
}

/** Each request with what the app knows about it: the typed e-mail, the Microsoft 365 account, the Peig account, why. */
function mergesHtml(list: MergeList): string {
  const merges = table(
    ["Typed e-mail", "Microsoft 365 account", "Peig account", "Why it matches"],
    list.merges.map((m) => [
      isolatedParts(m.requestName, `<${m.typedEmail}>`),
      m.userPrincipalName,
      m.peigAccountId ?? "none yet: created before the merge",
      m.reason,
    ]),
  );
  const manual = list.manual.length
    ? `<h2>For you to resolve in Peig (${list.manual.length})</h2><p class="muted">The app cannot tell whom these belong to.</p>${table(
        ["Typed e-mail", "Why the app cannot match it", "What to do in Peig"],
        list.manual.map((m) => [isolatedParts(m.requestName, `<${m.typedEmail}>`), m.reason, m.whatToDo]),
      )}`
    : "";
  const more =
    list.more > 0
      ? `<p class="muted">${list.more === 1 ? "1 more request follows" : `${list.more} more requests follow`} in the next task, once these are done.</p>`
      : "";
  return `<h2>To merge (${list.merges.length})</h2>${merges}${manual}${more}`;
}

export function renderTaskMessage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><div class="card"><p>${escapeHtml(message)}</p></div>`);
}

/** A decision as a sentence's verb: "approved", "rejected", "confirmed it is done". */
export function decisionInWords(decision: TaskDecision | string | undefined): string {
  return (
    { approve: "approved", reject: "rejected", done: "confirmed it is done", delegate: "handed it to a colleague" }[
      decision ?? ""
    ] ?? "answered"
  );
}

/** "cio@contoso.com approved on Sat 2 Jan 2027, 10:04 CET (reason: …)". */
export function decidedInWords(
  task: Pick<TaskRecord, "assignee" | "decidedBy" | "decision" | "decidedAt" | "reason">,
  timeZone?: string,
): string {
  const when = task.decidedAt ? ` on ${formatHuman(new Date(task.decidedAt), timeZone)}` : "";
  // A delegation's reason reads "bob@contoso.com (away all week)": whom it went to, and why.
  if (task.decision === "delegate")
    return `${task.decidedBy ?? task.assignee} handed it to ${task.reason ?? "a colleague"}${when}`;
  const reason = task.reason ? ` (reason: ${task.reason})` : "";
  return `${task.decidedBy ?? task.assignee} ${decisionInWords(task.decision)}${when}${reason}`;
}

/** What a dead link's page says: why the link no longer works, and what the person can do now. */
export interface DeadLink {
  title: string;
  lines: string[];
}

/**
 * Why `task`'s link no longer works, in words a person can act on. `gate` holds the tasks of the same gate (whose
 * decisions closed it), `now` tells an expired task from an open one.
 */
export function whyLinkIsDead(task: TaskRecord, gate: readonly TaskRecord[], now: Date): DeadLink {
  const zone = task.payload.timeZone;
  const what = task.payload.title;
  if (task.status === "decided")
    return {
      title: "Already answered",
      lines: [`“${what}”: ${decidedInWords(task, zone)}.`, "Nothing more is needed from you; you can close this page."],
    };
  const others = gate.filter((t) => t.status === "decided").map((t) => `${decidedInWords(t, zone)}.`);
  const expired = task.status === "expired" || task.closedAs === "expired" || new Date(task.expiresAt) <= now;
  if (task.status === "open" && !expired) return { title: "This link works", lines: [`“${what}” waits for you.`] };
  if (expired)
    return {
      title: "This link has expired",
      lines: [
        `“${what}” was open until ${formatHuman(new Date(task.expiresAt), zone)} and was not decided in time, so nothing was done.`,
        "If it is still needed, the migration's admins ask again and you get a new e-mail.",
      ],
    };
  const because: Record<string, string[]> = {
    cancelled: ["The migration was cancelled, so nothing waits for your answer any more."],
    notNeeded: ["It is not needed any more: what it asked for was done in Peig meanwhile."],
    reissued: ["It was replaced by a newer e-mail for the same task: use the link in that one."],
  };
  return {
    title: "No longer needed",
    lines: because[task.closedAs ?? ""] ?? [
      `“${what}” was decided without your answer:`,
      ...(others.length ? others : ["the others' answers decided it."]),
      "Nothing more is needed from you; you can close this page.",
    ],
  };
}

/** A dead link's page, with a "send me a fresh link" button when the person still has an open task of this kind. */
export function renderDeadLinkPage(dead: DeadLink, freshLink?: { csrf: string; action: string }): string {
  const offer = freshLink
    ? `<form method="post" action="${escapeHtml(freshLink.action)}" class="card"><p>The same question is open for you in a newer e-mail. Lost it? We can mail you a fresh link, to the address this one was sent to.</p><input type="hidden" name="csrf" value="${escapeHtml(freshLink.csrf)}"><button type="submit" class="primary">Send me a fresh link</button></form>`
    : "";
  return page(
    dead.title,
    `<h1>${escapeHtml(dead.title)}</h1><div class="card">${dead.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join("")}</div>${offer}`,
  );
}
