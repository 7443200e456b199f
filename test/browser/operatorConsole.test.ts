/**
 * Operator mode in a real browser (Debian's Chromium driven by playwright-core): the Peig admin plays a whole
 * migration from the e-mailed task links, doing each step in the Peig simulator's console as the task page
 * says (Validate and Save the values copied from the page, merge mistyped requests in Users & Access, Create Peig
 * Account in MS365 Identifiers, Delete), and confirming each task on its page; an approver approves the
 * deletion. Time is virtual: it moves only between the browser's steps. Screenshots of every console screen
 * go to artifacts/screenshots.
 */
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { accountsOnPage, taskKindOf } from "../../local/demo/autoApprove";
import { consoleFigures } from "../../local/demo/peigConsoleClient";
import { peigConsolePages, type PeigConsolePage } from "../../shared/peig/consolePages";
import { isFinalPhase } from "../../shared/workflow";
import { startScenario, type Scenario } from "../workflow/harness";
import { connectChromium, SCREENSHOTS, skipBrowserTests as skip } from "./chromium";

const { samlIdpInfo, migration, usersAndAccess, microsoft365Accounts } = peigConsolePages;

(skip ? describe.skip : describe)("the Peig admin plays operator mode in the browser, in the Peig console", () => {
  let s: Scenario;
  let browser: Browser;
  let context: BrowserContext;
  /**
   * The Peig admin's tabs: the task page, the Peig console, and a second console tab to look a person up. Each is
   * brought to the front before it is used, as a person clicks a tab: Chromium paints only the front tab, and a
   * click waits for the button to be painted steadily (two seconds of nothing in a background tab).
   */
  let taskTab: Page;
  let consoleTab: Page;
  let lookupTab: Page;
  const shots = new Set<string>();
  const screenshot = async (page: Page, name: string) => {
    shots.add(name);
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  };

  beforeAll(async () => {
    browser = await connectChromium();
    // A laptop screen: the console's tables must fit it.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    [taskTab, consoleTab, lookupTab] = [await context.newPage(), await context.newPage(), await context.newPage()];
    // Twelve people are enough for every console step: two never onboard (Create Peig Account), two type another e-mail (merged).
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 12, seed: 21, missRate: 0.2, mismatchRate: 0.15 },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const consoleUrl = (screen: PeigConsolePage, query = "") =>
    `${s.stack.peig.consoleUrl}${screen.path.slice(1)}${query}`;

  /** Presses a console button and waits for the page its form answers with. */
  async function press(page: Page, button: ReturnType<Page["getByRole"]>): Promise<number> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      button.click(),
    ]);
    await page.waitForLoadState();
    return response.status();
  }

  /** Confirms (with the figures the console showed) or approves the task on its page, then lets the host settle. */
  async function decide(task: Page, decision: "done" | "approve", figures: Record<string, number | string> = {}) {
    await task.bringToFront();
    for (const [name, value] of Object.entries(figures)) await task.fill(`input[name=${name}]`, String(value));
    const status = await press(task, task.locator(`button[value=${decision}]`).first());
    expect(status).toBe(200);
    await task.getByRole("heading", { name: "Thank you" }).waitFor();
    await s.host.idle();
  }

  /** The task page's link to a console screen: named as Peig names it, opening the simulator's console page. */
  async function followConsoleLink(task: Page, screen: PeigConsolePage): Promise<Page> {
    const link = task.getByRole("link", { name: screen.name });
    expect(await link.getAttribute("href")).toBe(consoleUrl(screen));
    await consoleTab.bringToFront();
    expect((await consoleTab.goto(consoleUrl(screen)))?.status()).toBe(200);
    await expect(consoleTab.locator("header").textContent()).resolves.toContain("Local Peig simulator");
    return consoleTab;
  }

  async function saveConfiguration(task: Page): Promise<void> {
    const value = (label: string) =>
      task.locator(`p:has(strong:text-is("${label}")) + pre`).textContent() as Promise<string>;
    await screenshot(task, "task-peig-configuration.png");
    const applicationId = (await value("Application ID")).trim();
    const certificate = await value("IDP Certificate");
    // The IDP Entity ID a person notes first (Configuration → SAML IDP Info).
    await consoleTab.bringToFront();
    await consoleTab.goto(consoleUrl(samlIdpInfo));
    await expect(consoleTab.locator("table").textContent()).resolves.toContain(
      `https://pap01.${s.stack.tenant.domain}/idp/shibboleth`,
    );
    await screenshot(consoleTab, "console-saml-idp-info.png");

    const console = await followConsoleLink(task, migration);
    // A slip first: the app's display name instead of its Application ID, half the certificate. Validate says so.
    await console.fill("#applicationId", "PeigMigrationManager");
    await console.fill("#idpCertificate", certificate.slice(0, certificate.length / 2));
    expect(await press(console, console.getByRole("button", { name: "Validate" }))).toBe(422);
    const alert = console.getByRole("alert");
    await expect(alert.textContent()).resolves.toMatch(/Application ID: must be the Application ID/);
    await expect(alert.textContent()).resolves.toMatch(/IDP Certificate: /);
    await screenshot(console, "console-migration-invalid.png");

    await console.fill("#applicationId", applicationId);
    await console.fill("#idpCertificate", certificate);
    expect(await press(console, console.getByRole("button", { name: "Validate" }))).toBe(200);
    await expect(console.getByRole("status").textContent()).resolves.toContain("Valid. Click Save");
    await screenshot(console, "console-migration-validated.png");
    expect(await press(console, console.getByRole("button", { name: "Save" }))).toBe(201);
    await expect(console.getByRole("status").textContent()).resolves.toContain("Saved.");
    await expect(console.locator("table").first().textContent()).resolves.toContain(applicationId);
    await screenshot(console, "console-migration-saved.png");
    await decide(task, "done", { applicationId });
  }

  async function createAccounts(task: Page): Promise<void> {
    const listed = accountsOnPage(await task.content());
    expect(listed.length).toBeGreaterThan(0);
    const console = await followConsoleLink(task, microsoft365Accounts);
    await console.getByRole("link", { name: "Unlinked" }).click();
    await console.waitForLoadState();
    await screenshot(console, "console-microsoft-365-accounts.png");
    let created = 0;
    for (const upn of listed) {
      const button = console.getByRole("button", { name: `Create Peig Account for ${upn}` });
      // "Skip anyone who already shows a linked Peig account."
      if ((await button.count()) === 0) continue;
      expect(await press(console, button)).toBe(201);
      await expect(console.getByRole("status").textContent()).resolves.toContain("Created Peig account");
      created++;
    }
    await screenshot(console, "console-microsoft-365-accounts-created.png");
    await decide(task, "done", { created, alreadyLinked: listed.length - created, failed: 0 });
  }

  /** Users & Access: each request typed with an address no Microsoft 365 account has goes to its person's account. */
  async function mergeMismatched(task: Page): Promise<number> {
    const console = await followConsoleLink(task, usersAndAccess);
    await screenshot(console, "console-users-and-access.png");
    await console.getByRole("link", { name: "Only mismatched e-mails" }).click();
    await console.waitForLoadState();
    let merged = 0;
    for (;;) {
      const row = console.locator("#pending-requests tbody tr").first();
      if ((await row.count()) === 0) break;
      const name = ((await row.locator("td").first().textContent()) ?? "").trim();
      // Whose is it? MS365 Identifiers, by name; Create Peig Account first if they have none.
      await lookupTab.bringToFront();
      await lookupTab.goto(consoleUrl(microsoft365Accounts, `?q=${encodeURIComponent(name)}`));
      const account = lookupTab.locator("tbody tr").filter({ has: lookupTab.getByRole("cell", { name, exact: true }) });
      expect(await account.count()).toBe(1);
      const create = account.getByRole("button", { name: /^Create Peig Account for / });
      if ((await create.count()) > 0) expect(await press(lookupTab, create)).toBe(201);
      const target = ((await account.locator("td").nth(3).textContent()) ?? "").trim();
      expect(target).toMatch(/^peig-\d+$/);
      await console.bringToFront();
      if (merged === 0) await screenshot(console, "console-users-and-access-mismatched.png");
      await row.getByLabel("Merge into").fill(target);
      expect(await press(console, row.getByRole("button", { name: /^Merge the request of / }))).toBe(200);
      await expect(console.getByRole("status").textContent()).resolves.toContain(`into Peig account`);
      merged++;
    }
    await screenshot(console, "console-users-and-access-merged.png");
    return merged;
  }

  async function checkAndConfirm(task: Page): Promise<number> {
    const merged = await mergeMismatched(task);
    // What the form asks for, as the console shows it.
    await consoleTab.bringToFront();
    await consoleTab.goto(consoleUrl(usersAndAccess));
    const shown = consoleFigures(await consoleTab.content());
    await consoleTab.goto(consoleUrl(microsoft365Accounts));
    const linked = consoleFigures(await consoleTab.content()).linked;
    await screenshot(consoleTab, "console-microsoft-365-accounts-linked.png");
    await decide(task, "done", {
      pendingRequests: shown.pendingRequests ?? "",
      notOnboarded: shown.notOnboarded ?? "",
      linkedAccounts: linked ?? "",
    });
    return merged;
  }

  async function deleteConfiguration(task: Page): Promise<void> {
    const console = await followConsoleLink(task, migration);
    // The box first: deleting cannot be undone.
    await console.getByLabel("Every user is onboarded and correctly linked").check();
    expect(await press(console, console.getByRole("button", { name: "Delete" }))).toBe(200);
    await expect(console.getByRole("status").textContent()).resolves.toContain("was deleted");
    await screenshot(console, "console-migration-deleted.png");
    await decide(task, "done", { configurationsShown: 0 });
  }

  it("completes a whole migration with every Peig step done in the console", async () => {
    const id = await s.start();
    const opened = new Set<string>();
    const did: string[] = [];
    let merged = 0;
    for (let step = 0; step < 500; step++) {
      if (isFinalPhase(await s.phase(id))) break;
      for (const mail of s.stack.graph.outbox) {
        for (const [, raw] of mail.html.matchAll(/href="([^"]*\/api\/tasks\/[^"]+)"/g)) {
          const link = raw.replace(/&amp;/g, "&");
          if (opened.has(link)) continue;
          opened.add(link);
          await taskTab.bringToFront();
          // Not 200: replaced by a newer e-mail, or decided already.
          if ((await taskTab.goto(s.taskUrl(link)))?.status() !== 200) continue;
          const kind = taskKindOf(await taskTab.content());
          did.push(kind);
          if (kind === "peigConfiguration") await saveConfiguration(taskTab);
          else if (kind === "peigAccounts") await createAccounts(taskTab);
          else if (kind === "peigChecklist") merged += await checkAndConfirm(taskTab);
          else if (kind === "peigDeletion") await deleteConfiguration(taskTab);
          else if (kind === "approval") await decide(taskTab, "approve");
          else throw new Error(`a task the Peig admin does not know: ${await taskTab.locator("h1").textContent()}`);
        }
      }
      await s.host.idle();
      const next = s.host.engine.nextTimer();
      if (!next) break;
      await s.host.advanceTo(next.fireAt);
    }

    expect(await s.phase(id)).toBe("completed");
    expect(did).toEqual(
      expect.arrayContaining(["peigConfiguration", "peigAccounts", "peigChecklist", "approval", "peigDeletion"]),
    );
    expect(merged).toBeGreaterThan(0);
    const peig = s.stack.peig.state.summary();
    expect(peig).toMatchObject({ configuration: null, pendingRequests: 0 });
    expect(peig.migrationClosedAt).not.toBeNull();
    expect(peig.linkedMicrosoft365Accounts).toBe(peig.microsoft365Accounts);
    // The console's actions are the Peig admin's clicks, not API calls: operator mode never calls the Peig API.
    expect(s.stack.peig.requestLog).toEqual([]);
    expect([...shots].sort()).toEqual(
      expect.arrayContaining([
        "console-saml-idp-info.png",
        "console-migration-invalid.png",
        "console-migration-saved.png",
        "console-users-and-access.png",
        "console-microsoft-365-accounts.png",
        "console-migration-deleted.png",
      ]),
    );
  }, 240_000);
});
