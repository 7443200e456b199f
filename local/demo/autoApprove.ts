/**
 * The people in the demo: task links are read from the Graph simulator's outbox (the e-mails the app
 * sent), and `--auto-approve` answers them exactly as a person would — open the page, press its button
 * (a POST with the page's CSRF token and cookie). In operator mode the Peig admin's steps are done first,
 * in the Peig simulator's console, with the values shown on the page.
 */
import type { SentMail } from "../graph-simulator";
import { describeOperatorStep } from "../../shared/peig/operatorSteps";
import { peigConsolePages } from "../../shared/peig/consolePages";
import { consoleFigures, hiddenField, tableRowsOn, unescapeHtml, type PeigConsoleClient } from "./peigConsoleClient";

export { unescapeHtml };

export interface TaskLink {
  to: string;
  subject: string;
  url: string;
}

/** New task links in the outbox since the last call, oldest first (the outbox only grows). */
export class TaskLinkFeed {
  private read = 0;

  constructor(private readonly outbox: SentMail[]) {}

  next(): TaskLink[] {
    const mails = this.outbox.slice(this.read);
    this.read = this.outbox.length;
    return mails.flatMap((mail) =>
      [...mail.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((m) => ({
        to: [...mail.to, ...mail.bcc].join(", "),
        subject: mail.subject,
        url: unescapeHtml(m[1]),
      })),
    );
  }
}

export interface TaskPage {
  status: number;
  html: string;
  csrf: string;
  cookie: string;
}

/** GET: what the person sees. Changes nothing (mail scanners open links too). */
export async function openTaskPage(url: string): Promise<TaskPage> {
  const response = await fetch(url);
  const html = await response.text();
  return {
    status: response.status,
    html,
    csrf: unescapeHtml(/name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ""),
    cookie: (response.headers.get("set-cookie") ?? "").split(";")[0],
  };
}

/** POST: the button on the page, with the page's CSRF field and cookie (and the figures typed into its form, if any). */
export async function submitDecision(
  url: string,
  page: TaskPage,
  decision: string,
  figures: Record<string, string> = {},
): Promise<number> {
  const form = new URLSearchParams({ ...figures, csrf: page.csrf, decision });
  const response = await fetch(url, {
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
  });
  await response.text();
  return response.status;
}

export type TaskKind =
  "approval" | "peigConfiguration" | "peigAccounts" | "peigChecklist" | "peigDeletion" | "peigMerges" | "other";

const CONFIGURATION_TITLE = describeOperatorStep({
  kind: "saveMigrationConfiguration",
  applicationId: "",
  idpCertificatePem: "",
}).title;
const DELETION_TITLE = describeOperatorStep({ kind: "deleteMigrationConfiguration" }).title;
const CHECKLIST_TITLE = describeOperatorStep({ kind: "confirmOnboardingComplete", usersToCheck: [] }).title;

export function taskKindOf(html: string): TaskKind {
  if (/name="decision" value="approve"/.test(html)) return "approval";
  const title = unescapeHtml(/<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? "");
  if (title === CONFIGURATION_TITLE) return "peigConfiguration";
  if (title === DELETION_TITLE) return "peigDeletion";
  if (title === CHECKLIST_TITLE) return "peigChecklist";
  // Api mode: the app merges once the Peig admin confirms; nothing to do in Peig first.
  if (/^Merge \d+ pending request/.test(title)) return "peigMerges";
  if (/<h2>Accounts \(\d+\)<\/h2>/.test(html)) return "peigAccounts";
  return "other";
}

/** The "Values to paste" section: label → value. */
export function valuesOnPage(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of html.matchAll(/<p><strong>([^<]*)<\/strong><\/p><pre>([^<]*)<\/pre>/g))
    values[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  return values;
}

/** The user principal names in the page's Accounts table (second column). */
export function accountsOnPage(html: string): string[] {
  const table = /<h2>Accounts \(\d+\)<\/h2>(?:<div class="scroll">)?<table>(.*?)<\/table>/s.exec(html)?.[1] ?? "";
  // Cells hold their text in <bdi> (bidi isolation of names).
  return [
    ...table.matchAll(/<tr><td>(?:<bdi>)?[^<]*(?:<\/bdi>)?<\/td><td>(?:<bdi>)?([^<]*)(?:<\/bdi>)?<\/td><\/tr>/g),
  ].map((m) => unescapeHtml(m[1]));
}

/** What the Peig admin did, in words, and the figures Peig shows afterwards (what the task's form asks for). */
export interface PeigStepDone {
  said: string;
  figures: Record<string, string>;
}

/**
 * The Peig admin's part of an operator task, done as a person does it: in the Peig console's screens
 * (the simulator's console, through its forms), with the values the task page shows, then read back as the
 * console shows it. Each step is safe to repeat: a resumed demo may see the task again.
 */
export async function performPeigStep(
  kind: TaskKind,
  html: string,
  peig: PeigConsoleClient,
  report?: (text: string) => void,
): Promise<PeigStepDone | undefined> {
  if (kind === "peigConfiguration") {
    const values = valuesOnPage(html);
    const typed = { applicationId: values["Application ID"] ?? "", idpCertificate: values["IDP Certificate"] ?? "" };
    const validated = await peig.submit(peigConsolePages.migration, { ...typed, action: "validate" });
    if (validated.status !== 200)
      throw new Error(`Peig's Validate refused the values on the page: ${validated.message}`);
    const saved = await peig.submit(peigConsolePages.migration, { ...typed, action: "save" });
    if (saved.status >= 300) throw new Error(`Peig did not save the migration configuration: ${saved.message}`);
    return {
      said: `Peig admin, in ${peigConsolePages.migration.name}: Validate, Save (Application ID ${typed.applicationId}): ${saved.message}`,
      figures: { applicationId: typed.applicationId },
    };
  }
  if (kind === "peigAccounts") {
    const wanted = new Set(accountsOnPage(html).map((upn) => upn.toLowerCase()));
    const { created, alreadyLinked } = await createListedAccounts(peig, wanted);
    return {
      said: `Peig admin, in ${peigConsolePages.microsoft365Accounts.name}: Create Peig Account for ${created} of ${wanted.size} listed user(s)${alreadyLinked ? ` (${alreadyLinked} already linked)` : ""}`,
      figures: { created: String(created), alreadyLinked: String(alreadyLinked), failed: "0" },
    };
  }
  if (kind === "peigDeletion") {
    const deleted = await peig.submit(peigConsolePages.migration, { action: "delete", confirm: "yes" });
    // 404: deleted already (a resumed demo answering the same task again).
    if (deleted.status !== 200 && deleted.status !== 404)
      throw new Error(`Peig did not delete the migration configuration: ${deleted.message}`);
    return {
      said: `Peig admin, in ${peigConsolePages.migration.name}: Delete: ${deleted.message}`,
      figures: { configurationsShown: "0" },
    };
  }
  if (kind === "peigChecklist") {
    const merged = await mergeMismatchedInConsole(peig);
    if (merged.length) report?.(`Peig admin, in ${peigConsolePages.usersAndAccess.name}: ${merged.join("; ")}`);
    const resolved = await resolveRemainingRequests(peig);
    if (resolved.length) report?.(`Peig admin, in ${peigConsolePages.usersAndAccess.name}: ${resolved.join("; ")}`);
    const figures = consoleFigures((await peig.open(peigConsolePages.usersAndAccess)).html);
    const accounts = consoleFigures((await peig.open(peigConsolePages.microsoft365Accounts)).html);
    return {
      said: `Peig admin: checked ${peigConsolePages.usersAndAccess.name} (${figures.pendingRequests} pending request(s), ${figures.notOnboarded} Not Onboarded) and ${peigConsolePages.microsoft365Accounts.name} (${accounts.linked} linked, ${accounts.unlinked} unlinked)`,
      figures: {
        pendingRequests: String(figures.pendingRequests ?? ""),
        notOnboarded: String(figures.notOnboarded ?? ""),
        linkedAccounts: String(accounts.linked ?? ""),
      },
    };
  }
  return undefined;
}

/**
 * Create Peig Account for each listed user still unlinked, going through the "Unlinked" view of the
 * Microsoft 365 Accounts screen page by page (a person would filter it the same way).
 */
async function createListedAccounts(
  peig: PeigConsoleClient,
  wanted: Set<string>,
): Promise<{ created: number; alreadyLinked: number }> {
  let created = 0;
  const seen = new Set<string>();
  for (let after: string | undefined = ""; after !== undefined;) {
    const query: Record<string, string> = { link: "unlinked", ...(after ? { after } : {}) };
    const { html } = await peig.open(peigConsolePages.microsoft365Accounts, query);
    for (const { microsoft365UserId, userPrincipalName } of createButtonsOn(html)) {
      if (!wanted.has(userPrincipalName.toLowerCase())) continue;
      seen.add(userPrincipalName.toLowerCase());
      const answer = await peig.submit(peigConsolePages.microsoft365Accounts, { microsoft365UserId });
      if (answer.status === 201) created++;
      else if (answer.status !== 409)
        throw new Error(`Create Peig Account for ${userPrincipalName}: ${answer.message}`);
    }
    after = /[?&;]after=([^"&]+)"/.exec(html)?.[1];
    after = after && decodeURIComponent(after);
  }
  return { created, alreadyLinked: wanted.size - seen.size };
}

/**
 * What the checklist asks before confirming: each pending request whose e-mail is no Microsoft 365 address
 * (Users & Access, "Only mismatched e-mails") is merged into the Peig account of the one Microsoft 365 user
 * with the requester's name (found in MS365 Identifiers; Create Peig Account first when unlinked). A request
 * whose name matches no one, or several, is left for a person's judgement. Returns what was merged.
 */
export async function mergeMismatchedInConsole(peig: PeigConsoleClient): Promise<string[]> {
  const done: string[] = [];
  const { html } = await peig.open(peigConsolePages.usersAndAccess, { requests: "mismatched" });
  for (const [name, typed, , , actions] of tableRowsOn(html)) {
    const requestId = actions && hiddenField(actions.html, "requestId");
    if (!requestId) continue;
    const found = await peig.open(peigConsolePages.microsoft365Accounts, { q: name.text });
    const matches = tableRowsOn(found.html).filter((row) => row[0]?.text === name.text);
    if (matches.length !== 1) continue;
    const [, upn, link, peigAccount, action] = matches[0];
    let target = link.text === "Linked" ? peigAccount.text : undefined;
    if (!target) {
      const microsoft365UserId = hiddenField(action.html, "microsoft365UserId");
      if (!microsoft365UserId) continue;
      const created = await peig.submit(peigConsolePages.microsoft365Accounts, { microsoft365UserId });
      target = /Created Peig account (\S+)/.exec(created.message)?.[1];
      if (!target) continue;
    }
    const merged = await peig.submit(peigConsolePages.usersAndAccess, { requestId, action: "merge", target });
    if (merged.status === 200) done.push(`merged the request typed as ${typed.text} into the account of ${upn.text}`);
  }
  return done;
}

/**
 * What is still pending after the merges, as a Peig admin settles it before confirming the checklist (which
 * the app refuses while any request is pending): Approve a request typed with a Microsoft 365 address, Deny one
 * that no one could be found for (the person asks again with the right address). Returns what was done.
 */
async function resolveRemainingRequests(peig: PeigConsoleClient): Promise<string[]> {
  const done: string[] = [];
  for (;;) {
    const { html } = await peig.open(peigConsolePages.usersAndAccess);
    const rows = tableRowsOn(html).filter((row) => row[4] && hiddenField(row[4].html, "requestId"));
    if (!rows.length) return done;
    let progressed = false;
    for (const [name, typed, , match, actions] of rows) {
      const action = match.text.startsWith("Matches") ? "approve" : "deny";
      const answer = await peig.submit(peigConsolePages.usersAndAccess, {
        requestId: hiddenField(actions.html, "requestId") ?? "",
        action,
      });
      if (answer.status !== 200) continue;
      progressed = true;
      done.push(`${action === "approve" ? "approved" : "denied"} the request of ${name.text} (${typed.text})`);
    }
    if (!progressed) return done;
  }
}

/** The Create Peig Account buttons of a Microsoft 365 Accounts page: whose account each creates. */
export function createButtonsOn(html: string): { microsoft365UserId: string; userPrincipalName: string }[] {
  return [
    ...html.matchAll(
      /name="microsoft365UserId" value="([^"]+)"><button[^>]*aria-label="Create Peig Account for ([^"]+)"/g,
    ),
  ].map((m) => ({ microsoft365UserId: unescapeHtml(m[1]), userPrincipalName: unescapeHtml(m[2]) }));
}

export interface AutoApproverOptions {
  /** Operator mode: the Peig console the Peig admin's steps are done in. */
  peig?: PeigConsoleClient;
  report(text: string): void;
}

/** Answers an opened task page like its recipient: approve an approval; do the Peig step, then confirm it. */
export async function actOn(link: TaskLink, page: TaskPage, options: AutoApproverOptions): Promise<void> {
  const kind = taskKindOf(page.html);
  if (kind === "approval") {
    const status = await submitDecision(link.url, page, "approve");
    if (status === 200) options.report(`Approved as ${link.to}`);
    return;
  }
  if (kind === "peigMerges") {
    if ((await submitDecision(link.url, page, "done")) === 200) options.report(`Confirmed the merges as ${link.to}`);
    return;
  }
  if (!options.peig || kind === "other") return;
  const done = await performPeigStep(kind, page.html, options.peig, options.report);
  if (done) options.report(done.said);
  const status = await submitDecision(link.url, page, "done", done?.figures);
  if (status === 200) options.report(`Confirmed as ${link.to}`);
  else if (status === 422)
    options.report(`Peig's figures do not agree with the app yet: the task stays open (${link.to})`);
}

/** A user whose typed e-mail left a pending request in Peig, with where it belongs. */
export interface MismatchedUser {
  userPrincipalName: string;
  mergeSuggestion: { requestId: string; peigAccountId?: string; microsoft365UserId?: string };
}

/**
 * What the Peig admin does with mistyped requests (Users & Access > pending requests): Merge each into the
 * user's Peig account, first making that account (MS365 Identifiers > Create Peig Account) when the user has
 * none, all through the console's forms. Both steps are idempotent, so a list that is a little stale does no
 * harm. Returns the request ids merged and the problems met (those requests can be tried again).
 */
export async function mergeMismatchedRequests(
  users: MismatchedUser[],
  peig: PeigConsoleClient,
): Promise<{ merged: string[]; problems: string[] }> {
  const result = { merged: [] as string[], problems: [] as string[] };
  for (const user of users) {
    const { requestId, peigAccountId, microsoft365UserId } = user.mergeSuggestion;
    try {
      let target = peigAccountId;
      if (!target) {
        if (!microsoft365UserId) throw new Error("not on the Microsoft 365 Accounts tab");
        const created = await peig.submit(peigConsolePages.microsoft365Accounts, { microsoft365UserId });
        target = /Created Peig account (\S+)/.exec(created.message)?.[1];
        if (!target) throw new Error(`Create Peig Account: ${created.message}`);
      }
      const merged = await peig.submit(peigConsolePages.usersAndAccess, { requestId, action: "merge", target });
      if (merged.status !== 200) throw new Error(`Merge: ${merged.message}`);
      result.merged.push(requestId);
    } catch (err) {
      result.problems.push(`${user.userPrincipalName}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}
