/**
 * The admins' home page in a real browser, as a new admin uses it: fill in the start form in words (a day from the
 * date input, "7 days, 3 days, 1 day"), read the plan (in words: no ISO 8601), confirm, watch the status page as the
 * window runs, approve the deletion from the e-mailed link, read the report. On every page axe-core finds no serious
 * or critical violation and nothing is wider than a laptop screen. Screenshots go to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { renderDeadLinkPage } from "../../shared/pages/taskPage";
import { startBody, startScenario, type Scenario } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests } from "./chromium";

const ISO_8601 = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\bP(?:\d+[WD]|T\d+[HMS])/;

(skipBrowserTests ? describe.skip : describe)("the home page in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  const requested: string[] = [];
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  /** axe finds nothing serious, and the page fits the window's width (tables included). */
  async function expectAccessible(page: Page, name: string): Promise<void> {
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
    const width = await page.evaluate(() => {
      const d = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return { scroll: d.scrollWidth, client: d.clientWidth };
    });
    expect({ page: name, overflows: width.scroll > width.client }).toEqual({ page: name, overflows: false });
  }

  beforeAll(async () => {
    browser = await connectChromium();
    s = await startScenario({ tenant: { users: 25, seed: 8, missRate: 0.2, mismatchRate: 0 } });
    // A laptop's screen; bypassCSP lets the test inject axe-core into pages that allow no script.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    context.on("request", (request) => requested.push(request.url()));
    await signInContext(context, s, LOCAL_ADMIN);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("starts a migration typed in words, shows the plan in words, and every page it leads to is accessible", async () => {
    const page = await context.newPage();
    const home = `${s.host.baseUrl}/api/home`;
    expect((await page.goto(home))?.status()).toBe(200);
    await expect(page.locator("#migrations").textContent()).resolves.toContain("No migrations yet.");
    await expectAccessible(page, "home");

    const sample = startBody();
    const day = new Date(s.clock.now().getTime() + 14 * 86_400_000).toISOString().slice(0, 10);
    await page.fill("#f-workspace", sample.workspace);
    await page.fill("#f-domain", sample.domain);
    await page.fill("#f-idpEntityId", sample.idpEntityId);
    expect(await page.getAttribute("#f-deadlineDate", "type")).toBe("date");
    await page.fill("#f-deadlineDate", day);
    await page.selectOption("#f-timeZone", "Europe/Prague");
    await page.fill("#f-reminders", "7 days, 3 dais");
    await page.fill("#f-approvers", sample.approvers.join(", "));
    await page.fill("#f-admins", sample.admins.join(", "));
    await screenshot(page, "home-form.png");
    await page.click("text=Show the plan");
    // The refused form comes back with the error next to the reminders, in words, and everything else as typed.
    await expect(page.locator('[data-error-for="reminders"]').textContent()).resolves.toContain('"dais" is not a unit');
    expect(await page.inputValue("#f-approvers")).toBe(sample.approvers.join(", "));
    expect(await page.inputValue("#f-deadlineDate")).toBe(day);
    await expectAccessible(page, "home with an error");
    await screenshot(page, "home-form-error.png");

    await page.fill("#f-reminders", "7 days, 3 days, 1 day");
    await page.click("text=Show the plan");
    await expect(page.locator("h1").textContent()).resolves.toBe("The plan");
    const plan = (await page.locator("main").innerText()) ?? "";
    expect(plan).not.toMatch(ISO_8601);
    expect(plan).toMatch(
      /Deadline \w{3} \d{1,2} \w{3} \d{4}, 17:00 CET \(Europe\/Prague\); reminders on \w{3} \d{1,2} \w{3}, \w{3} \d{1,2} \w{3}, \w{3} \d{1,2} \w{3};/,
    );
    expect(plan).toContain("Reminder 7 days before the deadline");
    expect(Number(await page.locator("#users-in-scope").textContent())).toBeGreaterThan(0);
    expect(await s.stack.store.listMigrations()).toEqual([]);
    await expectAccessible(page, "plan");
    await screenshot(page, "home-plan.png");

    await page.click("text=Start the migration");
    await page.waitForURL(/\/api\/migrations\/[0-9a-f-]{36}\/page$/);
    await s.host.idle();
    const [migration] = await s.stack.store.listMigrations();
    expect(migration.workspace).toBe("contoso");
    expect(migration.runtime.request.reminders).toEqual(["P7D", "P3D", "P1D"]);
    await expectAccessible(page, "status");
    await screenshot(page, "home-started-status.png");

    // Watch: a few days into the window the page shows progress on the chart.
    await s.runUntil(
      async () =>
        (await s.stack.store.listAudit(migration.id)).filter((a) => a.action === "mail.reminder.sent").length >= 1,
    );
    await page.reload();
    expect(await page.locator("svg#onboarding-chart path.onboarded").count()).toBe(1);
    const onboarded = /(\d+) onboarded .*, of \d+ users in scope/.exec(
      (await page.getByText(/\d+ onboarded .*, of \d+ users in scope \(/).textContent()) ?? "",
    )?.[1];
    expect(Number(onboarded)).toBeGreaterThan(0);
    // The chart's line ends at the count the page states above it.
    await expect(page.locator("svg#onboarding-chart text.last-count").textContent()).resolves.toBe(
      `${onboarded} onboarded`,
    );
    await expectAccessible(page, "status during the window");
    await screenshot(page, "home-started-status-later.png");

    await page.goto(home);
    await expect(page.locator("#migrations").textContent()).resolves.toContain("contoso");
    expect(await page.locator("#migrations").innerText()).not.toMatch(ISO_8601);
    await expectAccessible(page, "home with a migration");
    await screenshot(page, "home-with-migration.png");

    // The approver's task page, from the e-mailed link, in the approver's own browser.
    await s.runUntil(async () => (await s.phase(migration.id)) === "approval");
    const link = s.taskUrl(s.taskLinks("cio@contoso.com").at(-1)!);
    const approverContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    approverContext.on("request", (request) => requested.push(request.url()));
    const approverPage = await approverContext.newPage();
    expect((await approverPage.goto(link))?.status()).toBe(200);
    await expectAccessible(approverPage, "task");
    await screenshot(approverPage, "task-approval.png");
    await approverPage.locator("button[value=approve]").click();
    await expect(approverPage.locator("h1").textContent()).resolves.toBe("Thank you");
    await s.runToEnd(migration.id);
    expect(await s.phase(migration.id)).toBe("completed");

    // The link now says why it no longer works.
    expect((await approverPage.goto(link))?.status()).toBe(410);
    await expect(approverPage.locator("h1").textContent()).resolves.toBe("Already answered");
    await expectAccessible(approverPage, "dead link");
    await screenshot(approverPage, "task-dead-link.png");
    await approverContext.close();

    await page.goto(`${s.host.baseUrl}/api/migrations/${migration.id}/page`);
    await expectAccessible(page, "status when completed");
    await screenshot(page, "status-completed.png");
    await page.click("text=Open the report");
    await expect(page.locator("h1").textContent()).resolves.toMatch(/^Peig migration report/);
    await expectAccessible(page, "report");
    await screenshot(page, "report.png");

    // A dead link whose question is open again for the person offers a fresh link: that page is accessible too.
    await page.setContent(
      renderDeadLinkPage(
        { title: "This link has expired", lines: ["It was open until Tue 15 Dec 2026, 17:00 CET."] },
        { csrf: "token", action: "/api/tasks/x/link" },
      ),
    );
    await expectAccessible(page, "dead link with a fresh-link button");
    await screenshot(page, "task-dead-link-fresh.png");

    expect(requested.filter((url) => !url.startsWith(s.host.baseUrl) && url !== "about:blank")).toEqual([]);
    // The whole journey in one browser: a minute and more on a loaded 2-core machine.
  }, 180_000);
});
