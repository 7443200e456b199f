/**
 * Who is in scope and single people, in a real browser: the home form with an exclude group and a built-in
 * exclusion switched off, the plan's "Left out" table, then on the status page an exemption with its reason, an
 * invitation sent again and one person's later deadline, each from its button. axe-core finds nothing serious; screenshots go to
 * artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { inScopeUsers } from "../../local/fixtures/tenant";
import { startBody, startScenario, type Scenario } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests } from "./chromium";

(skipBrowserTests ? describe.skip : describe)("scope and single people in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const expectAccessible = async (page: Page, name: string) =>
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });

  beforeAll(async () => {
    browser = await connectChromium();
    s = await startScenario({
      tenant: {
        users: 60,
        seed: 8,
        missRate: 0.3,
        mismatchRate: 0,
        guestRate: 0.1,
        sharedMailboxes: 3,
        serviceAccounts: 2,
      },
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await signInContext(context, s, LOCAL_ADMIN);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("plans with an exclude group and guests kept, then exempts one person, resends another's invitation and extends their deadline", async () => {
    const page = await context.newPage();
    await page.goto(`${s.host.baseUrl}/api/home`);
    const sales = s.stack.tenant.groups.find((g) => g.displayName === "Sales")!;
    const sample = startBody();
    await page.fill("#f-workspace", sample.workspace);
    await page.fill("#f-domain", sample.domain);
    await page.fill("#f-idpEntityId", sample.idpEntityId);
    await page.fill("#f-deadlineDate", new Date(s.clock.now().getTime() + 14 * 86_400_000).toISOString().slice(0, 10));
    await page.fill("#f-reminders", "7 days, 1 day");
    await page.fill("#f-excludeGroups", sales.id);
    expect(await page.isChecked("input[name=excludeUnlicensed]")).toBe(true);
    await page.uncheck("input[name=excludeGuests]");
    await page.fill("#f-approvers", sample.approvers.join(", "));
    await page.fill("#f-admins", sample.admins.join(", "));
    await page.click("text=Show the plan");
    await expect(page.locator("h1").textContent()).resolves.toBe("The plan");
    const excluded = await page.locator('#left-out tr[data-rule="excludeGroups"] td').allTextContents();
    expect(excluded[0]).toBe("Members of an exclude group");
    expect(Number(excluded[1])).toBeGreaterThan(0);
    expect((await page.locator('#left-out tr[data-rule="guests"] td').allTextContents())[1]).toBe("0");
    const unlicensed = await page.locator('#left-out tr[data-rule="unlicensed"] td').allTextContents();
    expect(Number(unlicensed[1])).toBe(5);
    expect(unlicensed[2]).toMatch(/^Info \(info@contoso\.com\), /);
    await expectAccessible(page, "plan with left-out");
    await screenshot(page, "campaign-plan-left-out.png");

    await page.click("text=Start the migration");
    await page.waitForURL(/\/api\/migrations\/[0-9a-f-]{36}\/page/);
    await s.host.idle();
    const salesIds = new Set(sales.memberIds);
    const [away, forgetful] = inScopeUsers(s.stack.tenant).filter(
      (u) => u.behaviour.onboardsAt === null && u.mail && !salesIds.has(u.id),
    );
    await page.reload();
    await page.fill("#exempt-user", away.userPrincipalName);
    await page.fill("#exempt-reason", "on parental leave until March");
    await page.click("text=Exempt this person");
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Exempted: they get no more mail/);
    await expect(page.locator("#exemptions").innerText()).resolves.toContain("on parental leave until March");
    await expect(page.locator("#counts").innerText()).resolves.toContain(
      "1 exempted by an admin (no more mail, no Phase 2 account)",
    );
    await page.fill("#resend-user", forgetful.mail ?? "");
    await page.click("text=Resend the invitation");
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/invitation went out again/);
    await expectAccessible(page, "status with an exemption");
    await screenshot(page, "campaign-status-exempted.png");

    // The forgetful one gets a week more: their own deadline, typed in the migration's zone; the table says whose.
    await page.fill("#person-deadline-user", forgetful.userPrincipalName);
    await page.fill("#person-deadline", new Date(s.clock.now().getTime() + 21 * 86_400_000).toISOString().slice(0, 16));
    await page.fill("#person-deadline-reason", "back from leave in three weeks");
    await page.click("text=Extend this person's deadline");
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Deadline extended for that person/);
    await expect(page.locator("#personal-deadlines").innerText()).resolves.toContain("back from leave in three weeks");
    await expect(page.locator("#counts").innerText()).resolves.toContain(
      "1 given a later deadline of their own by an admin",
    );
    await expectAccessible(page, "status with a personal deadline");
    await screenshot(page, "campaign-status-person-deadline.png");
  });
});
