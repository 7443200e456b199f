/**
 * The demo's Peig admin and the pending requests typed with another e-mail (operator mode, where the app cannot
 * see Peig and the task page tells the Peig admin what to do). They find whose request it is as the api-mode merge
 * task does (shared/domain/merges.ts: the typed address among mail, UPN, aliases, then otherMails), never by the
 * name alone: at some thousands of users names repeat. Where the address names nobody, or several, the task page
 * says "verify the person": they ask whoever sent it which Microsoft 365 account is theirs, then Merge into it, or
 * Deny it when nobody in the directory sent it. All of it through the Peig console's forms.
 */
import { mergeList, type ManualItem, type MergeItem } from "../../shared/domain/merges";
import { reconcile } from "../../shared/domain/reconcile";
import type { M365User, OnboardingRequest } from "../../shared/domain/types";
import { peigConsolePages } from "../../shared/peig/consolePages";
import { inScopeUsers, type Tenant } from "../fixtures/tenant";
import { hiddenField, PeigConsoleClient, tableRowsOn } from "./peigConsoleClient";

/** What the Peig admin works with: the Peig console, the directory, and the people who sent requests. */
export interface PeigAdminDesk {
  console: PeigConsoleClient;
  /** The migration's users as Entra shows them: names, UPNs, mail, aliases, otherMails. */
  directory: readonly M365User[];
  /**
   * "Verify the person" (the task page): asked about a request, whoever sent it says which Microsoft 365 user they
   * are; undefined when nobody in the directory sent it.
   */
  askWhoSent(request: { email: string; displayName: string }): M365User | undefined;
}

/**
 * The desk for the demo's tenant: its people are the tenant fixture's, and the one who typed an address owns up to
 * it (the same seed gives the same tenant, so a test driving a demo in another process builds the same desk).
 */
export function peigAdminDesk(consoleUrl: string, tenant: Tenant): PeigAdminDesk {
  const directory = inScopeUsers(tenant);
  const senders = new Map(
    directory.flatMap((u) => (u.behaviour.typedEmail ? [[u.behaviour.typedEmail.toLowerCase(), u] as const] : [])),
  );
  return {
    console: new PeigConsoleClient(consoleUrl),
    directory,
    askWhoSent: (request) => {
      const sender = senders.get(request.email.toLowerCase());
      return sender && sender.displayName === request.displayName ? sender : undefined;
    },
  };
}

export interface RequestsSettled {
  /** What the Peig admin did, a sentence each; `judged`: they asked the person, or denied (not a plain merge). */
  done: { said: string; judged: boolean }[];
  /** Requests they could not settle now (the console refused), with why: left pending, tried again next time. */
  problems: string[];
}

/**
 * Merges every pending request typed with another e-mail into the account of the user it belongs to (Create Peig
 * Account first when that user has none), and denies those nobody in the directory sent. One screen of Users &
 * Access at a time, as a person works through them, each read afresh after its requests were handled; safe to run
 * again at any time.
 */
export async function settleMistypedRequests(
  desk: PeigAdminDesk,
  /** After each screen: what was done on it (hundreds of requests take a while; the terminal shows the progress). */
  onScreen?: (screen: RequestsSettled) => void,
): Promise<RequestsSettled> {
  const result: RequestsSettled = { done: [], problems: [] };
  const tried = new Set<string>();
  // A screen whose requests were all tried (the console refused them just now) is left for the next look.
  for (let after: string | undefined = ""; after !== undefined;) {
    const screen = await mismatchedRequestsOnScreen(desk.console, after);
    // Only the requests' matches are read from this reconciliation: the Peig side (users, accounts) is not needed
    // for them, and Create Peig Account says whether the user has an account already.
    const list = mergeList(
      reconcile({
        mode: "api",
        users: desk.directory,
        peig: { pendingRequests: screen.requests, microsoft365Accounts: [], users: [] },
      }),
    );
    const items = [...list.merges, ...list.manual].filter((item) => !tried.has(item.requestId));
    if (items.length === 0) {
      after = screen.next;
      continue;
    }
    const onThisScreen: RequestsSettled = { done: [], problems: [] };
    for (const item of items) {
      tried.add(item.requestId);
      try {
        onThisScreen.done.push(await settle(desk, item));
      } catch (err) {
        onThisScreen.problems.push(
          `the request of ${item.requestName} typed as ${item.typedEmail}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    result.done.push(...onThisScreen.done);
    result.problems.push(...onThisScreen.problems);
    onScreen?.(onThisScreen);
  }
  return result;
}

/**
 * One screen of Users & Access, "Only mismatched e-mails": the pending requests typed with an address that is no
 * Microsoft 365 account's, and the cursor of the next screen. `submittedAt` is the time as the screen words it
 * (nothing here reads it).
 */
async function mismatchedRequestsOnScreen(
  peig: PeigConsoleClient,
  after: string,
): Promise<{ requests: OnboardingRequest[]; next?: string }> {
  const query: Record<string, string> = { requests: "mismatched", ...(after ? { requestsAfter: after } : {}) };
  const { html } = await peig.open(peigConsolePages.usersAndAccess, query);
  const requests: OnboardingRequest[] = [];
  for (const [name, typed, submitted, , actions] of tableRowsOn(html)) {
    const id = actions && hiddenField(actions.html, "requestId");
    if (id) requests.push({ id, displayName: name.text, email: typed.text, submittedAt: submitted.text });
  }
  return { requests, next: nextCursor(html, "requestsAfter") };
}

/** The cursor a console screen's "Next" link carries, or undefined on the last screen. */
export function nextCursor(html: string, name: string): string | undefined {
  const cursor = new RegExp(`[?&;]${name}=([^"&]+)"`).exec(html)?.[1];
  return cursor && decodeURIComponent(cursor);
}

async function settle(desk: PeigAdminDesk, item: MergeItem | ManualItem): Promise<RequestsSettled["done"][number]> {
  const request = `the request of ${item.requestName} typed as ${item.typedEmail}`;
  if ("userId" in item) {
    const into = await mergeInto(desk, item);
    return { said: `merged ${request} into the account of ${into} (${item.reason})`, judged: false };
  }
  const user = desk.askWhoSent({ email: item.typedEmail, displayName: item.requestName });
  if (!user) {
    const denied = await desk.console.submit(peigConsolePages.usersAndAccess, {
      requestId: item.requestId,
      action: "deny",
    });
    if (denied.status !== 200) throw new Error(`Deny: ${denied.message}`);
    return { said: `denied ${request}: nobody in the directory sent it`, judged: true };
  }
  const into = await mergeInto(desk, {
    ...item,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    peigAccountId: null,
  });
  return {
    said: `asked ${user.displayName}, who sent ${request}; merged it into the account of ${into}`,
    judged: true,
  };
}

/**
 * Merge into the user's Peig account. As the task page says, Create Peig Account first when they have none: the
 * console makes it, or answers that the user is already linked, and to which account; the Merge goes there.
 * Returns whose account it went into.
 */
async function mergeInto(desk: PeigAdminDesk, item: MergeItem): Promise<string> {
  let target = item.peigAccountId ?? undefined;
  if (!target) {
    const created = await desk.console.submit(peigConsolePages.microsoft365Accounts, {
      microsoft365UserId: item.userId,
    });
    target = /(?:Created Peig account|already linked to Peig account) ([^\s(]+?)\.?(?:\s|$)/.exec(created.message)?.[1];
    if (!target) throw new Error(`Create Peig Account: ${created.message}`);
  }
  const merged = await desk.console.submit(peigConsolePages.usersAndAccess, {
    requestId: item.requestId,
    action: "merge",
    target,
  });
  if (merged.status !== 200) throw new Error(`Merge: ${merged.message}`);
  return item.userPrincipalName;
}
