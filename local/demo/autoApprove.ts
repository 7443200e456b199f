/**
 * The people in the demo: task links are read from the Graph simulator's outbox (the e-mails the app
 * sent), and `--auto-approve` answers them exactly as a person would — open the page, press its button
 * (a POST with the page's CSRF token and cookie). In operator mode the Peig admin's steps are done first,
 * in the Peig simulator's console, with the values shown on the page.
 */
import type { SentMail } from "../graph-simulator";
import { describeOperatorStep } from "../../shared/peig/operatorSteps";
import { plural } from "../../shared/domain/plural";
import { peigConsolePages } from "../../shared/peig/consolePages";
import {
  consoleFigures,
  hiddenField,
  tableRowsOn,
  textOf,
  unescapeHtml,
  type PeigConsoleClient,
} from "./peigConsoleClient";
import { nextCursor, settleMistypedRequests, type PeigAdminDesk } from "./peigAdmin";

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

/** What pressing a task page's button answered: its status and, for a refused confirmation, each reason given. */
export interface DecisionAnswer {
  status: number;
  refusal: string[];
  /** What the answering page says, as text: its heading and first paragraph ("This link no longer works …"). */
  page: string;
}

/** POST: the button on the page, with the page's CSRF field and cookie (and the figures typed into its form, if any). */
export async function submitDecision(
  url: string,
  page: TaskPage,
  decision: string,
  figures: Record<string, string> = {},
): Promise<DecisionAnswer> {
  const form = new URLSearchParams({ ...figures, csrf: page.csrf, decision });
  const response = await fetch(url, {
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
  });
  const html = await response.text();
  const box = /<div[^>]*id="refusal">(.*?)<\/div>/s.exec(html)?.[1] ?? "";
  const heading = /<h1>(.*?)<\/h1>(?:.*?<p>(.*?)<\/p>)?/s.exec(html);
  return {
    status: response.status,
    refusal: [...box.matchAll(/<li>(.*?)<\/li>/gs)].map((m) => textOf(m[1])),
    page: heading ? textOf(`${heading[1]}: ${heading[2] ?? ""}`) : "",
  };
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
  peig: PeigAdminDesk,
  report?: (text: string) => void,
): Promise<PeigStepDone | undefined> {
  if (kind === "peigConfiguration") {
    const values = valuesOnPage(html);
    const typed = { applicationId: values["Application ID"] ?? "", idpCertificate: values["IDP Certificate"] ?? "" };
    const validated = await peig.console.submit(peigConsolePages.migration, { ...typed, action: "validate" });
    if (validated.status !== 200)
      throw new Error(`Peig's Validate refused the values on the page: ${validated.message}`);
    const saved = await peig.console.submit(peigConsolePages.migration, { ...typed, action: "save" });
    if (saved.status >= 300) throw new Error(`Peig did not save the migration configuration: ${saved.message}`);
    return {
      said: `Peig admin, in ${peigConsolePages.migration.name}: Validate, Save (Application ID ${typed.applicationId}): ${saved.message}`,
      figures: { applicationId: typed.applicationId },
    };
  }
  if (kind === "peigAccounts") {
    const wanted = new Set(accountsOnPage(html).map((upn) => upn.toLowerCase()));
    const { created, alreadyLinked } = await createListedAccounts(peig.console, wanted);
    return {
      said: `Peig admin, in ${peigConsolePages.microsoft365Accounts.name}: Create Peig Account for ${created} of ${plural(wanted.size, "listed user")}${alreadyLinked ? ` (${alreadyLinked} already linked)` : ""}`,
      figures: { created: String(created), alreadyLinked: String(alreadyLinked), failed: "0" },
    };
  }
  if (kind === "peigDeletion") {
    const deleted = await peig.console.submit(peigConsolePages.migration, { action: "delete", confirm: "yes" });
    // 404: deleted already (a resumed demo answering the same task again).
    if (deleted.status !== 200 && deleted.status !== 404)
      throw new Error(`Peig did not delete the migration configuration: ${deleted.message}`);
    return {
      said: `Peig admin, in ${peigConsolePages.migration.name}: Delete: ${deleted.message}`,
      figures: { configurationsShown: "0" },
    };
  }
  if (kind === "peigChecklist") {
    const settled = await settleMistypedRequests(peig);
    const approved = await approveMatchingRequests(peig.console);
    const inConsole = `Peig admin, in ${peigConsolePages.usersAndAccess.name}:`;
    for (const line of [...settled.done.map((d) => d.said), ...approved]) report?.(`${inConsole} ${line}`);
    for (const problem of settled.problems) report?.(`${inConsole} could not settle ${problem}`);
    const figures = consoleFigures((await peig.console.open(peigConsolePages.usersAndAccess)).html);
    const accounts = consoleFigures((await peig.console.open(peigConsolePages.microsoft365Accounts)).html);
    return {
      said: `Peig admin: checked ${peigConsolePages.usersAndAccess.name} (${plural(figures.pendingRequests ?? 0, "pending request")}, ${figures.notOnboarded} Not Onboarded) and ${peigConsolePages.microsoft365Accounts.name} (${accounts.linked} linked, ${accounts.unlinked} unlinked)`,
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
    after = nextCursor(html, "after");
  }
  return { created, alreadyLinked: wanted.size - seen.size };
}

/**
 * What is still pending after the merges, as a Peig admin settles it before confirming the checklist (which the
 * app refuses while any request is pending): Approve each request typed with the person's own Microsoft 365 address
 * (Peig links it). A request typed otherwise is never approved (that would make a second account): if one is
 * still pending, its merge was refused just now, and it stays for the next look. Returns what was done.
 */
async function approveMatchingRequests(peig: PeigConsoleClient): Promise<string[]> {
  const done: string[] = [];
  // Page by page through the list (each "Next" continues after the last request shown, so approving moves nothing).
  for (let after: string | undefined = ""; after !== undefined;) {
    const { html } = await peig.open(peigConsolePages.usersAndAccess, after ? { requestsAfter: after } : {});
    for (const [name, typed, , match, actions] of tableRowsOn(html)) {
      const requestId = actions && hiddenField(actions.html, "requestId");
      if (!requestId || !match.text.startsWith("Matches")) continue;
      const answer = await peig.submit(peigConsolePages.usersAndAccess, { requestId, action: "approve" });
      if (answer.status === 200) done.push(`approved the request of ${name.text} (${typed.text})`);
    }
    after = nextCursor(html, "requestsAfter");
  }
  return done;
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
  /** Operator mode: the Peig admin's desk (the Peig console their steps are done in, the directory, the people). */
  peig?: PeigAdminDesk;
  report(text: string): void;
}

/** Answers an opened task page like its recipient: approve an approval; do the Peig step, then confirm it. */
export async function actOn(link: TaskLink, page: TaskPage, options: AutoApproverOptions): Promise<DecisionAnswer> {
  const kind = taskKindOf(page.html);
  if (kind === "approval")
    return said(await submitDecision(link.url, page, "approve"), `Approved as ${link.to}`, link, options);
  if (kind === "peigMerges")
    return said(await submitDecision(link.url, page, "done"), `Confirmed the merges as ${link.to}`, link, options);
  if (!options.peig || kind === "other") return { status: 0, refusal: [], page: "" };
  const done = await performPeigStep(kind, page.html, options.peig, options.report);
  if (done) options.report(done.said);
  return said(await submitDecision(link.url, page, "done", done?.figures), `Confirmed as ${link.to}`, link, options);
}

/** Reports what a button answered, whatever it was: a refusal or a closed task is said, never passed over. */
function said(answer: DecisionAnswer, ok: string, link: TaskLink, options: AutoApproverOptions): DecisionAnswer {
  if (answer.status === 200) options.report(ok);
  else if (answer.status === 422)
    options.report(
      `Not confirmed: Peig's figures do not agree with the app (${answer.refusal.join("; ")}). The task stays open for ${link.to}.`,
    );
  // The task closed meanwhile (expired, or decided through another link).
  else options.report(`Not answered: the task page said ${answer.status} (${answer.page}), for ${link.to}`);
  return answer;
}
