/**
 * The people in the demo: task links are read from the Graph simulator's outbox (the e-mails the app
 * sent), and `--auto-approve` answers them exactly as a person would — open the page, press its button
 * (a POST with the page's CSRF token and cookie). In operator mode the Peig admin's steps are done first,
 * in the Peig simulator, with the values shown on the page.
 */
import type { SentMail } from "../graph-simulator";
import { describeOperatorStep } from "../../shared/peig/operatorSteps";
import type { PeigPort } from "../../shared/peig/port";

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
  const table = /<h2>Accounts \(\d+\)<\/h2><table>(.*?)<\/table>/s.exec(html)?.[1] ?? "";
  // Cells hold their text in <bdi> (bidi isolation of names).
  return [
    ...table.matchAll(/<tr><td>(?:<bdi>)?[^<]*(?:<\/bdi>)?<\/td><td>(?:<bdi>)?([^<]*)(?:<\/bdi>)?<\/td><\/tr>/g),
  ].map((m) => unescapeHtml(m[1]));
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
};

export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]);
}

/** What the Peig admin did, in words, and the figures Peig shows afterwards (what the task's form asks for). */
export interface PeigStepDone {
  said: string;
  figures: Record<string, string>;
}

/**
 * The Peig admin's part of an operator task, done in the Peig workspace (the simulator, through its
 * admin API standing in for the UI), then read back as the console shows it. Each step is safe to repeat: a
 * resumed demo may see the task again.
 */
export async function performPeigStep(kind: TaskKind, html: string, peig: PeigPort): Promise<PeigStepDone | undefined> {
  if (kind === "peigConfiguration") {
    const values = valuesOnPage(html);
    const config = {
      applicationId: values["Application ID"] ?? "",
      idpCertificatePem: values["IDP Certificate"] ?? "",
    };
    const validation = await peig.validateMigrationConfiguration(config);
    if (!validation.valid) throw new Error(`Peig rejected the values on the page: ${validation.problems.join("; ")}`);
    const saved = await peig.saveMigrationConfiguration(config);
    const shown = await peig.getMigrationConfiguration();
    return {
      said: `Peig admin: migration configuration ${saved} (Application ID ${config.applicationId})`,
      figures: { applicationId: shown.state === "saved" ? shown.configuration.applicationId : "" },
    };
  }
  if (kind === "peigAccounts") {
    const wanted = new Set(accountsOnPage(html).map((upn) => upn.toLowerCase()));
    const accounts = (await peig.listMicrosoft365Accounts()).filter((a) =>
      wanted.has(a.userPrincipalName.toLowerCase()),
    );
    let created = 0;
    let alreadyLinked = 0;
    for (const account of accounts)
      if ((await peig.createPeigAccount(account.id)).created) created++;
      else alreadyLinked++;
    const failed = wanted.size - accounts.length;
    return {
      said: `Peig admin: created ${created} Peig account(s), ${alreadyLinked} already linked, ${failed} failed, for ${wanted.size} listed user(s)`,
      figures: { created: String(created), alreadyLinked: String(alreadyLinked), failed: String(failed) },
    };
  }
  if (kind === "peigDeletion") {
    const deleted = await peig.deleteMigrationConfiguration();
    const shown = (await peig.getMigrationConfiguration()).state === "saved" ? 1 : 0;
    return { said: `Peig admin: migration configuration ${deleted}`, figures: { configurationsShown: String(shown) } };
  }
  if (kind === "peigChecklist") {
    const [pending, accounts, users] = await Promise.all([
      peig.listPendingRequests(),
      peig.listMicrosoft365Accounts(),
      peig.listUsers(),
    ]);
    const linked = accounts.filter((a) => a.linkStatus === "linked").length;
    const notOnboarded = users.filter((u) => u.status === "Not Onboarded").length;
    return {
      said: `Peig admin: read Users & Access (${pending.length} pending, ${notOnboarded} Not Onboarded) and MS365 Identifiers (${linked} linked)`,
      figures: {
        pendingRequests: String(pending.length),
        notOnboarded: String(notOnboarded),
        linkedAccounts: String(linked),
      },
    };
  }
  return undefined;
}

export interface AutoApproverOptions {
  /** Operator mode: where the Peig admin's steps are done. */
  peig?: PeigPort;
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
  const done = await performPeigStep(kind, page.html, options.peig);
  if (done) options.report(done.said);
  const status = await submitDecision(link.url, page, "done", done?.figures);
  if (status === 200) options.report(`Confirmed as ${link.to}`);
  else if (status === 422)
    options.report(`Peig's figures do not agree with the app yet: the task stays open (${link.to})`);
}

/** A user the status JSON lists under `mismatched`: their typed e-mail left a pending request in Peig. */
export interface MismatchedUser {
  userPrincipalName: string;
  mergeSuggestion?: { requestId?: unknown; peigAccountId?: unknown };
}

/**
 * What the Peig admin does with the status page's "mismatched" list (Users & Access > pending requests):
 * Merge each request into the user's Peig account, first creating that account (Create Peig Account)
 * when the user has none. Both steps are idempotent, so a list that is a little stale does no harm.
 * Returns the request ids merged and the problems met (those requests can be tried again).
 */
export async function mergeMismatchedRequests(
  users: MismatchedUser[],
  peig: PeigPort,
): Promise<{ merged: string[]; problems: string[] }> {
  const todo = users.filter(
    (u): u is MismatchedUser & { mergeSuggestion: { requestId: string } } =>
      typeof u.mergeSuggestion?.requestId === "string",
  );
  const result = { merged: [] as string[], problems: [] as string[] };
  if (todo.length === 0) return result;
  const accounts = new Map((await peig.listMicrosoft365Accounts()).map((a) => [a.userPrincipalName.toLowerCase(), a]));
  for (const user of todo) {
    const { requestId, peigAccountId } = user.mergeSuggestion;
    try {
      let target = typeof peigAccountId === "string" ? peigAccountId : undefined;
      if (!target) {
        const account = accounts.get(user.userPrincipalName.toLowerCase());
        if (!account) throw new Error("not on the Microsoft 365 Accounts tab");
        target = (await peig.createPeigAccount(account.id)).peigAccountId;
      }
      await peig.mergeRequest(requestId, target);
      result.merged.push(requestId);
    } catch (err) {
      result.problems.push(`${user.userPrincipalName}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}
