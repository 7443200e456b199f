/**
 * The page an e-mailed task link opens. Loading it changes nothing (mail scanners fetch links); the
 * decision is a POST from its buttons, carrying a CSRF token that must match the page's cookie.
 */
import type { TaskPayload } from "../taskPayloads";
import type { MergeList } from "../domain/merges";
import { checklistHtml, escapeHtml, isolatedParts, nameHtml, page, table, timeHtml } from "./layout";

export interface TaskPageInput {
  payload: TaskPayload;
  assignee: string;
  expiresAt: string;
  csrf: string;
  /** Full list for account-creation tasks (the payload keeps only a sample). */
  accounts?: { displayName: string; userPrincipalName: string }[];
  /** The time the page is shown at (relative times count from it). */
  now: Date;
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
  const body = `
  <h1>${escapeHtml(p.title)}</h1>
  <p class="muted">Peig workspace ${escapeHtml(p.workspace)} · for ${nameHtml(input.assignee)} · this link works until ${timeHtml(input.expiresAt, input.now, p.timeZone)}</p>
  <div class="card"><p>${escapeHtml(p.summary)}</p>
    <h2>What happens ${p.decisions.includes("done") ? "when you confirm" : "if approved"}</h2><ul>${p.whatHappens.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>
    ${p.irreversible ? `<p class="bad"><strong>This cannot be undone.</strong></p>` : ""}
  </div>
  ${p.instructions?.length ? `<h2>Steps</h2><ol>${p.instructions.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ol>` : ""}
  ${p.values?.length ? `<h2>Values to paste</h2>${p.values.map((v) => `<p><strong>${escapeHtml(v.label)}</strong></p><pre>${escapeHtml(v.value)}</pre>`).join("")}` : ""}
  ${
    input.accounts
      ? `<h2>Accounts (${input.accounts.length})</h2>${table(
          ["Name", "Microsoft 365 account"],
          input.accounts.map((a) => [a.displayName, a.userPrincipalName]),
        )}`
      : ""
  }
  ${p.merges ? mergesHtml(p.merges) : ""}
  ${p.evidence?.length ? `<h2>Evidence</h2>${checklistHtml(p.evidence)}` : ""}
  <form method="post" class="card">
    <input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
    ${p.decisions.includes("reject") ? `<p><label>Reason (optional, sent to the admins)<br><input name="reason" maxlength="500" style="width:100%"></label></p>` : ""}
    ${buttons}
  </form>`;
  return page(p.title, body);
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
      ? `<p class="muted">${list.more} more request(s) follow in the next task, once these are done.</p>`
      : "";
  return `<h2>To merge (${list.merges.length})</h2>${merges}${manual}${more}`;
}

export function renderTaskMessage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><div class="card"><p>${escapeHtml(message)}</p></div>`);
}
