/**
 * Every view says the same numbers, and they are what happened: generated tenants and people (users who sign in
 * during the window, Phase 2 answers including Peig's 409 "already linked", users who sign in after Phase 2,
 * requests typed with another e-mail that the Peig admin merges by hand, or not) in both Peig modes. Each case runs
 * the real reconciliation passes, Phase 2, the Peig admin's checked confirmations, the checklist, the report, the
 * approvers' task and the digest over an in-memory store and fake ports (no HTTP, no orchestration), then compares
 * every view with the figures and the figures with what the generated people did.
 */
import fc from "fast-check";
import { monitorOnboarding } from "../../activities/onboarding";
import { openHumanTasks } from "../../activities/gateTasks";
import { phase2Activities, planPhase2 } from "../../activities/phase2";
import { recordPhase, writeReport } from "../../activities/bookkeeping";
import { verifyChecklist } from "../../activities/closing";
import { figureLines, type MigrationFigures } from "../../shared/domain/figures";
import { loadSettings } from "../../shared/config";
import { timingsFromSettings } from "../../shared/domain/waits";
import type { DirectoryUser, EntraPort, MigrationSignIn } from "../../shared/entra/port";
import type { MailPort, MailResult } from "../../shared/mail/port";
import { recordFigures, updateRuntime } from "../../shared/migrationRecord";
import type { MigrationRuntime } from "../../shared/migrationRuntime";
import { checkAndRecordConfirmation } from "../../shared/operatorConfirmations";
import { renderStatusPage, type StatusView } from "../../shared/pages/statusPage";
import { renderTaskPage } from "../../shared/pages/taskPage";
import { PeigApiError } from "../../shared/peig/apiClient";
import type { PeigPort } from "../../shared/peig/port";
import { RequestCounter } from "../../shared/requestCounter";
import type { Services } from "../../shared/services";
import { MemoryMigrationStore } from "../../shared/store";
import type { PeigUser, OnboardingRequest, Microsoft365Account } from "../../shared/domain/types";
import { unescapeHtml } from "../../local/demo/autoApprove";

interface Person {
  signsInDuringWindow: boolean;
  /** Typed another e-mail into Peig: a pending request Peig shows (operator mode: the app cannot see it). */
  typedAnotherEmail: boolean;
  /** Phase 2: what Create Peig Account does for them (a 409 when they signed in before the Peig admin got to them). */
  phase2: "created" | "signsInFirst" | "failed";
  signsInAfterPhase2: boolean;
}

interface Case {
  mode: "api" | "operator";
  people: Person[];
  skipPhase2: boolean;
  /** Operator mode: the Peig admin merges the requests typed with another e-mail before confirming. */
  mergesByHand: boolean;
  /** Operator mode: the Peig admin first types a Phase 2 figure that is off by this much (0: right first time). */
  phase2Typo: number;
}

const person: fc.Arbitrary<Person> = fc.record({
  signsInDuringWindow: fc.boolean(),
  typedAnotherEmail: fc.boolean(),
  phase2: fc.constantFrom("created", "created", "signsInFirst", "failed"),
  signsInAfterPhase2: fc.boolean(),
});

const caseOf = (mode: Case["mode"]): fc.Arbitrary<Case> =>
  fc.record({
    mode: fc.constant(mode),
    people: fc.array(person, { minLength: 1, maxLength: 12 }),
    skipPhase2: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    mergesByHand: fc.boolean(),
    phase2Typo: fc.constantFrom(0, 0, 1, -1),
  });

const APP_ID = "11111111-2222-3333-4444-555555555555";
const START = Date.parse("2026-12-01T09:00:00Z");

/** The people's world as Entra and Peig hold it, moved on by the case's events. */
class World {
  readonly users: DirectoryUser[];
  readonly signIns: MigrationSignIn[] = [];
  /** Peig: linked accounts (user id → status) and pending requests. */
  readonly peigAccounts = new Map<string, PeigUser["status"]>();
  readonly requests: OnboardingRequest[] = [];
  time = START;

  constructor(readonly c: Case) {
    this.users = c.people.map((_, i) => ({
      id: `u${String(i).padStart(2, "0")}`,
      displayName: `User ${i}`,
      userPrincipalName: `u${i}@contoso.com`,
      mail: `u${i}@contoso.com`,
      proxyAddresses: [`SMTP:u${i}@contoso.com`],
      otherMails: [`personal${i}@example.com`],
    }));
  }

  tick(): string {
    this.time += 60_000;
    return new Date(this.time).toISOString();
  }

  /** A person signs in to the migration app (Peig links them then), or, having typed another e-mail, waits as a request. */
  signIn(i: number): void {
    const user = this.users[i];
    if (this.signIns.some((x) => x.userId === user.id)) return;
    const at = this.tick();
    this.signIns.push({
      id: `s${this.signIns.length}`,
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      createdDateTime: at,
    });
    const placeholder = this.peigAccounts.get(user.id);
    if (placeholder) this.peigAccounts.set(user.id, "Active");
    else if (this.c.people[i].typedAnotherEmail)
      this.requests.push({ id: `r${i}`, email: user.otherMails[0], displayName: user.displayName, submittedAt: at });
    else this.peigAccounts.set(user.id, "Active");
  }

  signedIn = (i: number) => this.signIns.some((x) => x.userId === this.users[i].id);

  entra(): EntraPort {
    return {
      listUsersInScope: async () => this.users,
      listMigrationSignIns: async ({ since }) => this.signIns.filter((x) => !since || x.createdDateTime >= since),
    } as Partial<EntraPort> as EntraPort;
  }

  peig(): PeigPort {
    const port = {
      listUsers: async (): Promise<PeigUser[]> =>
        [...this.peigAccounts].map(([id, status]) => ({
          id: `p-${id}`,
          email: `${id}@contoso.com`,
          displayName: id,
          status,
        })),
      listPendingRequests: async () => [...this.requests],
      listMicrosoft365Accounts: async (): Promise<Microsoft365Account[]> =>
        this.users.map((u) => ({
          id: u.id,
          userPrincipalName: u.userPrincipalName,
          mail: u.mail,
          linkStatus: this.peigAccounts.has(u.id) ? "linked" : "unlinked",
          peigAccountId: this.peigAccounts.has(u.id) ? `p-${u.id}` : null,
        })),
      createPeigAccount: async (userId: string) => {
        const i = this.users.findIndex((u) => u.id === userId);
        if (this.c.people[i].phase2 === "failed")
          throw new PeigApiError("createPeigAccount", 422, "invalidAccount", undefined, undefined);
        if (this.peigAccounts.has(userId)) return { peigAccountId: `p-${userId}`, created: false };
        this.peigAccounts.set(userId, "Not Onboarded");
        return { peigAccountId: `p-${userId}`, created: true };
      },
    } as Partial<PeigPort> as PeigPort;
    // One in-memory workspace: a batch's share of the rate limit is the same workspace.
    port.sharedBy = () => port;
    return port;
  }
}

/** Records every message sent; all accepted. */
class Outbox implements MailPort {
  readonly senders = ["migration@contoso.com"];
  readonly sent: { subject: string; html: string }[] = [];
  private accept(recipients: string[]): MailResult {
    return { messages: 1, recipients: recipients.map((address) => ({ address, status: "sent" })) };
  }
  async sendBulk(m: { subject: string; html: string; recipients: string[] }) {
    this.sent.push(m);
    return this.accept(m.recipients);
  }
  async sendPersonalised(ms: { to: string; subject: string; html: string }[]) {
    this.sent.push(...ms);
    return this.accept(ms.map((m) => m.to));
  }
  async readBounces() {
    return [];
  }
  async readAutomaticReplies() {
    return { status: "disabled" as const };
  }
}

const baseSettings = {
  MIGRATION_STORAGE_CONNECTION: "memory",
  MAIL_SENDER: "migration@contoso.com",
  PUBLIC_BASE_URL: "https://migrate.contoso.com",
};
const settingsFor = {
  operator: loadSettings({ ...baseSettings, PEIG_MODE: "operator" }),
  api: loadSettings({
    ...baseSettings,
    PEIG_MODE: "api",
    PEIG_API_BASE_URL: "https://pap01.contoso.com/admin-api/v1",
    PEIG_API_KEY: "k",
  }),
};

/** Text as a person reads it: tags and entities gone. */
const textOf = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));

async function runCase(c: Case): Promise<void> {
  const world = new World(c);
  const outbox = new Outbox();
  const store = new MemoryMigrationStore({ clock: { now: () => new Date(world.time), sleep: async () => {} } });
  const s: Services = {
    settings: settingsFor[c.mode],
    clock: { now: () => new Date(world.time), sleep: async () => {} },
    store,
    entra: world.entra(),
    mail: outbox,
    peig: c.mode === "api" ? world.peig() : undefined,
    counters: { graph: new RequestCounter(), peig: new RequestCounter(), store: new RequestCounter() },
  };
  const migrationId = "m1";
  const runtime: MigrationRuntime = {
    request: {
      workspace: "contoso",
      domain: "contoso.com",
      idpEntityId: "https://pap01.contoso.com/idp/shibboleth",
      deadline: new Date(START + 14 * 86_400_000).toISOString(),
      reminders: [],
      monitorEvery: "PT1H",
      approvers: ["cio@contoso.com"],
      requiredApprovals: 1,
      admins: ["it@contoso.com"],
      phase2: c.skipPhase2 ? "skip" : "auto",
      endEarly: false,
    },
    peigMode: c.mode,
    taskLinkTtlMs: 86_400_000,
    timings: timingsFromSettings(settingsFor[c.mode]),
    commands: {},
    sent: [],
    server: "pap01.contoso.com",
    app: {
      appId: APP_ID,
      servicePrincipalId: "sp1",
      entityId: "https://pap01.contoso.com/aducid-onboard/m365/metadata",
      replyUrl: "https://pap01.contoso.com/aducid-onboard/m365/acs",
      thumbprint: "AB",
      certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
      certificateNotAfter: "2029-01-01T00:00:00Z",
    } as MigrationRuntime["app"],
  };
  await store.createMigration({
    id: migrationId,
    workspace: "contoso",
    domain: "contoso.com",
    phase: "onboarding",
    deadline: runtime.request.deadline,
    runtime,
  });
  const by = "it@contoso.com";
  const confirm = async (purpose: "peigAccounts" | "peigChecklist", figures: Record<string, number>) =>
    checkAndRecordConfirmation(
      s,
      { migrationId, payload: { purpose } as never },
      (name) => (name in figures ? String(figures[name]) : null),
      by,
    );

  // The window: some sign in; the monitor reconciles.
  c.people.forEach((p, i) => p.signsInDuringWindow && world.signIn(i));
  await monitorOnboarding({ migrationId }, s);

  // Phase 2, once the deadline has passed and Entra's sign-in log has caught up with it (SIGN_IN_LOG_LATENCY).
  world.time = Date.parse(runtime.request.deadline) + 2 * 3_600_000;
  const plan = c.skipPhase2 ? { users: 0 } : await planPhase2({ migrationId }, s);
  const planned = new Set((await store.getUsers(migrationId)).filter((u) => u.phase2.planned).map((u) => u.userId));
  const listed = c.people.map((_, i) => i).filter((i) => planned.has(world.users[i].id));
  expect(listed).toHaveLength(plan.users);
  let phase2Ended: { created: number; failed: number; skipped: boolean } | undefined;
  const answers = { created: 0, alreadyLinked: 0, failed: 0 };
  if (plan.users > 0) {
    for (const i of listed) {
      // Signed in before the Peig admin (or the app) got to them: Create Peig Account finds them linked.
      if (c.people[i].phase2 === "signsInFirst") world.signIn(i);
    }
    if (c.mode === "api") {
      const result = await phase2Activities.createPeigAccounts({ migrationId, batch: 0, pass: 1 }, s);
      phase2Ended = { ...result, skipped: false };
    } else {
      for (const i of listed) {
        const p = c.people[i];
        if (p.phase2 === "signsInFirst") answers.alreadyLinked++;
        else if (p.phase2 === "failed") answers.failed++;
        else {
          world.peigAccounts.set(world.users[i].id, "Not Onboarded");
          answers.created++;
        }
      }
      if (c.phase2Typo !== 0) {
        const typo = await confirm("peigAccounts", {
          ...answers,
          created: Math.max(0, answers.created + c.phase2Typo),
        });
        if (answers.created + c.phase2Typo >= 0) {
          expect(typo).toMatchObject({ ok: false });
          expect(JSON.stringify(typo)).toContain(`but the task listed ${listed.length} users`);
          expect((await store.getMigration(migrationId))!.runtime.operatorReports?.phase2).toBeUndefined();
        }
      }
      expect(await confirm("peigAccounts", answers)).toEqual({ ok: true });
      phase2Ended = { created: plan.users, failed: 0, skipped: false };
    }
  }
  await recordPhase(
    {
      migrationId,
      phase: "verification",
      instanceId: migrationId,
      phase2: phase2Ended ?? { created: 0, failed: 0, skipped: true },
    },
    s,
  );

  // After Phase 2: some of the listed finish onboarding; the Peig admin merges the mistyped requests, or not.
  for (const i of listed) if (c.people[i].signsInAfterPhase2) world.signIn(i);
  if (c.mergesByHand)
    for (const r of world.requests.splice(0)) world.peigAccounts.set(`u${r.id.slice(1).padStart(2, "0")}`, "Active");
  const verification = await verifyChecklist({ migrationId }, s);

  // Operator mode: the Peig admin confirms the checklist with what Peig shows; the app accepts it only if it holds.
  if (c.mode === "operator" && verification.readyForDeletion) {
    const shown = {
      pendingRequests: world.requests.length,
      notOnboarded: [...world.peigAccounts.values()].filter((x) => x === "Not Onboarded").length,
      linkedAccounts: world.peigAccounts.size,
    };
    const result = await confirm("peigChecklist", shown);
    const covered = answers.failed === 0;
    const awaiting = covered ? listed.filter((i) => !world.signedIn(i)).length : 0;
    const holds =
      shown.pendingRequests === 0 && shown.linkedAccounts >= c.people.length && shown.notOnboarded <= awaiting;
    expect(result.ok).toBe(holds);
    if (!result.ok) {
      if (shown.pendingRequests > 0)
        expect(JSON.stringify(result)).toContain(`Users & Access shows ${shown.pendingRequests} pending requests`);
      expect((await store.getMigration(migrationId))!.runtime.operatorReports?.checklist).toBeUndefined();
    }
  }

  // The views.
  await openHumanTasks(
    { migrationId, purpose: "deletionApproval", round: 1, expiresAt: new Date(world.time + 86_400_000).toISOString() },
    s,
  );
  await writeReport({ migrationId }, s);
  const record = (await store.getMigration(migrationId))!;
  const figures: MigrationFigures = recordFigures(record);
  const report = JSON.parse((await store.getReport(migrationId))!.json) as {
    figures: MigrationFigures;
    checklist: { met: boolean; id: string }[];
  };
  expect(report.figures).toEqual(figures);
  const lines = figureLines(figures);
  const reportHtml = textOf((await store.getReport(migrationId))!.html);
  const statusPage = textOf(renderStatusPage(statusViewOf(record, figures)));
  const [approval] = await store.listTasks(migrationId, { gate: "deletionApproval-1" });
  const approvalPage = textOf(
    renderTaskPage({
      payload: approval.payload,
      assignee: approval.assignee,
      expiresAt: approval.expiresAt,
      csrf: "x",
      now: new Date(world.time),
    }),
  );
  // One assertion per view, not one per line: jest builds an error (a stack trace) for every expect it runs.
  expect({ report: missingLines(reportHtml, lines), status: missingLines(statusPage, lines) }).toEqual({
    report: [],
    status: [],
  });
  expect(approvalPage).toContain(figures.onboarded.text);
  if (figures.phase2?.status === "completed") expect(approvalPage).toContain(figures.phase2.created.text);

  // The digest, from a monitor pass over the same state (due at once: as if none had gone yet).
  world.tick();
  await updateRuntime(s, migrationId, (rt) => void (rt.lastDigest = undefined));
  await monitorOnboarding({ migrationId }, s);
  const digest = textOf(outbox.sent.at(-1)!.html);
  expect(missingLines(digest, figureLines(recordFigures((await store.getMigration(migrationId))!)))).toEqual([]);

  // The figures are what the people did.
  const signedIn = c.people.filter((_, i) => world.signedIn(i)).length;
  expect(figures.inScope.value).toBe(c.people.length);
  if (c.mode === "operator") {
    expect(figures.onboarded.value).toBe(signedIn);
    const covered = !!phase2Ended && answers.failed === 0;
    const awaiting = covered ? listed.filter((i) => !world.signedIn(i)).length : 0;
    expect(figures.awaitingFirstSignIn.value).toBe(awaiting);
    expect(figures.notOnboarded.value).toBe(c.people.length - signedIn - awaiting);
    if (phase2Ended) {
      expect(figures.phase2).toMatchObject({
        listed: { value: listed.length },
        created: { value: answers.created },
        alreadyLinked: { value: answers.alreadyLinked },
        failed: { value: answers.failed },
        signedInSince: { value: listed.filter((i) => world.signedIn(i)).length },
      });
    }
  } else {
    const active = [...world.peigAccounts.values()].filter((x) => x === "Active").length;
    expect(figures.onboarded.value).toBe(active);
    if (phase2Ended)
      expect(figures.phase2).toMatchObject({
        listed: { value: listed.length },
        created: { value: listed.filter((i) => c.people[i].phase2 !== "failed").length },
        failed: { value: listed.filter((i) => c.people[i].phase2 === "failed").length },
      });
  }
  // Green only where the evidence holds; "ready for step 5" only when all four items do.
  const met = Object.fromEntries(report.checklist.map((i) => [i.id, i.met]));
  if (met.allOnboarded) expect(figures.notOnboarded.value).toBe(0);
  if (c.mode === "operator" && met.accountsLinked)
    expect(record.runtime.operatorReports?.checklist?.pendingRequests).toBe(0);
  if (met.phase2Completed) expect(figures.phase2?.failed.value ?? 0).toBe(0);
  expect(reportHtml.includes("ready for step 5")).toBe(report.checklist.every((i) => i.met));
  expect(reportHtml).not.toContain("[SERVER]");
  expect(reportHtml).toContain("IDP Entity ID https://pap01.contoso.com/idp/shibboleth");
}

/** The lines a view's text does not contain. */
const missingLines = (text: string, lines: readonly string[]) => lines.filter((line) => !text.includes(line));

function statusViewOf(
  record: { id: string; counts: StatusView["counts"]; phase: string; deadline: string },
  figures: MigrationFigures,
): StatusView {
  return {
    id: record.id,
    workspace: "contoso",
    domain: "contoso.com",
    phase: record.phase,
    status: "running",
    peigMode: figures.mode,
    deadline: record.deadline,
    nextReminder: null,
    waitingFor: null,
    counts: record.counts,
    figures,
    app: null,
    checklist: null,
    openTasks: [],
    notOnboarded: { rows: [], more: null },
    mismatched: { rows: [], more: null },
    unmatchedRequests: [],
    exemptions: [],
    audit: [],
    links: { report: "https://migrate.contoso.com/report" },
    actions: { allowed: [], formAction: "https://migrate.contoso.com/page", csrf: "x" },
    generatedAt: new Date(START).toISOString(),
  };
}

describe("the figures of a migration", () => {
  it.each(["operator", "api"] as const)(
    "agree in every view and with what the people did (%s mode, 120 generated migrations)",
    async (mode) => {
      await fc.assert(fc.asyncProperty(caseOf(mode), runCase), { numRuns: 120, seed: mode === "api" ? 21 : 42 });
    },
    120_000,
  );
});
