/**
 * The admin's side of the demo: start a migration through the public API (or pick up the one a previous
 * run started), watch its status until it ends, show the task links the e-mails carry (and answer them
 * with --auto-approve), and save the report.
 */
import { LOCAL_ADMIN } from "../fixtures/staff";
import { formatHuman } from "../../shared/domain/humanTime";
import { reconcile } from "../../shared/domain/reconcile";
import { inScopeUsers } from "../fixtures/tenant";
import { PeigApiClient } from "../../shared/peig/apiClient";
import { isFinalPhase } from "../../shared/workflow";
import {
  actOn,
  mergeMismatchedRequests,
  openTaskPage,
  TaskLinkFeed,
  taskKindOf,
  type MismatchedUser,
  type TaskLink,
} from "./autoApprove";
import type { AcceleratedClock } from "../host/clocks";
import type { DemoStack } from "./demoStack";
import { PeigConsoleClient } from "./peigConsoleClient";
import { pauseClockForPeople } from "./peopleClock";
import type { DemoStateFolder } from "./persistence";
import { startRequestBody } from "./startRequest";
import { renderWaitingOn, type MigrationStatusView, type ProgressDisplay } from "./progress";

const POLL_MS = 300;

export interface MigrationRunOptions {
  deadlineDays: number;
  autoApprove: boolean;
  operator: boolean;
}

type MigrationStatus = MigrationStatusView & { peigMode?: string };

export type RunOutcome = { kind: "finished"; phase: string; exitCode: number } | { kind: "interrupted" };

export async function runMigration(
  demo: DemoStack,
  folder: DemoStateFolder,
  options: MigrationRunOptions,
  display: ProgressDisplay,
  signal: AbortSignal,
): Promise<RunOutcome> {
  const id = await resumeOrStart(demo, options, display);
  // No key in any link: the local sign-in page offers the demo's admin first, the admin the demo acts as.
  display.message(`Home page:   ${demo.baseUrl}/api/home  (sign in as ${LOCAL_ADMIN}, offered first)`);
  display.message(`Status page: ${demo.baseUrl}/api/migrations/${id}/page`);
  if (options.operator)
    display.message(
      `Peig console (the local simulator of Peig, where the Peig admin does each operator step): ${demo.stack.peig.consoleUrl}`,
    );
  if (!options.autoApprove)
    display.message(
      "Task links are printed as they are e-mailed: open one in a browser to decide; the demo waits for you, its clock paused.",
    );
  // Nobody is waited on in an --auto-approve run: its people answer at once, as the clock runs.
  const stopPausing = options.autoApprove
    ? undefined
    : pauseClockForPeople(demo.engine, demo.clock, id, (line) => display.message(line));
  try {
    return await followMigration(demo, folder, id, options, display, signal);
  } finally {
    stopPausing?.();
  }
}

async function followMigration(
  demo: DemoStack,
  folder: DemoStateFolder,
  id: string,
  options: MigrationRunOptions,
  display: ProgressDisplay,
  signal: AbortSignal,
): Promise<RunOutcome> {
  const feed = new TaskLinkFeed(demo.stack.graph.outbox);
  // The Peig admin in operator mode: acts in the Peig console through its forms; reads the pending requests and the
  // directory (to judge whom a mistyped request belongs to) through the simulator's API, as if from the screen.
  const peigConsole =
    options.autoApprove && options.operator ? new PeigConsoleClient(demo.stack.peig.consoleUrl) : undefined;
  const peigReader = peigConsole
    ? new PeigApiClient({ baseUrl: demo.stack.peig.baseUrl, apiKey: demo.stack.peig.apiKey, clock: demo.clock })
    : undefined;
  const merged = new Set<string>();
  const hinted = new Set<string>();
  const hintOnce = (key: string, text: string) => {
    if (!hinted.has(key)) display.message(text);
    hinted.add(key);
  };
  let waiting = "";
  /** Acts on what the status shows: who the workflow waits on, task links (shown, and answered with --auto-approve), mistyped e-mails in operator mode. */
  const answerPeople = async (status: MigrationStatus) => {
    // Interactive: the clock's pause line already says whom it waits for.
    const lines = options.autoApprove ? renderWaitingOn(status).join("\n") : "";
    if (lines && lines !== waiting) display.message(lines);
    waiting = lines;
    for (const link of feed.next()) {
      await handleLink(link, options.autoApprove, peigConsole, display, demo.clock).catch((err: unknown) =>
        display.message(`Could not answer ${link.url}: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    // Api mode: the app asks the Peig admin to confirm merges in a task of its own. Operator mode shows no Peig
    // state, so the Peig admin works from Peig's own pending requests and the directory.
    if (status.peigMode === "operator") {
      const suggestions = peigReader ? await operatorMergeSuggestions(demo, peigReader) : [];
      const mismatched = suggestions.filter((u) => !merged.has(u.mergeSuggestion.requestId));
      if (peigConsole && mismatched.length > 0) {
        const result = await mergeMismatchedRequests(mismatched, peigConsole);
        result.merged.forEach((r) => merged.add(r));
        if (result.merged.length)
          display.message(
            `  Peig admin: merged ${result.merged.length} pending request(s) whose typed e-mail differs from the Microsoft 365 account`,
          );
        for (const problem of result.problems)
          display.message(`  Peig admin could not merge a pending request (${problem}); trying again later`);
      }
    }
    const gateClosed = status.waitingFor?.includes("request approval again") ? status.waitingFor : undefined;
    if (gateClosed && options.autoApprove && !hinted.has(gateClosed)) {
      // The links expired before anyone answered (a very fast clock): the admin asks again, as the status page suggests.
      hinted.add(gateClosed);
      const res = await demo.api(`migrations/${id}/approval`, { method: "POST" });
      display.message(`  Admin: the approval links expired; asked the approvers again (HTTP ${res.status})`);
    } else if (gateClosed && !options.autoApprove) {
      hintOnce(
        "approval",
        `The approval links expired or were rejected. Ask the approvers again with the button on the status page:\n  ${demo.baseUrl}/api/migrations/${id}/page`,
      );
    }
  };

  while (!signal.aborted) {
    try {
      const status = await readStatus(demo, id);
      display.update(status);
      if (isFinalPhase(status.phase)) return await finish(demo, folder, id, status.phase, display);
      await answerPeople(status);
    } catch (err) {
      if (signal.aborted) break; // stopping: the servers go away under the requests in flight
      throw err;
    }
    await sleep(POLL_MS, signal);
  }
  return { kind: "interrupted" };
}

async function resumeOrStart(demo: DemoStack, options: MigrationRunOptions, display: ProgressDisplay): Promise<string> {
  const previous = demo.state.migrationId;
  if (previous) {
    const res = await demo.api(`migrations/${previous}`);
    if (res.status === 200) {
      await res.text();
      display.message(`Resuming migration ${previous} at simulated ${demo.clock.now().toISOString()}`);
      return previous;
    }
    display.message(
      `Migration ${previous} from the previous run is not in the store any more (HTTP ${res.status}); starting a new one.`,
    );
  }
  const body = startRequestBody(demo.clock.now(), options.deadlineDays, demo.stack.tenant.domain);
  const res = await demo.api("migrations", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const answer = (await res.json()) as { id?: string; errors?: unknown };
  if (res.status !== 202 || !answer.id)
    throw new Error(`POST /api/migrations answered ${res.status}: ${JSON.stringify(answer)}`);
  demo.checkpoint({ migrationId: answer.id });
  display.message(
    `Migration ${answer.id} started: ${demo.stack.tenant.users.length} users, deadline ${formatHuman(new Date(String(body.deadline)), typeof body.timeZone === "string" ? body.timeZone : undefined)} (simulated)`,
  );
  return answer.id;
}

async function readStatus(demo: DemoStack, id: string): Promise<MigrationStatus> {
  const res = await demo.api(`migrations/${id}`);
  if (res.status !== 200) throw new Error(`GET /api/migrations/${id} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as MigrationStatus;
}

/** Shows a link that still works (opening the page changes nothing) and, with --auto-approve, answers it. */
async function handleLink(
  link: TaskLink,
  autoApprove: boolean,
  peig: PeigConsoleClient | undefined,
  display: ProgressDisplay,
  clock: AcceleratedClock,
): Promise<void> {
  const page = await openTaskPage(link.url);
  if (page.status !== 200) return; // already answered, or closed with its gate
  const kind = taskKindOf(page.html);
  display.message(
    `${kind === "approval" ? "Approval" : "Task"} link for ${link.to} (${link.subject}), open it to decide:\n  ${link.url}`,
  );
  if (!autoApprove) return;
  // The people --auto-approve plays answer at once: while they work (at 30,000 users the Peig admin creates some
  // 8,000 accounts in the console, minutes of real time), simulated time waits for them, as it does for a person.
  clock.pause();
  try {
    await actOn(link, page, { peig, report: (text) => display.message(`  ${text}`) });
  } finally {
    clock.resume();
  }
}

async function finish(
  demo: DemoStack,
  folder: DemoStateFolder,
  id: string,
  phase: string,
  display: ProgressDisplay,
): Promise<RunOutcome> {
  display.end();
  const [html, json] = await Promise.all([
    demo.api(`migrations/${id}/report`),
    demo.api(`migrations/${id}/report?format=json`),
  ]);
  if (html.status === 200 && json.status === 200) {
    folder.writeReport(await html.text(), await json.text());
    display.message(`Report: ${folder.reportHtml} (and ${folder.reportJson})`);
  } else {
    display.message(`No report was written (the migration ${phase}).`);
  }
  display.message(`Migration ${id} ${phase}.`);
  return { kind: "finished", phase, exitCode: phase === "completed" ? 0 : 1 };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * What a Peig admin does in operator mode before confirming the checklist: look at Users & Access's
 * pending requests, find whose address each typed e-mail is in the directory, and merge it there.
 */
async function operatorMergeSuggestions(demo: DemoStack, peig: PeigApiClient): Promise<MismatchedUser[]> {
  const [users, pendingRequests, microsoft365Accounts] = await Promise.all([
    peig.listUsers(),
    peig.listPendingRequests(),
    peig.listMicrosoft365Accounts(),
  ]);
  if (pendingRequests.length === 0) return [];
  const reconciliation = reconcile({
    mode: "api",
    users: inScopeUsers(demo.stack.tenant),
    peig: { users, pendingRequests, microsoft365Accounts },
  });
  return reconciliation.mismatchedRequests.flatMap((m) => {
    const target = m.suggestedMergeTarget;
    if (!target) return [];
    const mergeSuggestion = {
      requestId: m.request.id,
      microsoft365UserId: target.userId,
      ...(target.peigAccountId ? { peigAccountId: target.peigAccountId } : {}),
    };
    return [{ userPrincipalName: target.userPrincipalName, mergeSuggestion }];
  });
}
