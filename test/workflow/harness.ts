/**
 * Scenario harness: the app's real registrations on the local host with a virtual clock, the real
 * adapters against the Graph and Peig simulators, and helpers that act like the people involved
 * (an admin over the HTTP API, approvers and the Peig admin through the e-mailed links).
 */
import { sampleStartRequest, START } from "../../local/fixtures/startRequest";
import { VirtualClock } from "../../local/host/clocks";
import { TableInstanceStore } from "../../local/host/instanceStore";
import { createTestHost, signInAs, type SignedInFetch, type TestHost } from "../../local/host/testHost";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import type { LogSink } from "../../local/host/engine";
import type { InstanceRecord } from "../../local/host/instanceStore";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../local/stack";
import type { TenantOptions } from "../../local/fixtures/tenant";
import type { SentMail } from "../../local/graph-simulator/mailbox";
import { registry } from "../../local/host/fakeCore";
import type { PeigSimulatorHandle } from "../../local/peig-simulator";
import { DAY, HOUR } from "../../shared/domain/duration";
import { LONGEST_TIMER_MS } from "../../shared/domain/waits";
import { isFinalPhase } from "../../shared/workflow";

export { DAY, HOUR, START };

/** The sample start request (local/fixtures/startRequest.ts) with overrides. */
export const startBody = sampleStartRequest;

/** The home page's start form's fields as an admin types the sample start request into them. */
export function filledStartForm(): Record<string, string> {
  const sample = startBody();
  return {
    workspace: sample.workspace,
    domain: sample.domain,
    idpEntityId: sample.idpEntityId,
    deadlineDate: sample.deadline.slice(0, 10),
    deadlineTime: sample.deadline.slice(11, 16),
    timeZone: "UTC",
    approvers: sample.approvers.join(", "),
    admins: sample.admins.join(", "),
  };
}

export interface Scenario {
  host: TestHost;
  stack: LocalStack;
  clock: VirtualClock;
  start(body?: Record<string, unknown>): Promise<string>;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** The headers of someone's browser signed in through the local sign-in page (their session cookie). */
  signedIn(userPrincipalName: string): Promise<{ cookie: string }>;
  /** Like a signed-in admin's browser (the local Migration.Admin, cookies kept): a URL, or a path under /api/. */
  asAdmin(path: string, init?: RequestInit): Promise<Response>;
  status(id: string): Promise<Record<string, unknown>>;
  /** Skips from durable timer to durable timer until `done` holds (or the time limit passes). */
  runUntil(done: () => boolean | Promise<boolean>, limitMs?: number): Promise<void>;
  /** Runs until the migration ends (completed, cancelled or failed; default limit 5 days) and returns that phase. */
  runToEnd(id: string, limitMs?: number): Promise<string>;
  phase(id: string): Promise<string>;
  /** Task links e-mailed to `to` (newest last), from the Graph simulator's outbox. */
  taskLinks(to: string): string[];
  /** Opens a link like a person: GET the page, then POST the decision with the page's CSRF token and cookie. */
  decide(
    link: string,
    decision: string,
    options?: { reason?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** The URL a link reaches now (after a host restart, the new host). */
  taskUrl(link: string): string;
  /** GET a task link: the page, and the CSRF token and cookie a browser would keep from it. */
  openTask(link: string, headers?: Record<string, string>): Promise<TaskPage>;
  /** POST form fields to a task link as given (no CSRF added), then let the host settle. */
  postTask(
    link: string,
    fields: Record<string, string>,
    options?: { cookie?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  stop(): Promise<void>;
}

export interface TaskPage {
  status: number;
  html: string;
  /** The form's hidden csrf field ("" when the page has no form). */
  csrf: string;
  /** "name=value" of the CSRF cookie ("" when none was set). */
  cookie: string;
}

/** Table Storage (Azurite) for both the durable host's instances and the app's store, under one table prefix. */
export interface ScenarioStorage {
  connection: string;
  /** Letters and digits, unique per test: the app's tables and the host's instance table start with it. */
  tablePrefix: string;
}

export interface ScenarioOptions {
  tenant?: TenantOptions;
  peigMode?: "api" | "operator";
  runActivitiesTwice?: boolean;
  stack?: Partial<LocalStackOptions>;
  /** Omitted: both stores in memory. */
  storage?: ScenarioStorage;
  /** Sees each execution just before continueAsNew replaces it (history recording). */
  onContinueAsNew?: (record: InstanceRecord) => void;
  /** Timers delivered up to this much early, as Azure Storage may. */
  timerEarlyMs?: number | "wholeSeconds";
  /** What the functions log through their invocation (the activities' lines); default: HOST_LOG=1 prints them. */
  hostLog?: LogSink;
}

// HOST_LOG=1 prints activity failures and warnings from the local host.
const hostLog = process.env.HOST_LOG
  ? (level: string, source: string, message: string) => console.log(`[${level}] ${source}: ${message}`)
  : undefined;

function durableHost(clock: VirtualClock, options: ScenarioOptions): Promise<TestHost> {
  const store = options.storage
    ? TableInstanceStore.fromConnectionString(options.storage.connection, `${options.storage.tablePrefix}Instances`)
    : undefined;
  return createTestHost({
    clock,
    store,
    runActivitiesTwice: options.runActivitiesTwice,
    onContinueAsNew: options.onContinueAsNew,
    timerEarlyMs: options.timerEarlyMs,
    log: options.hostLog ?? hostLog,
  });
}

/** A virtual clock that says when time moves, so simulated people can act as it passes. */

export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const clock = new VirtualClock(START);
  const host = await durableHost(clock, options);
  const storage = options.storage
    ? { storageConnection: options.storage.connection, tablePrefix: options.storage.tablePrefix }
    : {};
  const stack = await startLocalStack({
    clock,
    publicBaseUrl: host.baseUrl,
    tenant: { users: 60, seed: 11, ...options.tenant },
    peigMode: options.peigMode,
    ...storage,
    ...options.stack,
  });
  return scenarioOn(host, stack, clock);
}

/**
 * Stops the durable host (the simulators and the app's store keep running) and starts a new one on the
 * same instance store, as after a process restart. The e-mailed links keep their public base URL; the
 * returned scenario routes them to the new host, as a stable front door would.
 */
export async function restartHost(previous: Scenario, options: ScenarioOptions): Promise<Scenario> {
  if (!options.storage) throw new Error("restartHost needs storage: an in-memory instance store dies with its host");
  await previous.host.stop();
  const host = await durableHost(previous.clock, options);
  return scenarioOn(host, previous.stack, previous.clock);
}

function scenarioOn(host: TestHost, stack: LocalStack, clock: VirtualClock): Scenario {
  // Links carry PUBLIC_BASE_URL (the first host's address); send them to whichever host runs now.
  const publicBase = stack.settings.PUBLIC_BASE_URL.replace(/\/$/, "");
  const viaFrontDoor = (link: string) =>
    link.startsWith(publicBase) ? host.baseUrl.replace(/\/$/, "") + link.slice(publicBase.length) : link;
  const api = (path: string, init?: RequestInit) => host.fetchApi(path, init);
  let admin: Promise<SignedInFetch> | undefined;
  const scenario: Scenario = {
    host,
    stack,
    clock,
    api,
    signedIn: async (upn) => ({ cookie: await signInAs(host.baseUrl, host.server, upn) }),
    asAdmin: async (path, init) =>
      (await (admin ??= host.signIn(LOCAL_ADMIN)))(
        /^https?:/.test(path) ? path : `${host.baseUrl}/api/${path.replace(/^\//, "")}`,
        init,
      ),
    start: async (body = startBody()) => {
      const res = await api("migrations", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      await host.idle();
      return id;
    },
    status: async (id) => (await (await api(`migrations/${id}`)).json()) as Record<string, unknown>,
    phase: async (id) => (await stack.store.getMigration(id))!.phase,
    runUntil: async (done, limitMs = 60 * DAY) => {
      const limit = clock.now().getTime() + limitMs;
      await host.idle();
      while (!(await done())) {
        assertNoLongTimer(host, clock);
        const next = host.engine.nextTimer();
        if (!next) throw new Error("nothing left to wait for, and the condition does not hold");
        if (next.fireAt.getTime() > limit)
          throw new Error(`condition not reached before ${new Date(limit).toISOString()}`);
        await host.advanceTo(next.fireAt);
      }
    },
    runToEnd: async (id, limitMs = 5 * DAY) => {
      await scenario.runUntil(async () => isFinalPhase(await scenario.phase(id)), limitMs);
      return scenario.phase(id);
    },
    taskLinks: (to) =>
      stack.graph.outbox
        .filter((m) => [...m.to, ...m.bcc].map((a) => a.toLowerCase()).includes(to.toLowerCase()))
        .flatMap((m) =>
          [...m.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((x) => x[1].replace(/&amp;/g, "&")),
        ),
    decide: async (link, decision, opts = {}) => {
      const page = await fetch(viaFrontDoor(link), { headers: opts.headers });
      if (page.status !== 200) return page;
      const { csrf, cookie } = formOf(await page.text(), page);
      return scenario.postTask(
        link,
        { csrf, decision, ...(opts.reason ? { reason: opts.reason } : {}) },
        { cookie, headers: opts.headers },
      );
    },
    taskUrl: viaFrontDoor,
    openTask: async (link, headers) => {
      const page = await fetch(viaFrontDoor(link), { headers });
      const html = await page.text();
      return { status: page.status, html, ...formOf(html, page) };
    },
    postTask: async (link, fields, opts = {}) => {
      // The page's CSRF cookie and any other (a session's) go together, as a browser sends them.
      const cookies = [opts.cookie, opts.headers?.cookie].filter(Boolean).join("; ");
      const headers: Record<string, string> = {
        "content-type": "application/x-www-form-urlencoded",
        ...opts.headers,
        ...(cookies ? { cookie: cookies } : {}),
      };
      const res = await fetch(viaFrontDoor(link), {
        method: "POST",
        body: new URLSearchParams(fields),
        headers,
        redirect: "manual", // a sign-in redirect is an answer, not a page to follow
      });
      await host.idle();
      return res;
    },
    stop: async () => {
      await host.stop();
      await stack.stop();
    },
  };
  return scenario;
}

/** No orchestration holds a timer longer than the backend takes unsplit (6 days): checked at every step of runUntil. */
function assertNoLongTimer(host: TestHost, clock: VirtualClock): void {
  const now = clock.now().getTime();
  for (const record of host.engine.listInstances()) {
    for (const timer of record.timers) {
      if (Date.parse(timer.fireAt) - now > LONGEST_TIMER_MS)
        throw new Error(
          `${record.instanceId} holds a timer to ${timer.fireAt}: longer than 6 days from ${clock.now().toISOString()}`,
        );
    }
  }
}

/** Runs to the deletion approval gate, and the approver approves the newest link (the request must be taken: 200). */
export async function approveDeletion(s: Scenario, id: string, approver = "cio@contoso.com"): Promise<void> {
  await s.runUntil(async () => (await s.phase(id)) === "approval");
  const link = s.taskLinks(approver).at(-1);
  expect(link).toBeDefined();
  expect((await s.decide(link!, "approve")).status).toBe(200);
}

/**
 * Plays every person until the migration ends: approvers approve each new link, the Peig admin
 * follows each new operator task; time moves from timer to timer. Returns the final phase.
 */
export async function playEveryone(
  s: Scenario,
  id: string,
  options: { limitMs?: number; peigAdmin?: string } = {},
): Promise<string> {
  const done = new Set<string>();
  const limit = s.clock.now().getTime() + (options.limitMs ?? 60 * DAY);
  const peigAdmin = (options.peigAdmin ?? "it@contoso.com").toLowerCase();
  for (;;) {
    const phase = await s.phase(id);
    if (isFinalPhase(phase)) return phase;
    for (const mail of s.stack.graph.outbox) {
      const operator = [...mail.to, ...mail.bcc].some((a) => a.toLowerCase() === peigAdmin);
      for (const [, raw] of mail.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)) {
        const link = raw.replace(/&amp;/g, "&");
        if (done.has(link)) continue;
        done.add(link);
        const page = await s.openTask(link);
        if (page.status !== 200) continue;
        // The admins' pilot review (waves) is theirs to approve, not a Peig step.
        if (operator && !page.html.includes("Pilot review:")) await peigAdminFollows(s, link);
        else await s.decide(link, "approve");
      }
    }
    await s.host.idle();
    assertNoLongTimer(s.host, s.clock);
    const next = s.host.engine.nextTimer();
    if (!next) {
      const now = await s.phase(id);
      if (isFinalPhase(now)) return now;
      throw new Error(`nothing left to wait for in phase ${now}`);
    }
    if (next.fireAt.getTime() > limit) throw new Error(`still in phase ${phase} at ${new Date(limit).toISOString()}`);
    await s.host.advanceTo(next.fireAt);
  }
}

function formOf(html: string, page: Response): { csrf: string; cookie: string } {
  return {
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "",
    cookie: (page.headers.get("set-cookie") ?? "").split(";")[0],
  };
}

/**
 * Mails that carry a Durable Functions system URL or key (docs/design.md#human-tasks: their key opens every instance
 * in the task hub). Returns "subject: offending text" per hit; empty when the outbox is clean.
 */
export function durableSecretsIn(outbox: readonly SentMail[]): string[] {
  const leaks = [/code=/i, /\/runtime\/webhooks\/durabletask/i, /\/durabletask\//i];
  return outbox.flatMap((m) =>
    leaks.filter((re) => re.test(m.html) || re.test(m.subject)).map((re) => `${m.subject}: ${re.source}`),
  );
}

/**
 * Runs `before(input)` each time the named activity starts, ahead of the real one, until the returned
 * undo is called. For scenarios that must act at an exact point of the orchestration ("after the
 * approval decision, before the re-check reads Peig") without racing the host.
 */
export function beforeActivity(name: string, before: (input: unknown) => void | Promise<void>): () => void {
  const registration = registry.get(name);
  if (!registration) throw new Error(`no activity named ${name} is registered`);
  const original = registration.callback;
  registration.callback = async (input: unknown, ...rest: unknown[]) => {
    await before(input);
    return original(input, ...rest);
  };
  return () => void (registration.callback = original);
}

/**
 * Runs `after(input, result)` each time the named activity has run, before its result reaches the
 * orchestration, until the returned undo is called: for acting "while the activity runs" (after it has
 * read the store, before the orchestration sees what it read).
 */
export function afterActivity(
  name: string,
  after: (input: unknown, result: unknown) => void | Promise<void>,
): () => void {
  const registration = registry.get(name);
  if (!registration) throw new Error(`no activity named ${name} is registered`);
  const original = registration.callback;
  registration.callback = async (input: unknown, ...rest: unknown[]) => {
    const result = await original(input, ...rest);
    await after(input, result);
    return result;
  };
  return () => void (registration.callback = original);
}

/**
 * A person's decision on a task link, over HTTP like `decide`, without waiting for the host to settle
 * (usable from inside an activity, which the host is busy running).
 */
export async function decideNow(s: Scenario, link: string, decision: string): Promise<number> {
  const page = await fetch(s.taskUrl(link));
  if (page.status !== 200) return page.status;
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
  const res = await fetch(s.taskUrl(link), {
    method: "POST",
    body: new URLSearchParams({ csrf, decision }),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
  });
  return res.status;
}

/**
 * Unlinks a Microsoft 365 account from its Peig account in the Peig simulator, as a Peig admin's change
 * or a sync problem would. The simulator has no route for this yet, so it edits the workspace's state;
 * returns the Peig account id that was linked.
 */
export function unlinkInPeig(peig: PeigSimulatorHandle, microsoft365UserId: string): string {
  return peig.state.unlink(microsoft365UserId);
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** The audit entries of one action from the status API, oldest first. */
export async function auditOf(scenario: Scenario, id: string, action: string): Promise<AuditEntry[]> {
  const status = await scenario.status(id);
  return (status.audit as AuditEntry[]).filter((a) => a.action === action).sort((a, b) => a.at.localeCompare(b.at));
}

/** Outbox mails whose subject matches, oldest first. */
export function mailsWithSubject(stack: LocalStack, subject: RegExp): SentMail[] {
  return stack.graph.outbox.filter((m) => subject.test(m.subject));
}

export const unescapeHtml = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!,
  );

/** A value the task page shows under "Values to paste". */
function pastedValue(html: string, label: string): string {
  const match = new RegExp(`<strong>${label}</strong></p><pre>([\\s\\S]*?)</pre>`).exec(html);
  if (!match) throw new Error(`the task page shows no value "${label}"`);
  return unescapeHtml(match[1]);
}

/** The Microsoft 365 accounts the page's "Accounts" table lists. */
function listedAccounts(html: string): string[] {
  const table =
    /<h2>Accounts \(\d+\)<\/h2>(?:<div class="scroll">)?(<table>[\s\S]*?<\/table>|<p[^>]*>None\.<\/p>)/.exec(html);
  if (!table) throw new Error("the task page lists no accounts");
  return [
    ...table[1].matchAll(/<tr><td>(?:<bdi>)?[^<]*(?:<\/bdi>)?<\/td><td>(?:<bdi>)?([^<]*)(?:<\/bdi>)?<\/td><\/tr>/g),
  ].map((m) => unescapeHtml(m[1]));
}

/** Whether a task of this purpose (any round) is open. */
export async function openGate(s: Scenario, id: string, purpose: string): Promise<boolean> {
  return (await s.stack.store.listTasks(id, { status: "open" })).some((t) => t.gate?.startsWith(`${purpose}-`));
}

/** What Users & Access and MS365 Identifiers show now, as the checklist confirmation's form asks for it. */
export function peigChecklistFigures(s: Scenario): Record<string, string> {
  const peig = s.stack.peig.state;
  return {
    pendingRequests: String(peig.pendingRequests().length),
    notOnboarded: String(peig.users().filter((u) => u.status === "Not Onboarded").length),
    linkedAccounts: String(peig.microsoft365Accounts().filter((a) => a.linkStatus === "linked").length),
  };
}

/**
 * The Peig admin follows an operator task e-mail: opens the page, does in Peig (the simulator's
 * workspace, i.e. its admin UI) exactly what the page says with the values it shows, then confirms
 * "done" on the page. Returns the page title and the confirmation's response.
 */
export async function peigAdminFollows(s: Scenario, link: string): Promise<{ title: string; confirmed: Response }> {
  const page = await s.openTask(link);
  if (page.status !== 200) throw new Error(`the operator task page answered ${page.status}`);
  const title = unescapeHtml(/<h1>([^<]*)<\/h1>/.exec(page.html)?.[1] ?? "");
  const peig = s.stack.peig.state;
  // What the Peig admin reads in Peig afterwards and types into the task's form (the app checks it).
  let figures: Record<string, string> = {};
  if (title.startsWith("Set the migration configuration")) {
    const applicationId = pastedValue(page.html, "Application ID");
    const certificate = pastedValue(page.html, "IDP Certificate");
    const problems = peig.validate(applicationId, certificate);
    if (problems.length) throw new Error(`Peig's Validate refused the page's values: ${JSON.stringify(problems)}`);
    peig.save(applicationId, certificate);
    figures = { applicationId: peig.getConfiguration().applicationId };
  } else if (/^Create \d+ Peig account/.test(title)) {
    let created = 0;
    let alreadyLinked = 0;
    for (const upn of listedAccounts(page.html)) {
      const user = s.stack.tenant.users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
      if (!user) throw new Error(`the page lists ${upn}, who is not on the Microsoft 365 Accounts tab`);
      // "Skip anyone who already shows a linked Peig account."
      if (peig.microsoft365Account(user.id).linkStatus === "linked") alreadyLinked++;
      else {
        peig.createPeigAccount(user.id);
        created++;
      }
    }
    figures = { created: String(created), alreadyLinked: String(alreadyLinked), failed: "0" };
  } else if (title.startsWith("Confirm that every user is onboarded and linked")) {
    // The Peig admin checks Users & Access and MS365 Identifiers: nothing pending, nobody unlinked but the people the
    // page names as exempted.
    const exempted = new Set(
      [...page.html.matchAll(/&lt;([^&]+)&gt;: exempted \(/g)].map((m) => unescapeHtml(m[1]).toLowerCase()),
    );
    const unlinked = peig
      .microsoft365Accounts()
      .filter((a) => a.linkStatus === "unlinked" && !exempted.has(a.userPrincipalName.toLowerCase()));
    if (peig.pendingRequests().length > 0 || unlinked.length > 0)
      throw new Error(
        `Peig still shows pending requests (${peig.pendingRequests().length}) or unlinked accounts (${unlinked.length})`,
      );
    figures = peigChecklistFigures(s);
  } else if (/^Merge \d+ pending request/.test(title)) {
    // api mode: confirming is the whole step, the app merges through the Peig API.
  } else if (title.startsWith("Delete the migration configuration")) {
    peig.delete();
    figures = { configurationsShown: "0" };
  } else {
    throw new Error(`the Peig admin does not know the task "${title}"`);
  }
  const confirmed = await s.postTask(link, { ...figures, csrf: page.csrf, decision: "done" }, { cookie: page.cookie });
  return { title, confirmed };
}

export interface PageForm {
  action: string;
  fields: Record<string, string>;
}

/** The page's forms: action, and the values a browser would post (text inputs, checked boxes, selected options). */
export function formsOf(html: string): PageForm[] {
  return [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)].map(([, action, inner]) => {
    const fields: Record<string, string> = {};
    for (const [tag] of inner.matchAll(/<input [^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(tag)?.[1];
      if (!name) continue;
      if (tag.includes('type="checkbox"')) {
        if (tag.includes(" checked")) fields[name] = "on";
      } else fields[name] = unescapeHtml(/value="([^"]*)"/.exec(tag)?.[1] ?? "");
    }
    for (const [, name, options] of inner.matchAll(/<select [^>]*name="([^"]*)">([\s\S]*?)<\/select>/g))
      fields[name] = /<option value="([^"]*)" selected>/.exec(options)?.[1] ?? "";
    return { action: unescapeHtml(action), fields };
  });
}

/** The status page's form for `command` (as the signed-in admin sees it): where it posts and its hidden fields (CSRF among them). */
export async function statusPageForm(
  s: Scenario,
  id: string,
  command: string,
): Promise<{ action: string; fields: Record<string, string> }> {
  const html = await (await s.asAdmin(`migrations/${id}/page`)).text();
  const match = new RegExp(`<form method="post" action="([^"]*)" id="action-${command}">([\\s\\S]*?)</form>`).exec(
    html,
  );
  if (!match) throw new Error(`the status page shows no ${command} button`);
  const fields: Record<string, string> = {};
  for (const [, name, value] of match[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields[name] = unescapeHtml(value);
  return { action: unescapeHtml(match[1]), fields };
}

/** Operator mode: the Peig admin follows every task mailed to them, timer after timer, until `done` holds. */
export async function peigAdminFollowsUntil(s: Scenario, done: () => Promise<boolean>): Promise<void> {
  const followed = new Set<string>();
  while (!(await done())) {
    for (const link of s.taskLinks("it@contoso.com"))
      if (!followed.has(link)) {
        followed.add(link);
        if ((await s.openTask(link)).status === 200) await peigAdminFollows(s, link);
      }
    await s.host.idle();
    if (await done()) return;
    const next = s.host.engine.nextTimer();
    if (!next) throw new Error("nothing left to wait for");
    await s.host.advanceTo(next.fireAt);
  }
}

/** The messages the simulator's outbox holds for `user` (to or bcc, any case of the address). */
export const mailsTo = (s: Scenario, user: { mail?: string | null }) =>
  s.stack.graph.outbox.filter((m) => [...m.to, ...m.bcc].some((a) => a.toLowerCase() === user.mail?.toLowerCase()));
