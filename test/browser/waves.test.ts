/**
 * Waves in a real browser: the home form with a pilot wave (its group, deadline and reminders, a review before
 * everyone else), the plan with each wave's mail, the status page's waves, then the pilot review's page opened
 * from the admins' e-mail and "Go on" pressed, and everyone else invited. axe-core finds nothing serious;
 * screenshots go to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { inScopeUsers } from "../../local/fixtures/tenant";
import { auditOf, startBody, startScenario, type Scenario } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests } from "./chromium";

const PILOT_GROUP = "7d1f7a3e-5a8b-4d2c-9a61-0c0ffee00002";
const DAY_MS = 86_400_000;

(skipBrowserTests ? describe.skip : describe)("waves in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const expectAccessible = async (page: Page, name: string) =>
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });

  beforeAll(async () => {
    browser = await connectChromium();
    s = await startScenario({ tenant: { users: 60, seed: 8, missRate: 0, mismatchRate: 0 } });
    const people = inScopeUsers(s.stack.tenant).filter((u) => u.mail);
    for (const u of s.stack.tenant.users) u.behaviour = { onboardsAt: null };
    s.stack.tenant.groups.push({
      id: PILOT_GROUP,
      displayName: "Pilot",
      memberIds: people.slice(0, 12).map((u) => u.id),
      nestedGroupIds: [],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await signInContext(context, s, LOCAL_ADMIN);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("creates a two-wave migration from the home form and approves the pilot review", async () => {
    const page = await context.newPage();
    await page.goto(`${s.host.baseUrl}/api/home`);
    const sample = startBody();
    const day = (days: number) => new Date(s.clock.now().getTime() + days * DAY_MS).toISOString().slice(0, 10);
    await page.fill("#f-workspace", sample.workspace);
    await page.fill("#f-domain", sample.domain);
    await page.fill("#f-idpEntityId", sample.idpEntityId);
    await page.fill("#f-deadlineDate", day(21));
    await page.fill("#f-reminders", "7 days, 1 day");
    await page.fill("#f-approvers", sample.approvers.join(", "));
    await page.fill("#f-admins", sample.admins.join(", "));
    await page.fill("#f-pilotGroup", PILOT_GROUP);
    await page.fill("#f-pilotName", "Pilot");
    await page.fill("#f-pilotDeadlineDate", day(7));
    await page.fill("#f-pilotReminders", "2 days");
    expect(await page.isChecked("input[name=pilotReview]")).toBe(true);
    await expectAccessible(page, "home form with a pilot wave");
    await screenshot(page, "waves-home-form.png");
    await page.click("text=Show the plan");
    await expect(page.locator("h1").textContent()).resolves.toBe("The plan");
    const waves = await page.locator(".wave-plan").allTextContents();
    expect(waves).toHaveLength(2);
    expect(waves[0]).toMatch(/^12 users \(12 with a mailbox\); invited .*; deadline /);
    expect(waves[1]).toMatch(/invited after the admins' pilot review, at the earliest/);
    await expectAccessible(page, "plan with two waves");
    await screenshot(page, "waves-plan.png");

    await page.click("text=Start the migration");
    await page.waitForURL(/\/api\/migrations\/[0-9a-f-]{36}\/page/);
    const id = /migrations\/([0-9a-f-]{36})\/page/.exec(page.url())![1];
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    await page.reload();
    const rows = await page.locator("#waves tbody tr").allInnerTexts();
    expect(rows).toHaveLength(2);
    // The group by the name Entra gives it, not its object id.
    expect(rows[0]).toMatch(/^Pilot\tmembers of the Entra group Pilot\t.*\tinvited /);
    expect(rows[1]).toMatch(
      /^Everyone else\teveryone else in scope\t.*waiting|^Everyone else\teveryone else in scope\t.*after the admins' pilot review/,
    );
    await expectAccessible(page, "status with waves");
    await screenshot(page, "waves-status-pilot.png");

    // The pilot onboards; at its deadline the admins' e-mail brings the page.
    const pilotIds = s.stack.tenant.groups.find((g) => g.id === PILOT_GROUP)!.memberIds;
    pilotIds.slice(0, 10).forEach((userId) => s.stack.peig.state.onboardNow(userId));
    await s.runUntil(async () => s.taskLinks("it@contoso.com").length > 0);
    // The admin follows the e-mail's link in the same window (a new tab costs Chromium a new renderer process).
    const statusUrl = page.url();
    await page.goto(s.taskUrl(s.taskLinks("it@contoso.com").at(-1)!));
    await expect(page.locator("h1").textContent()).resolves.toBe('Pilot review: start the wave "Everyone else"?');
    await expect(page.locator(".wave-results").innerText()).resolves.toContain("10 onboarded");
    await expectAccessible(page, "pilot review");
    await screenshot(page, "waves-pilot-page.png");
    await page.click("button:has-text('Go on')");
    await expect(page.locator("body").innerText()).resolves.toMatch(/Recorded: you approved/);
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 1);

    await page.goto(statusUrl);
    const after = await page.locator("#waves tbody tr").allInnerTexts();
    expect(after[1]).toMatch(/^Everyone else\teveryone else in scope\t.*\tinvited /);
    await expectAccessible(page, "status with both waves running");
    await screenshot(page, "waves-status-everyone.png");
    await page.locator("#waves").screenshot({ path: path.join(SCREENSHOTS, "waves-status-table.png") });
    await page.locator("#onboarding-chart").screenshot({ path: path.join(SCREENSHOTS, "waves-status-chart.png") });
  });
});
