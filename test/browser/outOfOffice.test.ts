/**
 * The status page at the approval gate, in a real browser, when an approver is out of office for the whole round:
 * the "Out of office" card says who and until when, and that the fallback approvers were asked at once. axe-core
 * finds nothing serious; the screenshot goes to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser } from "playwright-core";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { DAY, startBody, startScenario, type Scenario } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests } from "./chromium";

(skipBrowserTests ? describe.skip : describe)("an approver out of office, on the status page", () => {
  let s: Scenario;
  let browser: Browser;
  beforeAll(async () => {
    browser = await connectChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it("names who was away until when and that the fallback approvers were asked at once", async () => {
    s = await startScenario({ tenant: { users: 12, missRate: 0, mismatchRate: 0 } });
    const id = await s.start(
      startBody({ fallbackApprovers: ["ceo@contoso.com"], escalateAfter: "2 days", timeZone: "Europe/Amsterdam" }),
    );
    s.stack.graph.setAutomaticReplies("ciso@contoso.com", {
      status: "scheduled",
      start: "2026-12-01T00:00:00.000Z",
      end: new Date(s.clock.now().getTime() + 40 * DAY).toISOString(),
      timeZone: "W. Europe Standard Time",
    });
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    await signInContext(context, s, LOCAL_ADMIN);
    const page = await context.newPage();
    await page.goto(`${s.host.baseUrl}/api/migrations/${id}/page`);
    await expect(page.locator("#out-of-office").innerText()).resolves.toMatch(
      /ciso@contoso\.com is out of office for the whole round \(automatic replies on until .+\): not asked; the fallback approvers were asked at once\./,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "status-out-of-office.png"), fullPage: true });
    await page.locator("#out-of-office").screenshot({ path: path.join(SCREENSHOTS, "status-out-of-office-card.png") });
    await page.locator("#waiting-on").screenshot({ path: path.join(SCREENSHOTS, "status-out-of-office-waiting.png") });
  });
});
