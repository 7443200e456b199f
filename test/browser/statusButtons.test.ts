/**
 * The status page's buttons in a real browser (Debian's Chromium via playwright-core): extend the deadline, resume a
 * migration that needs attention, cancel with a reason. The browser sends what it sends (Origin, Sec-Fetch-Site,
 * the page's CSRF token), the page's CSP allows the form, and each click lands on the updated page. Screenshots go
 * to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startScenario, type Scenario, DAY } from "../workflow/harness";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests as skip } from "./chromium";

const MANY = 1_000_000_000;

(skip ? describe.skip : describe)("the status page's buttons in a browser", () => {
  let s: Scenario;
  let browser: Browser;

  beforeAll(async () => {
    browser = await connectChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

  it("extends the deadline, resumes a failing step and cancels, each by a click that answers with the updated page", async () => {
    s = await startScenario({ tenant: { users: 12, missRate: 0.5, mismatchRate: 0 } });
    const id = await s.start();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await signInContext(context, s, LOCAL_ADMIN);
    const page = await context.newPage();
    await page.goto(`${s.host.baseUrl}/api/migrations/${id}/page`);

    await page.fill("#new-deadline", "2026-12-18T17:00");
    await page.click("text=Extend the deadline");
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Deadline extended/);
    expect((await s.stack.store.getMigration(id))!.deadline).toBe("2026-12-18T17:00:00.000Z");
    await screenshot(page, "status-buttons-extended.png");

    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: MANY }],
    });
    await s.runUntil(async () => (await s.status(id)).needsAttention !== null, 2 * DAY);
    await page.reload();
    await expect(page.locator("#needs-attention #retrying").textContent()).resolves.toMatch(
      /^It still tries again by itself: next try /,
    );
    await screenshot(page, "status-buttons-needs-attention.png");
    s.stack.graph.setFaults({ scripted: [] });
    await page.click("text=Resume now");
    await s.host.idle();
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Resume requested/);
    expect((await s.stack.store.listAudit(id)).map((a) => a.action)).toContain("migration.resumeRequested");

    await page.fill("#cancel-reason", "postponed to January");
    await page.click("text=Cancel the migration");
    await s.host.idle();
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Cancellation requested/);
    expect(await s.phase(id)).toBe("cancelled");
    await page.reload();
    expect(await page.locator("#actions").count()).toBe(0);
    await screenshot(page, "status-buttons-cancelled.png");
    await context.close();
  });
});
