/**
 * Operator mode in a real browser: the Peig admin's checklist task asks for what Peig shows; typed in with requests
 * still pending, the page answers with the difference named and records nothing; with what Peig shows after the
 * merges, it is accepted.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import {
  DAY,
  peigAdminFollows,
  peigChecklistFigures,
  startScenario,
  type Scenario,
  openGate as isOpen,
} from "../workflow/harness";
import { connectChromium, SCREENSHOTS, skipBrowserTests as skip } from "./chromium";

(skip ? describe.skip : describe)("the Peig admin's checklist confirmation in a browser", () => {
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
  const openGate = (id: string, purpose: string) => isOpen(s, id, purpose);

  async function fillAndConfirm(page: Page, figures: Record<string, string>) {
    for (const [name, value] of Object.entries(figures)) await page.fill(`input[name=${name}]`, value);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.locator("button[value=done]").click(),
    ]);
    await page.waitForLoadState();
    return posted.status();
  }

  it("refuses figures that show requests pending, naming them, then accepts what Peig shows after the merges", async () => {
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 24, seed: 11, missRate: 0.2, mismatchRate: 0.2 },
    });
    const admin = "it@contoso.com";
    const id = await s.start();
    await peigAdminFollows(s, s.taskLinks(admin).at(-1)!);
    await s.runUntil(() => openGate(id, "peigAccounts"), 30 * DAY);
    await peigAdminFollows(s, s.taskLinks(admin).at(-1)!);
    await s.runUntil(() => openGate(id, "peigChecklist"), 5 * DAY);
    const peig = s.stack.peig.state;
    const pending = peig.pendingRequests();
    expect(pending.length).toBeGreaterThan(0);

    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    expect((await page.goto(s.taskUrl(s.taskLinks(admin).at(-1)!)))?.status()).toBe(200);
    expect(await page.locator("fieldset legend").textContent()).toBe("What Peig shows now");
    await screenshot(page, "operator-checklist-task.png");

    expect(await fillAndConfirm(page, peigChecklistFigures(s))).toBe(422);
    const refusal = page.locator("#refusal");
    await expect(refusal.textContent()).resolves.toContain(
      `Users & Access shows ${pending.length} pending requests, and the checklist needs none`,
    );
    expect(await page.locator("input[name=pendingRequests]").inputValue()).toBe(String(pending.length));
    expect(await page.locator("input[name=pendingRequests]").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "operator-checklist-refused.png");
    await s.host.idle();
    expect(await openGate(id, "peigChecklist")).toBe(true);

    for (const request of pending) {
      const user = s.stack.tenant.users.find(
        (u) => u.behaviour.typedEmail?.toLowerCase() === request.email.toLowerCase(),
      )!;
      const target = peig.microsoft365Account(user.id).peigAccountId ?? peig.createPeigAccount(user.id).id;
      peig.merge(request.id, target);
    }
    // The same page, its figures corrected: accepted.
    expect(await fillAndConfirm(page, peigChecklistFigures(s))).toBe(200);
    await page.getByRole("heading", { name: "Thank you" }).waitFor();
    await context.close();
    await s.runUntil(() => openGate(id, "deletionApproval"), DAY);
  });
});
