/**
 * The status page and the deletion-approval page in a real browser (Debian's Chromium driven by
 * playwright-core), on one migration that runs through the local host with the simulators: some users
 * miss the window (Phase 2), some type a wrong e-mail (the Peig admin confirms the app's merge task).
 * The tests run in order on that one migration: approving ends the task, so it comes last.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { hashToken } from "../../shared/tokens";
import { startScenario, type Scenario, DAY } from "../workflow/harness";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests as skip } from "./chromium";

if (skip)
  console.warn("\n*** SKIP_BROWSER_TESTS=1: the browser tests of the status and approval pages are SKIPPED ***\n");

(skip ? describe.skip : describe)("the status page and the approval page in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  let adminContext: BrowserContext;
  let migrationId: string;
  let statusPageUrl: string;
  let approvalLink: string;
  /** Every URL any page asked for, in any context. */
  const requested: string[] = [];

  /** A browser; `signedInAs` someone (the admin for the status page), or not signed in (an approver's e-mail link). */
  async function newContext(
    options: { javaScriptEnabled?: boolean } = {},
    signedInAs?: string,
  ): Promise<BrowserContext> {
    const created = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
    created.on("request", (request) => requested.push(request.url()));
    if (signedInAs) await signInContext(created, s, signedInAs);
    return created;
  }

  /**
   * The browser's one tab, opened on first use: each link is opened in it, as a person follows links in one window
   * (a new tab costs Chromium a new renderer process: several times a navigation's CPU).
   */
  const tabOf = async (inContext: BrowserContext): Promise<Page> => inContext.pages()[0] ?? inContext.newPage();

  async function open(url: string, inContext = context): Promise<Page> {
    const page = await tabOf(inContext);
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    return page;
  }

  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const approvalTask = async () =>
    (await s.stack.store.getTaskByTokenHash(hashToken(new URL(approvalLink).pathname.split("/").pop()!)))!;
  const decisionsAudited = async () =>
    (await s.stack.store.listAudit(migrationId)).filter(
      (a) => a.action === "task.decided" && a.details.decision === "approve",
    );

  beforeAll(async () => {
    browser = await connectChromium();
    s = await startScenario({ tenant: { users: 30, missRate: 0.2, mismatchRate: 0.15 } });
    context = await newContext();
    adminContext = await newContext({}, LOCAL_ADMIN);
    migrationId = await s.start();
    statusPageUrl = `${s.host.baseUrl}/api/migrations/${migrationId}/page`;
    // Into the last day of the window: three reminders sent, some users missing, some requests mismatched.
    await s.runUntil(
      async () =>
        (await s.stack.store.listAudit(migrationId)).filter((a) => a.action === "mail.reminder.sent").length >= 3,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("renders the phase timeline, the progress bar, the onboarding chart with reminder markers, and the not-onboarded and mismatched tables", async () => {
    expect(await s.phase(migrationId)).toBe("onboarding");
    const page = await open(statusPageUrl, adminContext);

    const timeline = page.locator("ol.timeline[aria-label=phases] li");
    expect(await timeline.allTextContents()).toEqual([
      "setup",
      "onboarding window",
      "Phase 2",
      "verification",
      "approval",
      "closing",
      "report",
      "completed",
    ]);
    await expect(page.locator("ol.timeline li.now").textContent()).resolves.toBe("onboarding window");
    expect(await page.locator("ol.timeline li.done").allTextContents()).toEqual(["setup"]);

    const bar = page.locator("[role=progressbar]");
    expect(await bar.isVisible()).toBe(true);
    const percent = Number(await bar.getAttribute("aria-valuenow"));
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThan(100);
    expect(await page.getByText(/\d+ onboarded .*, of \d+ users in scope \(\d+%\)/).textContent()).toContain(
      `(${percent}%)`,
    );

    const chart = page.locator("svg#onboarding-chart");
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator("path.onboarded").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    expect(await chart.locator("line[stroke-dasharray]").count()).toBe(3);
    expect(await chart.locator("text").allTextContents()).toEqual(
      expect.arrayContaining(["7 days before", "3 days before", "1 day before", "deadline"]),
    );
    // A date axis (a tick every other day over the two-week window: at most about ten labels), the latest count, and a legend for each kind of mark.
    expect(await chart.locator("text.axis-day").allTextContents()).toEqual([
      "2 Dec",
      "4 Dec",
      "6 Dec",
      "8 Dec",
      "10 Dec",
      "12 Dec",
      "14 Dec",
    ]);
    expect(await chart.locator("text.last-count").textContent()).toMatch(/^\d+ onboarded$/);
    expect(await chart.locator("g.legend text").allTextContents()).toEqual([
      "onboarded users at each check",
      "reminder sent (its time before the deadline)",
      "deadline",
    ]);

    const notOnboarded = page.locator("h2:has-text('Not onboarded') + div.scroll table");
    expect(await notOnboarded.locator("thead th").allTextContents()).toEqual(["User", "UPN", "Reminders sent"]);
    const missing = (await s.stack.store.getUsers(migrationId)).filter((u) => u.state === "notOnboarded");
    expect(missing.length).toBeGreaterThan(0);
    expect(await notOnboarded.locator("tbody tr").count()).toBe(missing.length);
    await expect(notOnboarded.locator("tbody").textContent()).resolves.toContain(missing[0].userPrincipalName);

    const mismatched = page.locator("h2:has-text('Mismatched requests') + div.scroll table");
    expect(await mismatched.locator("thead th").allTextContents()).toEqual([
      "Request typed as",
      "Belongs to",
      "Merge into Peig account",
      "Why",
    ]);
    const suggested = (await s.stack.store.getUsers(migrationId)).filter((u) => u.mergeSuggestion);
    expect(suggested.length).toBeGreaterThan(0);
    const rows = mismatched.locator("tbody tr");
    expect(await rows.count()).toBe(suggested.length);
    for (const user of suggested) {
      const row = rows.filter({ hasText: String(user.mergeSuggestion!.typedEmail) });
      expect(await row.locator("td").nth(1).textContent()).toBe(`${user.displayName} <${user.userPrincipalName}>`);
      expect(await row.locator("td").nth(2).textContent()).toBe(
        String(user.mergeSuggestion!.peigAccountId ?? "none yet: approve, then link"),
      );
      expect(await row.locator("td").nth(3).textContent()).toBe(String(user.mergeSuggestion!.reason));
    }
    await screenshot(page, "status-page.png");
  });

  it("opens the Peig admin's merge task from its e-mailed link, shows each request, and confirming it merges them", async () => {
    // Each monitor pass that finds new mistyped requests e-mails one merge task; the Peig admin confirms each in the browser.
    const confirmed = new Set<string>();
    let shown = 0;
    await s.runUntil(async () => {
      const links = s.stack.graph.outbox
        .filter((m) => /Merge \d+ pending request/.test(m.subject) && m.to.includes("it@contoso.com"))
        .flatMap((m) =>
          [...m.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)].map((x) => x[1].replace(/&amp;/g, "&")),
        );
      for (const link of links.filter((l) => !confirmed.has(l))) {
        confirmed.add(link);
        const page = await tabOf(context);
        if ((await page.goto(link))?.status() !== 200) continue;
        await expect(page.locator("h1").textContent()).resolves.toMatch(
          /^Merge \d+ pending requests? typed with another e-mail$/,
        );
        const table = page.locator("h2:has-text('To merge') + div.scroll table");
        expect(await table.locator("thead th").allTextContents()).toEqual([
          "Typed e-mail",
          "Microsoft 365 account",
          "Peig account",
          "Why it matches",
        ]);
        const listed = await table.locator("tbody tr").count();
        expect(listed).toBeGreaterThan(0);
        if (shown++ === 0) await screenshot(page, "merge-task.png");
        const [posted] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === "POST"),
          page.locator("button[value=done]").click(),
        ]);
        expect(posted.status()).toBe(200);
        await page.getByRole("heading", { name: "Thank you" }).waitFor();
        await s.host.idle(); // the decision woke the orchestration: let it merge before time moves on
      }
      return (await s.phase(migrationId)) === "approval";
    }, 20 * DAY);
    expect(shown).toBeGreaterThan(0);
    const merged = (await s.stack.store.listAudit(migrationId)).filter((a) => a.action === "peig.request.merged");
    expect(merged.length).toBeGreaterThan(0);
    // Every request the app could match was merged; none is left pending in Peig for a user in scope.
    const typed = new Set(merged.map((a) => String(a.details.typedEmail).toLowerCase()));
    expect(s.stack.peig.state.pendingRequests().filter((r) => typed.has(r.email.toLowerCase()))).toEqual([]);
  });

  it("shows the approver the checklist evidence and the Application ID that will be deleted", async () => {
    expect(await s.phase(migrationId)).toBe("approval");
    [approvalLink] = s.taskLinks("cio@contoso.com");
    expect(approvalLink).toBeDefined();
    const appId = ((await s.status(migrationId)).app as { appId: string }).appId;

    const page = await open(approvalLink);
    await expect(page.locator("h1").textContent()).resolves.toBe("Approve deleting the Peig migration configuration");
    const evidence = page.locator("h2:has-text('Evidence') + ul > li");
    expect(await evidence.locator("> strong").allTextContents()).toEqual([
      "✓ All users have been onboarded to Peig",
      "✓ All accounts are correctly created and linked",
      "✓ Phase 2 was completed if any users missed the onboarding window",
    ]);
    await expect(evidence.nth(2).textContent()).resolves.toMatch(/Phase 2 created \d+ Peig accounts; 0 failed/);
    const whatHappens = page.locator("h2:has-text('What happens if approved') + ul");
    await expect(whatHappens.textContent()).resolves.toContain(`Application ID ${appId}`);
    expect(await page.getByText("This cannot be undone.", { exact: true }).isVisible()).toBe(true);
    expect(await page.locator("button[name=decision]").allTextContents()).toEqual(["Approve", "Reject"]);
    await screenshot(page, "approval-page.png");
  });

  it("records nothing when the approval link is only opened and reloaded", async () => {
    const page = await open(approvalLink);
    expect((await page.reload())?.status()).toBe(200);
    await s.host.idle();
    expect(await approvalTask()).toMatchObject({ status: "open" });
    expect(await decisionsAudited()).toEqual([]);
    expect(await s.phase(migrationId)).toBe("approval");
  });

  it("shows both pages without JavaScript", async () => {
    const noScript = await newContext({ javaScriptEnabled: false });
    const adminNoScript = await newContext({ javaScriptEnabled: false }, LOCAL_ADMIN);
    const status = await open(statusPageUrl, adminNoScript);
    expect(await status.locator("svg#onboarding-chart path.onboarded").count()).toBe(1);
    await expect(status.locator("ol.timeline li.now").textContent()).resolves.toBe("approval");
    const approval = await open(approvalLink, noScript);
    expect(await approval.locator("form[method=post] button[value=approve]").isVisible()).toBe(true);
    expect(await approval.locator("h2:has-text('Evidence') + ul > li").count()).toBe(3);
    await noScript.close();
    await adminNoScript.close();
    expect(await approvalTask()).toMatchObject({ status: "open" });
  });

  it("records the approval clicked in the browser, and the migration goes on to delete and complete", async () => {
    const page = await open(approvalLink);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.locator("button[value=approve]").click(),
    ]);
    expect(posted.status()).toBe(200);
    await page.getByRole("heading", { name: "Thank you" }).waitFor();
    await expect(page.locator(".card").textContent()).resolves.toContain("Recorded: you approved");
    await screenshot(page, "approval-confirmed.png");

    await s.host.idle();
    expect(await approvalTask()).toMatchObject({
      status: "decided",
      decision: "approve",
      decidedBy: "cio@contoso.com",
    });
    expect(await decisionsAudited()).toEqual([
      expect.objectContaining({
        actor: "approver:cio@contoso.com",
        details: expect.objectContaining({ decision: "approve" }),
      }),
    ]);
    await s.runToEnd(migrationId);
    expect(await s.phase(migrationId)).toBe("completed");
    const actions = (await s.stack.store.listAudit(migrationId)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["phase.closing", "peig.migrationConfig.deleted", "entraApp.deleted"]),
    );
  });

  it("loaded nothing from outside the app", () => {
    const origin = new URL(s.host.baseUrl).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });
});
