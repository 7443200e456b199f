/**
 * The HTML shell every page shares: self-contained (no script, font or stylesheet from anywhere else,
 * so the pages work offline and under a strict Content-Security-Policy), readable without JavaScript.
 */
import { formatHuman, formatRelative } from "../domain/humanTime";
import { escapeHtml as escapeText, escapeHtmlText, isolate } from "../mail/templates";

/** Any value as HTML text (null and undefined as empty). */
export const escapeHtml = (value: unknown): string => escapeText(String(value ?? ""));

/** A name or other typed text as HTML content, in <bdi> so its direction cannot spill into what follows. */
export const nameHtml = (value: unknown): string => escapeHtmlText(isolate(String(value ?? "")));

/** A table cell made of several parts, each isolated from the others (e.g. a name and its address). */
export const isolatedParts = (...parts: unknown[]): string => parts.map((p) => isolate(String(p ?? ""))).join(" ");

/**
 * An ISO 8601 instant for people: in the migration's zone, with how far from `now` it is, the exact instant in
 * <time datetime> (and as the tooltip) for anyone who needs it. Text that is not a date is shown as it is.
 */
export function timeHtml(iso: string, now: Date, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeHtml(iso);
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(formatHuman(date, timeZone))}</time> <span class="muted">(${escapeHtml(formatRelative(date, now))})</span>`;
}

/** A table cell that is already HTML (e.g. timeHtml's), not text to escape. */
export interface HtmlCell {
  html: string;
}

const isHtmlCell = (value: unknown): value is HtmlCell =>
  typeof value === "object" && value !== null && typeof (value as HtmlCell).html === "string";

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 20px;margin:12px 0}
.card.attention{border-color:#b42318;background:#fff4f2} .card.done{border-color:#1a7f37;background:#f0faf3}
.muted{color:#5b6470} .ok{color:#1a7f37} .bad{color:#b42318} .warn{color:#9a6700}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{font-weight:600;color:#4a525d;white-space:nowrap} td{overflow-wrap:break-word;hyphens:manual}
.scroll{overflow-x:auto;max-width:100%}
input,select{font:inherit;padding:4px 6px;border:1px solid #8a94a3;border-radius:4px;max-width:100%}
:focus-visible{outline:3px solid #1b4fb8;outline-offset:2px}
.bar{height:14px;background:#e6e9ee;border-radius:7px;overflow:hidden} .bar>span{display:block;height:100%;background:#2f6fde}
.timeline{display:flex;gap:6px;flex-wrap:wrap;padding:0;margin:8px 0;list-style:none} .timeline li{padding:4px 10px;border-radius:12px;background:#e6e9ee;font-size:13px}
.timeline li.done{background:#d5efdc} .timeline li.now{background:#2f6fde;color:#fff}
pre{white-space:pre-wrap;word-break:break-all;background:#f0f2f5;padding:10px;border-radius:6px;font-size:12px}
button{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid #8a94a3;background:#fff;cursor:pointer;margin-right:8px}
#actions form+form{border-top:1px solid #eceef1;margin-top:12px} #actions input{font:inherit;padding:6px 8px;border:1px solid #8a94a3;border-radius:6px;width:min(100%,24em)}
button.primary{background:#2f6fde;border-color:#2f6fde;color:#fff} button.danger{background:#b42318;border-color:#b42318;color:#fff}
`;

/** Who is signed in to an admin page, what their role lets them do, and the way out. */
export interface SignedInView {
  name: string;
  canCommand: boolean;
  signOut: string;
}

export function signedInHtml(who: SignedInView): string {
  const can = who.canCommand
    ? "you can start and change migrations"
    : "you can read; starting or changing a migration needs the Migration.Admin role";
  return `<p class="muted" id="signed-in">Signed in as ${nameHtml(who.name)}: ${escapeHtml(can)}. <a href="${escapeHtml(who.signOut)}">Sign out</a></p>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function table(headers: string[], rows: unknown[][], empty = "None."): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  return `<div class="scroll"><table><thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${isHtmlCell(c) ? c.html : nameHtml(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

export function checklistHtml(items: { label: string; met: boolean; evidence: string[] }[]): string {
  return `<ul style="list-style:none;padding:0">${items
    .map(
      (i) =>
        `<li class="card"><strong class="${i.met ? "ok" : "bad"}">${i.met ? "&#10003;" : "&#10007;"} ${escapeHtml(i.label)}</strong><ul class="muted">${i.evidence
          .map((e) => `<li>${escapeHtml(e)}</li>`)
          .join("")}</ul></li>`,
    )
    .join("")}</ul>`;
}
