/**
 * Signing in to the admin pages in a real browser, through the local host's stand-in for App Service
 * Authentication: the home page sends an anonymous browser to the local sign-in page; a Viewer reads the
 * migrations and a status page without any button or start form; after signing out, an Admin signs in and starts
 * a migration from the home form. No URL the browser visits carries a key. axe-core finds no serious violation on
 * any page; screenshots go to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { LOCAL_ADMIN, LOCAL_VIEWER } from "../../local/fixtures/staff";
import { startBody, startScenario, type Scenario } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { connectChromium, SCREENSHOTS, skipBrowserTests as skip } from "./chromium";

(skip ? describe.skip : describe)("signing in to the admin pages in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  const visited: string[] = [];

  beforeAll(async () => {
    browser = await connectChromium();
    s = await startScenario({ tenant: { users: 12, seed: 5, missRate: 0.2, mismatchRate: 0 } });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  async function expectAccessible(page: Page, name: string): Promise<void> {
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
  }
  /** On the local sign-in page: pick the person by their address and sign in. */
  async function signInAs(page: Page, upn: string): Promise<void> {
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign in");
    await page.getByLabel(new RegExp(upn.replace(/[.@]/g, "\\$&"))).check();
    await Promise.all([page.waitForURL(/\/api\//), page.click("button:has-text('Sign in')")]);
  }

  it("signs in as a Viewer who reads without buttons, then as an Admin who starts a migration from the home form", async () => {
    const existing = await s.start();
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
    context.on("request", (request) => visited.push(request.url()));
    const page = await context.newPage();

    // Anonymous: the home page sends the browser to sign in, on a page that says it is the local stand-in.
    await page.goto(`${s.host.baseUrl}/api/home`);
    expect(new URL(page.url()).pathname).toBe("/.auth/login/aad");
    await expect(page.locator("#local-stand-in").textContent()).resolves.toContain(
      "Local stand-in for Microsoft Entra sign-in",
    );
    await expectAccessible(page, "sign-in");
    await screenshot(page, "sign-in-local.png");

    // The Viewer: the migrations, no start form; the status page without a single button.
    await signInAs(page, LOCAL_VIEWER);
    expect(new URL(page.url()).pathname).toBe("/api/home");
    await expect(page.locator("#signed-in").textContent()).resolves.toContain(`Signed in as ${LOCAL_VIEWER}`);
    await expect(page.locator("#migrations").textContent()).resolves.toContain("contoso");
    expect(await page.locator("form").count()).toBe(0);
    await expectAccessible(page, "home as Viewer");
    await screenshot(page, "home-viewer.png");
    await page.click("#migrations a");
    await page.waitForURL(new RegExp(`/api/migrations/${existing}/page$`));
    await expect(page.locator("h1").textContent()).resolves.toMatch(/^Peig migration/);
    expect(await page.locator("#actions, form").count()).toBe(0);
    await expectAccessible(page, "status as Viewer");
    await screenshot(page, "status-viewer.png");

    // Sign out, and in again as the Admin: the start form is there.
    await page.click("text=Sign out");
    await page.waitForURL(/\/.auth\/login\/aad/);
    await s.api(`migrations/${existing}/cancel`, {
      method: "POST",
      body: JSON.stringify({ reason: "make room for the browser's start" }),
      headers: { "content-type": "application/json" },
    });
    await s.host.idle();
    await s.runToEnd(existing);
    await signInAs(page, LOCAL_ADMIN);
    await expect(page.locator("#signed-in").textContent()).resolves.toContain(`Signed in as ${LOCAL_ADMIN}`);
    const sample = startBody();
    await page.fill("#f-workspace", sample.workspace);
    await page.fill("#f-domain", sample.domain);
    await page.fill("#f-idpEntityId", sample.idpEntityId);
    await page.fill("#f-deadlineDate", new Date(s.clock.now().getTime() + 14 * 86_400_000).toISOString().slice(0, 10));
    await page.fill("#f-approvers", sample.approvers.join(", "));
    await page.fill("#f-admins", sample.admins.join(", "));
    await expectAccessible(page, "home as Admin");
    await screenshot(page, "home-admin.png");
    await page.click("text=Show the plan");
    await expect(page.locator("h1").textContent()).resolves.toBe("The plan");
    await page.click("text=Start the migration");
    await page.waitForURL(/\/api\/migrations\/[0-9a-f-]{36}\/page$/);
    await s.host.idle();
    const started = (await s.stack.store.listMigrations()).find((m) => m.id !== existing)!;
    expect(started.workspace).toBe("contoso");
    const audit = await s.stack.store.listAudit(started.id);
    expect(audit.find((a) => a.action === "migration.started")?.actor).toBe(`admin:${LOCAL_ADMIN}`);
    expect(await page.locator("#actions form").count()).toBeGreaterThan(0);
    await expectAccessible(page, "status as Admin");
    await screenshot(page, "status-admin-started.png");

    expect(visited.filter((url) => /[?&]code=/.test(url))).toEqual([]);
    await context.close();
    // The whole journey in one browser: a minute and more on a loaded 2-core machine.
  }, 180_000);
});
