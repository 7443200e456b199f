import { buildChecklist } from "../../shared/domain/checklist";
import { reconcile } from "../../shared/domain/reconcile";
import {
  adminNoticeEmail,
  adminDigestEmail,
  approvalRequestEmail,
  escapeHtml,
  invitationEmail,
  operatorTaskEmail,
  reminderEmail,
  reportReadyEmail,
  type EmailContent,
} from "../../shared/mail/templates";
import { figuresOf, m365User, peigState, request } from "./builders";

const attack = `<script>alert("x")</script>`;
const deadline = new Date("2026-12-15T17:00:00Z");
const now = new Date("2026-12-12T13:00:00Z");
const link = "https://migration.contoso.com/api/tasks/abc123";

const users = [
  m365User("a"),
  m365User("b", { displayName: attack, proxyAddresses: ["SMTP:b@contoso.com", "smtp:bee@contoso.com"] }),
];
const reconciliation = reconcile({
  mode: "api",
  users,
  peig: peigState(users, { a: "Active" }, [request("r1", "bee@contoso.com")]),
});
const checklist = buildChecklist({
  reconciliation,
  figures: figuresOf(reconciliation),
  phase2: null,
  deletion: { migrationConfiguration: "present", migrationApp: "present" },
});

const everyEmail: [string, EmailContent][] = [
  [
    "invitation",
    invitationEmail({ workspace: attack, domain: "contoso.com", deadline, recipientName: attack, contact: attack }),
  ],
  ["reminder", reminderEmail({ workspace: attack, domain: "contoso.com", deadline, now, recipientName: attack })],
  [
    "admin digest",
    adminDigestEmail({
      workspace: attack,
      now,
      deadline,
      reconciliation,
      figures: figuresOf(reconciliation),
      statusPageUrl: "https://migration.contoso.com/api/migrations/m1/page",
    }),
  ],
  [
    "approval request",
    approvalRequestEmail({
      workspace: attack,
      approverName: attack,
      requiredApprovals: 2,
      deletes: { applicationId: attack, appDisplayName: "PeigMigrationManager" },
      checklist,
      link,
      expiresAt: deadline,
    }),
  ],
  [
    "operator task",
    operatorTaskEmail({
      workspace: attack,
      title: attack,
      steps: [attack],
      values: [{ label: attack, value: attack }],
      link,
      expiresAt: deadline,
    }),
  ],
  ["report ready", reportReadyEmail({ workspace: attack, checklist, link })],
];

describe("every template", () => {
  it.each(everyEmail)("escapes user-provided strings in the %s HTML", (_name, email) => {
    expect(email.html).not.toContain("<script");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it.each(everyEmail)("loads no external resources in the %s", (_name, email) => {
    expect(email.html).not.toMatch(/<img|<link|<iframe|src=|url\(|@import/i);
    const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.every((h) => h === link || h.startsWith("https://migration.contoso.com/"))).toBe(true);
  });

  it.each(everyEmail)("has a one-line subject and a plain-text part for the %s", (_name, email) => {
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text.length).toBeGreaterThan(50);
    expect(email.text).not.toMatch(/<p>|<li>/);
  });
});

describe("invitationEmail", () => {
  const email = invitationEmail({ workspace: "contoso", domain: "contoso.com", deadline });

  it("names the workspace and the deadline in the subject", () => {
    expect(email.subject).toBe('Action needed: set up Peig for workspace "contoso" by Tue 15 Dec 2026, 17:00 UTC');
  });

  it("tells people to download Peig, join the workspace and sign in with Microsoft 365", () => {
    expect(email.text).toContain("1. Download the Peig app to your phone.");
    expect(email.text).toContain('2. Open Peig and join the workspace "contoso".');
    expect(email.text).toContain("3. When Peig asks, sign in with your Microsoft 365 credentials");
    expect(email.html).toContain("<ol><li>Download the Peig app to your phone.</li>");
  });
});

describe("reminderEmail", () => {
  it("says how much time is left", () => {
    const email = reminderEmail({ workspace: "contoso", domain: "contoso.com", deadline, now });
    expect(email.subject).toBe('Reminder: 3 days 4 hours left to set up Peig for workspace "contoso"');
    expect(email.text).toContain("the deadline is Tue 15 Dec 2026, 17:00 UTC");
  });

  it.each([
    [6 * 24 + 23, 0, "7 days"],
    [23, 33, "1 day"],
    [3, 49, "4 hours"],
  ])("rounds %d hours %d minutes left as people say it: %s", (hours, minutes, words) => {
    const at = new Date(deadline.getTime() - (hours * 60 + minutes) * 60_000);
    const email = reminderEmail({ workspace: "contoso", domain: "contoso.com", deadline, now: at });
    expect(email.subject).toBe(`Reminder: ${words} left to set up Peig for workspace "contoso"`);
  });

  it("shows the deadline in the migration's time zone", () => {
    const email = reminderEmail({
      workspace: "contoso",
      domain: "contoso.com",
      deadline,
      now,
      timeZone: "Europe/Prague",
    });
    expect(email.text).toContain("the deadline is Tue 15 Dec 2026, 18:00 CET");
    expect(
      invitationEmail({ workspace: "contoso", domain: "contoso.com", deadline, timeZone: "Europe/Prague" }).subject,
    ).toContain("by Tue 15 Dec 2026, 18:00 CET");
  });

  it("carries the admins' note, escaped in HTML and isolated from the text around it", () => {
    const note = "Help desk: <b>ext. 4242</b> & https://help.contoso.com";
    for (const email of [
      reminderEmail({ workspace: "contoso", domain: "contoso.com", deadline, now, note }),
      invitationEmail({ workspace: "contoso", domain: "contoso.com", deadline, note }),
    ]) {
      expect(email.text).toContain(`A note from your IT team: \u2068${note}\u2069`);
      expect(email.html).toContain(
        "A note from your IT team: <bdi>Help desk: &lt;b&gt;ext. 4242&lt;/b&gt; &amp; https://help.contoso.com</bdi>",
      );
      expect(email.html).not.toContain("<b>ext.");
    }
  });

  it("has no note line when the admins gave none", () => {
    expect(reminderEmail({ workspace: "contoso", domain: "contoso.com", deadline, now }).text).not.toContain(
      "A note from",
    );
  });
});

describe("adminDigestEmail", () => {
  it("shows counts and mismatched requests with the merge suggestion", () => {
    const email = adminDigestEmail({
      workspace: "contoso",
      now,
      deadline,
      reconciliation,
      figures: figuresOf(reconciliation),
      statusPageUrl: "https://migration.contoso.com/page",
    });
    expect(email.subject).toBe('Peig migration "contoso": 1 of 2 onboarded');
    expect(email.text).toContain("- 1 pending requests typed with another e-mail address");
    // The typed address is isolated (U+2068 … U+2069) from the text around it.
    expect(email.text).toContain(
      "typed \u2068bee@contoso.com\u2069: merge into b@contoso.com (matched by proxyAddress)",
    );
  });

  it("truncates the list of users not onboarded", () => {
    const many = Array.from({ length: 60 }, (_, i) => m365User(`u${i}`));
    const big = reconcile({ mode: "api", users: many, peig: peigState(many, {}) });
    const email = adminDigestEmail({
      workspace: "contoso",
      now,
      deadline,
      reconciliation: big,
      figures: figuresOf(big),
      statusPageUrl: "https://migration.contoso.com/page",
      listLimit: 50,
    });
    expect(email.text).toContain("- …and 10 more (all of them on the status page)");
    expect(email.text).not.toContain("u55@contoso.com");
  });

  it("lists at most 50 people per state under a heading in words, never a state's code name", () => {
    const many = Array.from({ length: 120 }, (_, i) => m365User(`u${i}`));
    const big = reconcile({ mode: "api", users: many, peig: peigState(many, {}) });
    const email = adminDigestEmail({
      workspace: "contoso",
      now,
      deadline,
      reconciliation: big,
      figures: figuresOf(big),
      statusPageUrl: "https://migration.contoso.com/page",
      timeZone: "Europe/Prague",
    });
    expect(email.text).toContain("Not onboarded yet (120)");
    expect(email.text.match(/^- .*<.*@contoso\.com.*>$/gm)).toHaveLength(50);
    expect(email.text).toContain("- …and 70 more (all of them on the status page)");
    expect(email.text).toContain("Status on Sat 12 Dec 2026, 14:00 CET");
    for (const code of ["notOnboarded", "pendingRequest", "awaitingOnboarding", "mismatched"])
      expect(email.text).not.toContain(code);
  });
});

describe("approvalRequestEmail", () => {
  const email = approvalRequestEmail({
    workspace: "contoso",
    requiredApprovals: 1,
    deletes: { applicationId: "11111111-2222-3333-4444-555555555555", appDisplayName: "PeigMigrationManager" },
    checklist,
    link,
    expiresAt: deadline,
  });

  it("says what will be deleted, that it cannot be undone, and shows the evidence", () => {
    expect(email.text).toContain(
      "the temporary Entra enterprise app PeigMigrationManager (Application ID 11111111-2222-3333-4444-555555555555)",
    );
    expect(email.text).toContain("This cannot be undone.");
    expect(email.text).toContain(
      "- [ ] All users have been onboarded to Peig: 1 onboarded (linked to an Active Peig account), of 2 users in scope",
    );
  });

  it("links to the task page passed in and says opening it changes nothing", () => {
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain(`Review and decide: ${link}`);
    expect(email.text).toContain("opening it changes nothing");
  });

  it("refuses a link that is not http(s)", () => {
    expect(() =>
      approvalRequestEmail({
        workspace: "contoso",
        requiredApprovals: 1,
        deletes: { applicationId: "x", appDisplayName: "y" },
        checklist,
        link: "javascript:alert(1)",
        expiresAt: deadline,
      }),
    ).toThrow(/must use https/);
  });
});

describe("operatorTaskEmail", () => {
  it("shows the exact values to paste, keeping a certificate's line breaks", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIC+zCCAeOg\n-----END CERTIFICATE-----";
    const email = operatorTaskEmail({
      workspace: "contoso",
      title: "Set the migration configuration in Peig",
      steps: ["Open Configuration in Peig.", "Click Validate, then Save."],
      values: [
        { label: "Application ID", value: "11111111-2222-3333-4444-555555555555" },
        { label: "IDP Certificate", value: pem },
      ],
      link,
      expiresAt: deadline,
    });
    expect(email.html).toContain(`${escapeHtml(pem)}</pre>`);
    expect(email.text).toContain(`IDP Certificate:\n${pem}`);
    expect(email.subject).toBe('Peig task for "contoso": Set the migration configuration in Peig');
  });
});

describe("reportReadyEmail", () => {
  it("lists the checklist and says whether the tenant is ready for federation", () => {
    const email = reportReadyEmail({ workspace: "contoso", checklist, link });
    expect(email.text).toContain("not every checklist item is met");
    expect(email.text).toContain("- [ ] The migration configuration has been deleted");
  });
});

describe("helpers", () => {
  it("keeps a workspace name with a line break from adding header lines to the subject", () => {
    expect(
      invitationEmail({ workspace: "contoso\r\nBcc: all@contoso.com", domain: "contoso.com", deadline }).subject,
    ).not.toMatch(/[\r\n]/);
  });
});

describe("admin notices", () => {
  it("escape what they quote and keep the subject on one line", () => {
    const mail = adminNoticeEmail({
      workspace: "con\r\ntoso",
      event: "cancelled",
      details: { reason: "<script>x</script>", by: "it@contoso.com" },
      statusPageUrl: "https://app.example.com/api/migrations/1/page",
    });
    expect(mail.subject).toBe('Peig migration "con toso": cancelled');
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;");
    expect(mail.text).toContain("left in place");
  });
});
