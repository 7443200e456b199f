/**
 * Operator mode in a real browser: the Peig admin confirms the Phase 2 task with failures; the task asked again says
 * so, with its round, and lists the listed users the app has not seen sign in. After three rounds expired, the status
 * page shows the migration waiting for a person, with what to do and the Resume button, which sends the next round.
 * Screenshots go to artifacts/screenshots; axe finds no serious violation on either page.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { LOCAL_ADMIN } from "../../local/fixtures/staff";
import { DAY, peigAdminFollows, startScenario, type Scenario, openGate as isOpen } from "../workflow/harness";
import { seriousViolations } from "./axe";
import { connectChromium, SCREENSHOTS, signInContext, skipBrowserTests as skip } from "./chromium";

(skip ? describe.skip : describe)("the Peig admin's Phase 2 task asked again, in a browser", () => {
  let s: Scenario;
  let browser: Browser;
  /** One browser window for both tests (each new context or tab costs Chromium a renderer process). */
  let page: Page;

  beforeAll(async () => {
    browser = await connectChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined as unknown as Scenario;
  });

  const admin = "it@contoso.com";
  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  const latestLink = () => s.taskLinks(admin).at(-1)!;

  async function atPhase2Task(): Promise<string> {
    s = await startScenario({ peigMode: "operator", tenant: { users: 24, seed: 11, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await peigAdminFollows(s, latestLink());
    await s.runUntil(() => isOpen(s, id, "peigAccounts"), 30 * DAY);
    return id;
  }

  it("after a confirmation with failures, the new round's page says why and lists who has not signed in", async () => {
    const id = await atPhase2Task();
    const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned);
    for (const user of listed.slice(2)) s.stack.peig.state.createPeigAccount(user.userId);
    // One of them signs in with the new account: the app sees that one has an account.
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    s.stack.graph.recordSignIn(listed[2].userId, appId);

    await page.goto(s.taskUrl(latestLink()));
    await page.fill("input[name=created]", String(listed.length - 2));
    await page.fill("input[name=alreadyLinked]", "0");
    await page.fill("input[name=failed]", "2");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button[value=done]")]);
    await page.getByRole("heading", { name: "Thank you" }).waitFor();

    await s.runUntil(async () => (await s.stack.store.listTasks(id, { gate: "peigAccounts-2" })).length > 0, DAY);
    expect((await page.goto(s.taskUrl(latestLink())))?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toMatch(/asked again \(round 2\)$/);
    await expect(page.locator("#round").textContent()).resolves.toBe("round 2: asked again");
    await expect(page.locator("ol").textContent()).resolves.toContain(
      "round 1 was confirmed with 2 Create Peig Account failures",
    );
    const names = await page.locator("#still-missing td:nth-child(2)").allTextContents();
    expect(names).toHaveLength(listed.length - 1);
    for (const user of listed.slice(0, 2)) expect(names).toContain(user.userPrincipalName);
    expect(names).not.toContain(listed[2].userPrincipalName);
    await screenshot(page, "operator-phase2-asked-again.png");
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("after three rounds expired, the status page waits for a person, says what to do, and Resume sends round 4", async () => {
    const id = await atPhase2Task();
    await s.runUntil(async () => (await s.status(id)).needsAttention !== null, 30 * DAY);

    await signInContext(page.context(), s, LOCAL_ADMIN);
    await page.goto(`${s.host.baseUrl}/api/migrations/${id}/page`);
    const banner = page.locator("#needs-attention");
    await expect(banner.textContent()).resolves.toContain(
      "The Peig admin's task to create the missing Peig accounts (Phase 2) waits for a person since",
    );
    await expect(banner.textContent()).resolves.toContain("Then press Resume: a new task with a new link goes out");
    await expect(page.locator("#retrying").textContent()).resolves.toMatch(/^It no longer tries by itself/);
    await screenshot(page, "operator-phase2-needs-attention.png");
    await page.screenshot({ path: path.join(SCREENSHOTS, "operator-phase2-needs-attention-top.png") });
    expect(await seriousViolations(page)).toEqual([]);

    await page.click("text=Resume now");
    await s.host.idle();
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/Resume requested/);
    expect(await isOpen(s, id, "peigAccounts")).toBe(true);
    expect((await s.stack.store.listTasks(id, { status: "open" })).map((t) => t.gate)).toEqual(["peigAccounts-4"]);
  });
});
