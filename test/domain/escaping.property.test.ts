/**
 * Every page and e-mail escapes every string the tenant or a person supplied: display names, UPNs and addresses,
 * notes, reasons, workspace names. Generated hostile values carry a tag (`<evil…>`) and quotes (`"evil=`); the
 * property holds for every renderer when no such tag and no unescaped quote before `evil` reaches the HTML, while
 * the text a person reads still shows the value (so `Name <upn>` keeps its `<upn>`, escaped, not dropped as a tag).
 */
import fc from "fast-check";
import { buildChecklist } from "../../shared/domain/checklist";
import { reconcile } from "../../shared/domain/reconcile";
import type { MergeList } from "../../shared/domain/merges";
import {
  adminDigestEmail,
  adminNoticeEmail,
  approvalRequestEmail,
  invitationEmail,
  operatorTaskEmail,
  reminderEmail,
  reportReadyEmail,
} from "../../shared/mail/templates";
import { emptyStartForm, renderHomePage, renderPlanPage } from "../../shared/pages/homePage";
import { renderReportHtml } from "../../shared/pages/report";
import { renderStatusPage, type StatusView } from "../../shared/pages/statusPage";
import type { WaveView } from "../../shared/domain/waves";
import type { WaveFigures } from "../../shared/domain/figures";
import { renderDeadLinkPage, renderTaskMessage, renderTaskPage, whyLinkIsDead } from "../../shared/pages/taskPage";
import type { TaskRecord } from "../../shared/store/port";
import { taskPayload } from "../../shared/taskPayloads";
import type { HumanTaskPurpose } from "../../shared/workflow";
import { sampleStartRequest } from "../../local/fixtures/startRequest";
import { figuresOf, m365User, peigState, request } from "./builders";

/** A value as hostile as a tenant can make it: text around a tag, quotes that would end an attribute, entities. */
const hostile = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(
      "<evil>",
      "<evil-upn@contoso.com>",
      '"evil="1',
      "'evil='1",
      '"><evil onload="x">',
      "</td><evil>",
      "<EVIL/>&amp;",
      "\u202e<evil>\u2069",
    ),
    fc.string({ maxLength: 6 }),
  )
  .map(([before, attack, after]) => `${before}${attack}${after}`);

/** The strings the tenant and its people supply, one of each. */
interface Supplied {
  displayName: string;
  upn: string;
  note: string;
  reason: string;
  workspace: string;
}

const supplied: fc.Arbitrary<Supplied> = fc.record({
  displayName: hostile,
  upn: hostile,
  note: hostile,
  reason: hostile,
  workspace: hostile,
});

const NOW = new Date("2026-12-12T13:00:00Z");
const DEADLINE = "2026-12-15T17:00:00.000Z";
const LINK = "https://migration.contoso.com/api/tasks/abc123";
const STATUS_PAGE = "https://migration.contoso.com/api/migrations/m1/page";

function facts(t: Supplied) {
  const users = [
    m365User("a"),
    m365User("b", { displayName: t.displayName, userPrincipalName: t.upn, mail: "b@contoso.com" }),
  ];
  const reconciliation = reconcile({
    mode: "api",
    users,
    peig: peigState(users, { a: "Active" }, [{ ...request("r1", t.upn), displayName: t.displayName }]),
  });
  const figures = figuresOf(reconciliation);
  const checklist = buildChecklist({
    reconciliation,
    figures,
    phase2: null,
    deletion: { migrationConfiguration: "present", migrationApp: "present" },
  });
  const merges: MergeList = {
    merges: [
      {
        requestId: "r1",
        typedEmail: t.upn,
        requestName: t.displayName,
        userId: "b",
        userPrincipalName: t.upn,
        peigAccountId: null,
        reason: t.reason,
      },
    ],
    manual: [{ requestId: "r2", typedEmail: t.upn, requestName: t.displayName, reason: t.reason, whatToDo: t.note }],
    more: 0,
  };
  const person = { displayName: t.displayName, userPrincipalName: t.upn };
  // A wave named by the admin (waves.ts): its name reaches the status page, the report and the pilot review.
  const waveFigures: WaveFigures[] = [
    {
      name: t.displayName,
      inScope: figures.inScope,
      onboarded: figures.onboarded,
      phase2Candidates: figures.notOnboarded,
      exempted: figures.exempted,
      awaitingFirstSignIn: figures.awaitingFirstSignIn,
    },
  ];
  const waves: WaveView[] = [
    {
      name: t.displayName,
      members: t.reason,
      state: t.note,
      startsAt: null,
      startedAt: null,
      deadline: DEADLINE,
      reminders: [],
      reviewFirst: true,
      review: null,
    },
  ];
  return { reconciliation, figures, checklist, merges, person, waveFigures, waves };
}

const PURPOSES: HumanTaskPurpose[] = [
  "deletionApproval",
  "phase2Approval",
  "peigConfiguration",
  "peigAccounts",
  "peigChecklist",
  "peigDeletion",
  "peigMerges",
  "pilotReview",
];

function taskRecord(t: Supplied, purpose: HumanTaskPurpose, fields: Partial<TaskRecord>): TaskRecord {
  return {
    id: "task-1",
    migrationId: "m1",
    kind: "approval",
    gate: `${purpose}-1`,
    assignee: t.upn,
    tokenHash: "0".repeat(64),
    expiresAt: DEADLINE,
    status: "open",
    createdAt: "2026-12-10T09:00:00.000Z",
    etag: "*",
    payload: payloadFor(t, purpose),
    ...fields,
  } as TaskRecord;
}

function payloadFor(t: Supplied, purpose: HumanTaskPurpose) {
  const f = facts(t);
  return taskPayload(purpose, {
    request: { ...sampleStartRequest({ workspace: t.workspace, note: t.note }), deadline: DEADLINE },
    appId: "app-1",
    certificatePem: t.note,
    checklist: f.checklist,
    accountsToCreate: [{ microsoft365UserId: "b", ...f.person }],
    usersToCheck: [f.person],
    merges: f.merges,
    waveReview: {
      wave: { name: t.displayName, deadline: DEADLINE, reminders: [] },
      people: 2,
      startsAt: null,
      earlier: f.waveFigures,
    },
  });
}

/** Every page and e-mail, rendered with the supplied strings wherever they can reach it. */
function everyRendering(t: Supplied): [string, string][] {
  const f = facts(t);
  const pages: [string, string][] = PURPOSES.map((purpose) => [
    `task page (${purpose})`,
    renderTaskPage({
      payload: payloadFor(t, purpose),
      assignee: t.upn,
      expiresAt: DEADLINE,
      csrf: "csrf",
      accounts: [f.person],
      now: NOW,
      refusal: [{ field: "pendingRequests", message: t.reason }],
      entered: { pendingRequests: t.note },
      appCounts: [t.note],
    }),
  ]);
  const emails: [string, string][] = PURPOSES.map((purpose) => {
    const payload = payloadFor(t, purpose);
    return [
      `task e-mail (${purpose})`,
      operatorTaskEmail({
        workspace: payload.workspace,
        title: payload.title,
        steps: payload.instructions ?? payload.whatHappens,
        values: payload.values ?? [],
        link: LINK,
        expiresAt: new Date(DEADLINE),
      }).html,
    ];
  });
  const decided = taskRecord(t, "deletionApproval", {
    status: "decided",
    decision: "reject",
    decidedBy: t.upn,
    decidedAt: "2026-12-11T09:00:00.000Z",
    reason: t.reason,
  });
  const closed = taskRecord(t, "deletionApproval", { status: "cancelled", closedAs: "other" });
  const deadLinks: [string, string][] = [
    ["dead link (decided)", renderDeadLinkPage(whyLinkIsDead(decided, [decided], NOW))],
    [
      "dead link (decided by others)",
      renderDeadLinkPage(whyLinkIsDead(closed, [decided], NOW), { csrf: t.note, action: LINK }),
    ],
    ["task message", renderTaskMessage(t.workspace, t.reason)],
  ];
  const onboarding = { workspace: t.workspace, domain: "contoso.com", deadline: new Date(DEADLINE) };
  const mails: [string, string][] = [
    ["invitation", invitationEmail({ ...onboarding, recipientName: t.displayName, contact: t.upn, note: t.note }).html],
    ["reminder", reminderEmail({ ...onboarding, now: NOW, recipientName: t.displayName, note: t.note }).html],
    [
      "admin digest",
      adminDigestEmail({
        workspace: t.workspace,
        now: NOW,
        deadline: new Date(DEADLINE),
        reconciliation: f.reconciliation,
        figures: f.figures,
        statusPageUrl: STATUS_PAGE,
      }).html,
    ],
    [
      "approval request",
      approvalRequestEmail({
        workspace: t.workspace,
        approverName: t.displayName,
        requiredApprovals: 2,
        deletes: { applicationId: t.note, appDisplayName: "PeigMigrationManager" },
        checklist: f.checklist,
        link: LINK,
        expiresAt: new Date(DEADLINE),
      }).html,
    ],
    ["report ready", reportReadyEmail({ workspace: t.workspace, checklist: f.checklist, link: LINK }).html],
    [
      "admin notice",
      adminNoticeEmail({
        workspace: t.workspace,
        event: "approval.rejected",
        details: { by: t.upn, reason: t.reason },
        statusPageUrl: STATUS_PAGE,
      }).html,
    ],
  ];
  const form = { ...emptyStartForm(), workspace: t.workspace, note: t.note, approvers: t.upn };
  const home: [string, string][] = [
    [
      "home page",
      renderHomePage({
        migrations: [
          {
            id: "m1",
            workspace: t.workspace,
            phase: "onboarding",
            status: "running",
            counts: f.reconciliation.counts,
            figures: f.figures,
            deadline: DEADLINE,
            timeZone: "UTC",
            needsAttention: null,
            links: { page: STATUS_PAGE },
          } as unknown as Parameters<typeof renderHomePage>[0]["migrations"][number],
        ],
        next: null,
        form,
        errors: [{ field: "note", message: t.reason }],
        planAction: STATUS_PAGE,
        notice: t.reason,
        signedIn: { name: t.displayName, canCommand: true, signOut: STATUS_PAGE },
      }),
    ],
    [
      "plan page",
      renderPlanPage({
        plan: {
          usersInScope: 2,
          leftOut: [{ rule: "guests", description: t.reason, count: 1, sample: [t.displayName] }],
          recipients: 2,
          deadline: DEADLINE,
          monitor: { every: "PT12H", checks: 6 },
          invitation: {
            label: "invitation",
            at: DEADLINE,
            slots: [],
            finishesAt: null,
            recipients: 2,
            messages: 2,
            minutes: 1,
          },
          reminders: [],
          senders: [t.upn],
          shortfalls: [t.reason],
          warnings: [t.note],
        },
        preflight: [{ check: "workspace", severity: "warning", field: "workspace", problem: t.reason, fix: t.note }],
        form,
        csrf: "csrf",
        startAction: STATUS_PAGE,
        editAction: STATUS_PAGE,
      }),
    ],
  ];
  const personalDeadlines = [
    {
      userId: "u2",
      userPrincipalName: t.upn,
      displayName: t.displayName,
      deadline: DEADLINE,
      from: DEADLINE,
      reason: t.reason,
      by: t.displayName,
      at: "2026-12-01T09:00:00Z",
    },
  ];
  const status: StatusView = {
    personalDeadlines,
    outOfOffice: { gate: "deletionApproval-1", at: DEADLINE, away: [{ approver: t.upn, until: DEADLINE }], unread: [] },
    exemptions: [
      {
        userId: "u1",
        userPrincipalName: t.upn,
        displayName: t.displayName,
        reason: t.reason,
        by: t.displayName,
        at: "2026-12-01T09:00:00Z",
      },
    ],
    id: "m1",
    workspace: t.workspace,
    domain: "contoso.com",
    phase: "approval",
    status: "running",
    peigMode: "api",
    deadline: DEADLINE,
    nextReminder: null,
    waitingFor: t.note,
    waitingOn: [{ who: [t.upn], what: t.reason, expiresAt: DEADLINE }],
    needsAttention: {
      step: "verifyChecklist",
      service: "peig",
      status: 503,
      message: t.reason,
      fix: t.note,
      since: DEADLINE,
      nextAttemptAt: null,
    },
    counts: f.reconciliation.counts as unknown as StatusView["counts"],
    figures: { ...f.figures, waves: f.waveFigures },
    waves: f.waves,
    app: null,
    checklist: f.checklist,
    openTasks: [{ kind: "approval", gate: "deletionApproval-1", assignee: t.upn, expiresAt: DEADLINE }],
    notOnboarded: { rows: [{ ...f.person, remindersSent: 1 }], more: null },
    mismatched: { rows: [{ ...f.person, mergeSuggestion: { typedEmail: t.upn } }], more: null },
    unmatchedRequests: [{ email: t.upn, displayName: t.displayName, submittedAt: DEADLINE, reason: t.reason }],
    bounced: [{ ...f.person, address: t.upn, cause: t.reason, reason: t.note, at: DEADLINE }],
    bouncedTotal: 1,
    audit: [{ at: DEADLINE, actor: `approver:${t.upn}`, action: "task.decided", details: { reason: t.reason } }],
    links: { report: STATUS_PAGE },
    generatedAt: NOW.toISOString(),
    actions: { allowed: ["cancel"], formAction: STATUS_PAGE, csrf: "csrf", notice: { text: t.reason, tone: "bad" } },
    signedIn: { name: t.upn, canCommand: false, signOut: STATUS_PAGE },
  };
  const report = renderReportHtml({
    migrationId: "m1",
    workspace: t.workspace,
    domain: "contoso.com",
    generatedAt: NOW.toISOString(),
    outcome: "completed",
    deadline: DEADLINE,
    counts: {},
    figures: { ...f.figures, waves: f.waveFigures },
    waves: f.waves,
    checklist: f.checklist,
    phase2: {
      listed: [{ userPrincipalName: t.upn, account: t.displayName, onboardedSince: false }],
      failed: [{ userPrincipalName: t.upn, error: t.reason }],
      skipped: false,
    },
    approvals: [{ round: "1", by: t.upn, decision: "reject", at: DEADLINE, reason: t.reason }],
    bounced: [{ ...f.person, address: t.upn, cause: t.reason, reason: t.note, at: DEADLINE }],
    people: { exemptions: [], personalDeadlines, invitationsResent: [] },
    outOfOffice: [{ round: "deletionApproval-1", approver: t.upn, until: DEADLINE }],
    deleted: [],
    nextStep: { title: "Step 5", needs: [t.note] },
  });
  return [
    ...pages,
    ...emails,
    ...deadLinks,
    ...mails,
    ...home,
    ["status page", renderStatusPage(status)],
    ["report", report],
  ];
}

/** Text as a person reads it: tags gone, entities decoded. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

describe("every page and e-mail", () => {
  it("escapes every supplied string: no tag and no attribute-ending quote gets through, and the text still shows it", () => {
    fc.assert(
      fc.property(supplied, (t) => {
        for (const [name, html] of everyRendering(t)) {
          const where = `${name}: ${JSON.stringify(t)}`;
          expect({ where, tag: /<\/?evil/i.exec(html)?.[0] ?? null }).toEqual({ where, tag: null });
          expect({ where, quote: /["']evil=/i.exec(html)?.[0] ?? null }).toEqual({ where, quote: null });
          expect({ where, shown: /evil/i.test(textOf(html)) }).toEqual({ where, shown: true });
        }
      }),
      { numRuns: 60, seed: 26 },
    );
  });
});

describe("links in e-mails", () => {
  const withLink = (link: string) =>
    operatorTaskEmail({ workspace: "contoso", title: "t", steps: [], values: [], link, expiresAt: new Date(DEADLINE) });

  it("keeps an http(s) link, escaped in its attribute", () => {
    expect(withLink("https://migration.contoso.com/api/tasks/a?b=1&c=2").html).toContain(
      'href="https://migration.contoso.com/api/tasks/a?b=1&amp;c=2"',
    );
    expect(withLink("http://127.0.0.1:7071/api/tasks/a").html).toContain('href="http://127.0.0.1:7071/api/tasks/a"');
  });

  it("refuses a link that is not a URL, or not http(s), naming it", () => {
    expect(() => withLink("/api/tasks/a")).toThrow('e-mail link "/api/tasks/a" is not a URL');
    expect(() => withLink("data:text/html,<evil>")).toThrow('e-mail link "data:text/html,<evil>" must use https');
    expect(() => withLink("javascript:alert(1)")).toThrow(/must use https/);
  });
});
