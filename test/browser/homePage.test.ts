/**
 * The admins' home page in a real browser: fill in the start form, read the dry-run plan, confirm, land on the
 * status page and watch it as the window runs. Screenshots go to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startBody, startScenario, type Scenario } from "../workflow/harness";
import { launchChromium, SCREENSHOTS, skipBrowserTests } from "./chromium";

(skipBrowserTests ? describe.skip : describe)("the home page in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  const requested: string[] = [];
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

  beforeAll(async () => {
    browser = await launchChromium();
    s = await startScenario({ tenant: { users: 25, seed: 8, missRate: 0.2, mismatchRate: 0 } });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("starts a migration from the form only after showing its plan, then shows its status page as the window runs", async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    context.on("request", (request) => requested.push(request.url()));
    const page = await context.newPage();
    expect(
      (await page.goto(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`))?.status(),
    ).toBe(200);
    await expect(page.locator("#migrations").textContent()).resolves.toContain("No migrations yet.");

    const sample = startBody();
    await page.fill("#f-workspace", sample.workspace);
    await page.fill("#f-domain", sample.domain);
    await page.fill("#f-idpEntityId", sample.idpEntityId);
    await page.fill("#f-deadline", "next Tuesday");
    await page.fill("#f-approvers", sample.approvers.join(", "));
    await page.fill("#f-admins", sample.admins.join(", "));
    await screenshot(page, "home-form.png");
    await page.click("text=Show the plan");
    // The refused form comes back with the error next to the deadline and everything else as typed.
    await expect(page.locator('[data-error-for="deadline"]').textContent()).resolves.toContain("ISO 8601");
    expect(await page.inputValue("#f-approvers")).toBe(sample.approvers.join(", "));
    await screenshot(page, "home-form-error.png");

    await page.fill("#f-deadline", sample.deadline);
    await page.click("text=Show the plan");
    await expect(page.locator("h1").textContent()).resolves.toBe("The plan");
    expect(Number(await page.locator("#users-in-scope").textContent())).toBeGreaterThan(0);
    await expect(page.locator("#plan").textContent()).resolves.toContain("Mail plan");
    expect(await s.stack.store.listMigrations()).toEqual([]);
    await screenshot(page, "home-plan.png");

    await page.click("text=Start the migration");
    await page.waitForURL(/\/api\/migrations\/[0-9a-f-]{36}\/page\?code=/);
    await s.host.idle();
    const [migration] = await s.stack.store.listMigrations();
    expect(migration.workspace).toBe("contoso");
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
    await screenshot(page, "home-started-status-later.png");

    await page.goto(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`);
    await expect(page.locator("#migrations").textContent()).resolves.toContain("contoso");
    await screenshot(page, "home-with-migration.png");
    await context.close();
    expect(requested.filter((url) => !url.startsWith(s.host.baseUrl))).toEqual([]);
  });
});
