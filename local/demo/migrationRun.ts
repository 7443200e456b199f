/**
 * The admin's side of the demo: start a migration through the public API (or pick up the one a previous
 * run started), watch its status until it ends, show the task links the e-mails carry (and answer them
 * with --auto-approve), and save the report.
 */
import { LOCAL_ADMIN } from "../fixtures/staff";
import { formatHuman } from "../../shared/domain/humanTime";
import { isFinalPhase } from "../../shared/workflow";
import { actOn, openTaskPage, TaskLinkFeed, taskKindOf, type DecisionAnswer, type TaskLink } from "./autoApprove";
import type { AcceleratedClock } from "../host/clocks";
import type { DemoStack } from "./demoStack";
import { peigAdminDesk, settleMistypedRequests, type PeigAdminDesk } from "./peigAdmin";
import { pauseClockForPeople } from "./peopleClock";
import type { DemoStateFolder } from "./persistence";
import { plural } from "../../shared/domain/plural";
import { startRequestBody } from "./startRequest";
import { POLL_MS, StatusPace } from "./statusPace";
import { renderWaitingOn, type MigrationStatusView, type ProgressDisplay } from "./progress";

/** How long (simulated) the auto-approver waits before trying a refused confirmation again. */
const RETRY_REFUSED_MS = 24 * 60 * 60_000;

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
  // The Peig admin in operator mode: acts in the Peig console through its forms, looks people up in the directory,
  // and asks whoever sent a request they cannot place.
  const peigAdmin =
    options.autoApprove && options.operator ? peigAdminDesk(demo.stack.peig.consoleUrl, demo.stack.tenant) : undefined;
  /** Task confirmations the app refused (Peig's figures did not agree), by link: tried again later. */
  const refused = new Map<string, { link: TaskLink; at: number; said: string }>();
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
    const retries = [...refused.values()].filter((r) => demo.clock.now().getTime() - r.at >= RETRY_REFUSED_MS);
    for (const link of [...feed.next(), ...retries.map((r) => r.link)]) {
      const retry = refused.get(link.url);
      const answer = await handleLink(link, options.autoApprove, peigAdmin, display, demo.clock, retry?.said).catch(
        (err: unknown) => {
          display.message(`Could not answer ${link.url}: ${reasonOf(err)}`);
          return undefined;
        },
      );
      if (answer?.status === 422) {
        // The auto-approver cannot go on by itself: the terminal says what waits and why (once per reason), and
        // the Peig admin looks again a simulated day later, when Peig may have moved on.
        const said = answer.refusal.join("; ");
        if (said !== retry?.said)
          display.message(
            `  The auto-approver cannot confirm this task yet; the migration waits for it. Open the task to see why, or the status page: ${link.url}`,
          );
        refused.set(link.url, { link, at: demo.clock.now().getTime(), said });
      } else refused.delete(link.url);
    }
    // Api mode: the app asks the Peig admin to confirm merges in a task of its own. Operator mode shows no Peig
    // state, so the Peig admin keeps an eye on Users & Access's pending requests, as the checklist task asks.
    if (status.peigMode === "operator" && peigAdmin) {
      await settleMistypedRequests(peigAdmin, (screen) => {
        const merged = screen.done.filter((d) => !d.judged).length;
        if (merged)
          display.message(
            `  Peig admin: merged ${plural(merged, "pending request")} typed with another of the user's addresses into their account`,
          );
        for (const { said } of screen.done.filter((d) => d.judged)) display.message(`  Peig admin: ${said}`);
        for (const problem of screen.problems)
          hintOnce(problem, `  Peig admin could not settle ${problem}; trying again later`);
      }).catch((err: unknown) => {
        // A page that did not load (a busy machine): the Peig admin looks again at the next round, as a person would.
        const reason = reasonOf(err);
        hintOnce(reason, `  Peig admin could not open Users & Access (${reason}); looking again shortly`);
      });
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

  const pace = new StatusPace(demo.engine);
  // On a terminal the line's countdowns follow the clock between reads of the status.
  const ticking = setInterval(() => display.tick(demo.clock.now()), POLL_MS);
  try {
    while (!signal.aborted) {
      pace.reading();
      try {
        const status = await readStatus(demo, id);
        display.update(status);
        if (isFinalPhase(status.phase)) return await finish(demo, folder, id, status.phase, display);
        await answerPeople(status);
      } catch (err) {
        if (signal.aborted) break; // stopping: the servers go away under the requests in flight
        throw err;
      }
      await pace.nextRead(signal);
    }
    return { kind: "interrupted" };
  } finally {
    clearInterval(ticking);
    pace.stop();
  }
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

/**
 * Shows a link that still works (opening the page changes nothing) and, with --auto-approve, answers it. `refusedFor`:
 * a retry of a confirmation refused for these reasons, which are not printed again if they are the same.
 */
async function handleLink(
  link: TaskLink,
  autoApprove: boolean,
  peig: PeigAdminDesk | undefined,
  display: ProgressDisplay,
  clock: AcceleratedClock,
  refusedFor?: string,
): Promise<DecisionAnswer | undefined> {
  const page = await openTaskPage(link.url);
  if (page.status !== 200) return undefined; // already answered, or closed with its gate
  const kind = taskKindOf(page.html);
  if (refusedFor === undefined)
    display.message(
      `${kind === "approval" ? "Approval" : "Task"} link for ${link.to} (${link.subject}), open it to decide:\n  ${link.url}`,
    );
  if (!autoApprove) return undefined;
  // The people --auto-approve plays answer at once: while they work (at 30,000 users the Peig admin creates some
  // 8,000 accounts in the console, minutes of real time), simulated time waits for them, as it does for a person.
  clock.pause();
  try {
    const lines: string[] = [];
    const answer = await actOn(link, page, { peig, report: (text) => lines.push(`  ${text}`) });
    if (answer.status !== 422 || answer.refusal.join("; ") !== refusedFor) lines.forEach((l) => display.message(l));
    return answer;
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

/** An error in words, with its cause (fetch says only "fetch failed"; the cause says why). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
