/**
 * One whole migration on the local host and the simulators, driven like the scenario tests drive it
 * (test/workflow/harness.ts): POST /api/migrations, skip from durable timer to durable timer, approve
 * the deletion through the e-mailed task page. The app's ports are wrapped to note what the minimum
 * request counts depend on (users listed per pass, items per Peig list, recipients per send).
 */
import { performance } from "node:perf_hooks";
import { sendersNeeded } from "../../shared/domain/mailPlan";
import { monitorTimes, reminderTimes } from "../../shared/domain/schedule";
import type { Services } from "../../shared/services";
import { isFinalPhase, type Phase } from "../../shared/workflow";
import { inScopeUsers, type TenantOptions } from "../fixtures/tenant";
import { VirtualClock } from "../host/clocks";
import { createTestHost, type TestHost } from "../host/testHost";
import type { PeigRateLimit } from "../peig-simulator";
import { startLocalStack, type LocalStack } from "../stack";
import { sampleStartRequest, START } from "../fixtures/startRequest";
import { DAY } from "../../shared/domain/duration";
import { actOn, openTaskPage, TaskLinkFeed, taskKindOf, type TaskLink } from "../demo/autoApprove";
import { peigAdminDesk } from "../demo/peigAdmin";
import { LOG_PREFIX } from "../../shared/migrationLog";
import type { MeasuredRun } from "./costModel";

export { START };

export const startRequest = sampleStartRequest();

/**
 * One logical bulk send: its batches share subject and body and never repeat a recipient. Only the
 * newest send keeps its recipients (to tell its next batch from a new send); earlier ones keep a count,
 * so the bench's own notes do not hold every address of every send in the run's memory.
 */
interface BulkSend {
  subject: string;
  html: string;
  recipientCount: number;
}

export interface MigrationRunResult {
  wallMs: number;
  finalPhase: Phase;
  inScope: number;
  /** What a pass's server-side filter returns (enabled, licensed members of every domain); the domain is filtered after. */
  keptByFilter: number;
  /** Dry-run plans read (the start reads one): each reads the users in scope and, once more, who the rules removed. */
  planReads: number;
  /** In-scope users who never onboard by themselves (the tenant's behaviour): Phase 2's work. */
  missedUsers: number;
  requests: { graph: Record<string, number>; peig: Record<string, number>; store: Record<string, number> };
  /** Reconciliation passes made, and the ones the schedule asks for. */
  passes: { made: number; scheduled: number };
  /** Fewest pages each list needs, summed over every call made: ⌈items / page size⌉, at least 1. */
  minimumPages: {
    graphListUsers: number;
    peigListUsers: number;
    peigListOnboardingRequests: number;
    peigListMicrosoft365Accounts: number;
  };
  mail: {
    bulkSends: number;
    /** Σ ⌈recipients / 500⌉ over bulk sends. */
    minimumBulkMessages: number;
    personalisedMessages: number;
    /** Inbox listings the bounce reads needed at least (one per sender mailbox per read). */
    minimumInboxReads: number;
    messagesSent: number;
    /** Sender mailboxes the run used (as many as the mail plan needs). */
    senders: number;
    /** Recipients the simulated Exchange did not deliver to (each with a non-delivery report). */
    undelivered: number;
    /** The most recipients any one mailbox sent to in a rolling 24 hours. */
    maxRecipientsPer24h: number;
  };
  maxHistory: { events: number; instanceId: string };
  /** Phase → virtual time it was entered (from the audit trail). */
  phaseEnteredAt: Partial<Record<Phase, number>>;
  /** Phase → the reason recorded on entering it (e.g. "Phase 2: 3042 created, 0 failed"). */
  phaseDetail: Partial<Record<Phase, string>>;
  phase2Batches: number;
  rateLimited: number;
  /** Accounts on Peig's Peig Accounts tab at the end. */
  peigAccounts: number;
  /**
   * Operator mode: Entra's sign-in log read by the monitor (GET auditLogs/signIns, every attempt, 429s counted in),
   * and the fewest pages its reads needed: Σ over reads ⌈sign-ins returned / 1,000⌉, at least 1 ($top ≤ 1,000).
   */
  signInLog: { requests: number; reads: number; minimumPages: number; entriesRead: number; throttled: number };
  /** What the cost estimate is worked out from (local/bench/costModel.ts). */
  measured: MeasuredRun;
}

const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));

/** `target` with some methods replaced; every other member is the original, bound to it. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, property) {
      if (property in overrides) return overrides[property as keyof T];
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

interface Notes {
  usersPerPass: number[];
  /** Users in scope of each dry-run plan read (readScope: the start's plan). */
  usersPerPlan: number[];
  peigItems: { listUsers: number[]; listPendingRequests: number[]; listMicrosoft365Accounts: number[] };
  bulkSends: BulkSend[];
  /** The newest bulk send's recipients (lower-cased). */
  lastBulkRecipients: Set<string>;
  personalisedCalls: number[];
  /** readBounces calls × sender mailboxes: one inbox listing each, at least. */
  bounceReads: number;
  /** Sign-ins returned by each read of the sign-in log (operator mode). */
  signInsPerRead: number[];
}

function instrument(services: Services, notes: Notes): void {
  const { entra, mail, peig } = services;
  services.entra = withOverrides(entra, {
    listUsersInScope: async (scope) => {
      const users = await entra.listUsersInScope(scope);
      notes.usersPerPass.push(users.length);
      return users;
    },
    readScope: async (scope) => {
      const decision = await entra.readScope(scope);
      notes.usersPerPlan.push(decision.users.length);
      return decision;
    },
    listMigrationSignIns: async (query) => {
      const signIns = await entra.listMigrationSignIns(query);
      notes.signInsPerRead.push(signIns.length);
      return signIns;
    },
  });
  if (peig) {
    const noted =
      <R extends unknown[]>(list: () => Promise<R>, into: number[]) =>
      async () => {
        const items = await list();
        into.push(items.length);
        return items;
      };
    services.peig = withOverrides(peig, {
      listUsers: noted(() => peig.listUsers(), notes.peigItems.listUsers),
      listPendingRequests: noted(() => peig.listPendingRequests(), notes.peigItems.listPendingRequests),
      listMicrosoft365Accounts: noted(() => peig.listMicrosoft365Accounts(), notes.peigItems.listMicrosoft365Accounts),
    });
  }
  services.mail = withOverrides(mail, {
    sendBulk: (message) => {
      const unique = new Set(message.recipients.map((r) => r.trim().toLowerCase()));
      const last = notes.bulkSends[notes.bulkSends.length - 1];
      const batchOfLast =
        last &&
        last.subject === message.subject &&
        last.html === message.html &&
        [...unique].every((r) => !notes.lastBulkRecipients.has(r));
      if (batchOfLast) unique.forEach((r) => notes.lastBulkRecipients.add(r));
      else {
        notes.bulkSends.push({ subject: message.subject, html: message.html, recipientCount: 0 });
        notes.lastBulkRecipients = unique;
      }
      notes.bulkSends[notes.bulkSends.length - 1].recipientCount = notes.lastBulkRecipients.size;
      return mail.sendBulk(message);
    },
    sendPersonalised: (messages, options) => {
      notes.personalisedCalls.push(messages.length);
      return mail.sendPersonalised(messages, options);
    },
    readBounces: (since) => {
      notes.bounceReads += mail.senders.length;
      return mail.readBounces(since);
    },
  });
}

export async function runUntil(
  host: TestHost,
  clock: VirtualClock,
  done: () => Promise<boolean>,
  limitMs: number,
): Promise<void> {
  const limit = clock.now().getTime() + limitMs;
  await host.idle();
  while (!(await done())) {
    const next = host.engine.nextTimer();
    if (!next) throw new Error("the migration waits for nothing and is not done");
    if (next.fireAt.getTime() > limit) throw new Error(`not done by ${new Date(limit).toISOString()}`);
    await host.advanceTo(next.fireAt);
  }
}

/** An approver opens the e-mailed link and approves, as in a browser: GET the page, POST with its CSRF token and cookie. */
async function approveByMail(stack: LocalStack, host: TestHost, approver: string): Promise<void> {
  const links = stack.graph.outbox
    .filter((m) => [...m.to, ...m.bcc].some((a) => a.toLowerCase() === approver))
    .flatMap((m) => [...m.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((x) => x[1].replace(/&amp;/g, "&")));
  const link = links[links.length - 1];
  if (!link) throw new Error(`no task link was mailed to ${approver}`);
  const page = await fetch(link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
  const posted = await fetch(link, {
    method: "POST",
    body: new URLSearchParams({ csrf, decision: "approve" }),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
  });
  if (posted.status !== 200) throw new Error(`approval POST answered ${posted.status}`);
  await host.idle();
}

/**
 * Operator mode: every person plays their part as the demo's --auto-approve does (local/demo/autoApprove.ts): each
 * task link e-mailed is opened; the Peig admin does the step in the Peig simulator's console through its forms and
 * confirms with the figures the console shows; approvers approve. A task whose confirmation the app refused (Peig's
 * figures did not agree yet) stays open and is answered again after the next timer. Time moves from timer to timer.
 */
async function playEveryone(
  stack: LocalStack,
  host: TestHost,
  clock: VirtualClock,
  done: () => Promise<boolean>,
  limitMs: number,
): Promise<void> {
  const feed = new TaskLinkFeed(stack.graph.outbox);
  const peig = peigAdminDesk(stack.peig.consoleUrl, stack.tenant);
  let open: TaskLink[] = [];
  const limit = clock.now().getTime() + limitMs;
  await host.idle();
  while (!(await done())) {
    open.push(...feed.next());
    const stillOpen: TaskLink[] = [];
    for (const link of open) {
      const page = await openTaskPage(link.url);
      if (page.status !== 200 || taskKindOf(page.html) === "other") continue;
      let answered = false;
      await actOn(link, page, {
        peig,
        report: (text) => {
          if (/^(Approved|Confirmed)/.test(text)) answered = true;
        },
      });
      if (!answered) stillOpen.push(link);
      await host.idle();
    }
    open = stillOpen;
    if (await done()) return;
    const next = host.engine.nextTimer();
    if (!next) throw new Error("the migration waits for nothing and is not done");
    if (next.fireAt.getTime() > limit) throw new Error(`not done by ${new Date(limit).toISOString()}`);
    await host.advanceTo(next.fireAt);
  }
}

function scheduledPasses(onboardingStartedAt: number): number {
  const start = new Date(onboardingStartedAt);
  const deadline = new Date(startRequest.deadline);
  const monitorTicks = 1 + monitorTimes(start, startRequest.monitorEvery, deadline).length;
  const reminders = reminderTimes(deadline, startRequest.reminders, start).length;
  // invitation + reminders + monitor ticks + Phase 2 plan + verification + re-check before deletion + report
  return 1 + reminders + monitorTicks + 4;
}

/** As many sender mailboxes as the mail plan needs for `users` recipients (the start refuses fewer). */
export function plannedSenders(users: number, now: Date): string[] {
  const needed = sendersNeeded(startRequest, users, now) ?? 100;
  return Array.from({ length: needed }, (_, i) => `peig-migration-${i + 1}@contoso.com`);
}

/** The most recipients one sender reached within any 24 hours, over the simulator's outbox (two pointers per sender). */
function maxRecipientsPerRollingDay(
  outbox: readonly { sender: string; sentAt: string; to: string[]; bcc: string[] }[],
): number {
  const bySender = new Map<string, { at: number; recipients: number }[]>();
  for (const m of outbox) {
    const list = bySender.get(m.sender.toLowerCase()) ?? [];
    list.push({ at: Date.parse(m.sentAt), recipients: m.to.length + m.bcc.length });
    bySender.set(m.sender.toLowerCase(), list);
  }
  let max = 0;
  for (const sends of bySender.values()) {
    sends.sort((a, b) => a.at - b.at);
    let start = 0;
    let inWindow = 0;
    for (const send of sends) {
      inWindow += send.recipients;
      while (sends[start].at <= send.at - 24 * 60 * 60_000) inWindow -= sends[start++].recipients;
      max = Math.max(max, inWindow);
    }
  }
  return max;
}

export async function runMigration(options: {
  tenant: TenantOptions;
  peigRateLimit?: PeigRateLimit;
  clock?: VirtualClock;
  /** Default api; operator: the Peig admin's steps are done in the Peig console, onboarding seen in the sign-in log. */
  peigMode?: "api" | "operator";
}): Promise<MigrationRunResult> {
  const operator = options.peigMode === "operator";
  const clock = options.clock ?? new VirtualClock(START);
  const wallStart = performance.now();
  // The app's log lines, as Application Insights would ingest them: the activities' through the host, the rest direct.
  const logLines = { count: 0, bytes: 0 };
  const keepLine = (message: string) => {
    if (!message.startsWith(LOG_PREFIX)) return;
    logLines.count++;
    logLines.bytes += Buffer.byteLength(message);
  };
  const host = await createTestHost({ clock, log: (_level, _source, message) => keepLine(message) });
  const mailSenders = plannedSenders(options.tenant.users ?? 60, clock.now());
  const stack = await startLocalStack({
    clock,
    publicBaseUrl: host.baseUrl,
    tenant: options.tenant,
    mailSenders,
    peigMode: options.peigMode,
    log: (line) => keepLine(LOG_PREFIX + JSON.stringify(line)),
  });
  if (options.peigRateLimit) stack.peig.setRateLimit(options.peigRateLimit);
  const notes: Notes = {
    usersPerPass: [],
    usersPerPlan: [],
    peigItems: { listUsers: [], listPendingRequests: [], listMicrosoft365Accounts: [] },
    bulkSends: [],
    lastBulkRecipients: new Set(),
    personalisedCalls: [],
    bounceReads: 0,
    signInsPerRead: [],
  };
  instrument(stack.services, notes);
  try {
    const res = await host.fetchApi("migrations", {
      method: "POST",
      body: JSON.stringify(startRequest),
      headers: { "content-type": "application/json" },
    });
    if (res.status !== 202) throw new Error(`start answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const phase = async () => (await stack.store.getMigration(id))!.phase as Phase;
    if (operator) await playEveryone(stack, host, clock, async () => isFinalPhase(await phase()), 70 * DAY);
    else
      await runUntil(
        host,
        clock,
        async () => {
          const now = await phase();
          return now === "approval" || isFinalPhase(now);
        },
        60 * DAY,
      );
    if (!operator && (await phase()) === "approval") {
      await approveByMail(stack, host, startRequest.approvers[0]);
      await runUntil(host, clock, async () => isFinalPhase(await phase()), 10 * DAY);
    }
    const wallMs = performance.now() - wallStart;

    const audit = await stack.store.listAudit(id);
    const phaseEnteredAt: Partial<Record<Phase, number>> = {};
    const phaseDetail: Partial<Record<Phase, string>> = {};
    for (const entry of audit.filter((e) => e.action.startsWith("phase."))) {
      const entered = entry.action.slice("phase.".length) as Phase;
      phaseEnteredAt[entered] ??= Date.parse(entry.at);
      if (typeof entry.details.detail === "string") phaseDetail[entered] ??= entry.details.detail;
    }
    const instances = host.engine.listInstances();
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const ended = (await stack.store.getMigration(id))!;
    const measured: MeasuredRun = {
      users: options.tenant.users ?? 60,
      days: (clock.now().getTime() - Date.parse(START)) / DAY,
      durable: { ...host.engine.counts },
      httpInvocations: host.server.httpInvocations,
      storeTransactions: total(stack.services.counters.store.snapshot()),
      remoteCalls: total(stack.services.counters.graph.snapshot()) + total(stack.services.counters.peig.snapshot()),
      logLines,
      mailMessages: stack.graph.outbox.length,
      phase2Accounts: ended.counts.phase2Created,
      mismatched: ended.counts.mismatched,
    };
    const widest = instances.reduce((a, b) => (b.maxHistoryLength > a.maxHistoryLength ? b : a));
    const inScope = inScopeUsers(stack.tenant);
    const sum = (xs: number[], pageSize: number) => xs.reduce((n, items) => n + pages(items, pageSize), 0);
    return {
      wallMs,
      finalPhase: await phase(),
      inScope: inScope.length,
      keptByFilter: stack.tenant.users.filter(
        (u) => u.accountEnabled && u.userType === "Member" && u.assignedLicenses.length > 0,
      ).length,
      planReads: notes.usersPerPlan.length,
      missedUsers: inScope.filter((u) => u.behaviour.onboardsAt === null).length,
      requests: {
        graph: stack.services.counters.graph.snapshot(),
        peig: stack.services.counters.peig.snapshot(),
        store: stack.services.counters.store.snapshot(),
      },
      passes: {
        made: notes.usersPerPass.length,
        scheduled: scheduledPasses(phaseEnteredAt.onboarding ?? Date.parse(START)),
      },
      minimumPages: {
        // A plan needs its users in scope and at least one request to learn what the rules removed.
        graphListUsers: sum(notes.usersPerPass, 999) + sum(notes.usersPerPlan, 999) + notes.usersPerPlan.length,
        peigListUsers: sum(notes.peigItems.listUsers, 500),
        peigListOnboardingRequests: sum(notes.peigItems.listPendingRequests, 500),
        peigListMicrosoft365Accounts: sum(notes.peigItems.listMicrosoft365Accounts, 500),
      },
      mail: {
        bulkSends: notes.bulkSends.length,
        minimumBulkMessages: notes.bulkSends.reduce((n, send) => n + Math.ceil(send.recipientCount / 500), 0),
        personalisedMessages: notes.personalisedCalls.reduce((n, m) => n + m, 0),
        minimumInboxReads: notes.bounceReads,
        messagesSent: stack.graph.outbox.length,
        senders: mailSenders.length,
        undelivered: stack.graph.outbox.reduce((n, m) => n + (m.undelivered?.length ?? 0), 0),
        maxRecipientsPer24h: maxRecipientsPerRollingDay(stack.graph.outbox),
      },
      maxHistory: { events: widest.maxHistoryLength, instanceId: widest.instanceId },
      phaseEnteredAt,
      phaseDetail,
      phase2Batches: instances.filter((i) => i.name === "createPeigAccountsBatch").length,
      rateLimited: stack.peig.requestLog.filter((e) => e.fault === "rateLimited").length,
      peigAccounts: stack.peig.state.peigAccounts().length,
      signInLog: {
        requests: stack.services.counters.graph.snapshot().listSignIns ?? 0,
        reads: notes.signInsPerRead.length,
        minimumPages: sum(notes.signInsPerRead, 1000),
        entriesRead: notes.signInsPerRead.reduce((a, b) => a + b, 0),
        throttled: stack.graph.requestLog.filter((e) => e.path.startsWith("/auditLogs/signIns") && e.status === 429)
          .length,
      },
      measured,
    };
  } finally {
    await host.stop();
    await stack.stop();
  }
}
