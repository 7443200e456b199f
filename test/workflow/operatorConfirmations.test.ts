/**
 * Operator mode: the Peig admin's confirmations are checked, not trusted. Each asks for what Peig shows; a figure
 * that contradicts what the app knows is refused with the difference named (a 4xx, the task still open, nothing
 * recorded), and the checklist stays red until a confirmation that holds arrives.
 */
import { peigAdminFollows, peigChecklistFigures, startScenario, DAY, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const ADMIN = "it@contoso.com";
const openGate = async (id: string, purpose: string) =>
  (await s.stack.store.listTasks(id, { status: "open" })).some((t) => t.gate?.startsWith(`${purpose}-`));
const latestAdminLink = () => s.taskLinks(ADMIN).at(-1)!;

/** Posts "done" with these figures from the task's own page (its CSRF token and cookie), as the person would. */
async function confirmWith(link: string, figures: Record<string, string>) {
  const page = await s.openTask(link);
  expect(page.status).toBe(200);
  const answer = await s.postTask(link, { ...figures, csrf: page.csrf, decision: "done" }, { cookie: page.cookie });
  return { status: answer.status, html: await answer.text() };
}

const linkingItem = async (id: string) =>
  ((await s.status(id)).checklist as { id: string; met: boolean; evidence: string[] }[]).find(
    (i) => i.id === "accountsLinked",
  )!;

describe("the Peig admin's confirmations in operator mode", () => {
  it("refuse figures that contradict the app, naming the difference, and keep the checklist red until they hold", async () => {
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 30, seed: 11, missRate: 0.2, mismatchRate: 0.2 },
    });
    const id = await s.start();

    // Setup: an Application ID other than the app's is refused, the right one accepted.
    const setupLink = latestAdminLink();
    const wrongApp = await confirmWith(setupLink, { applicationId: "00000000-0000-0000-0000-000000000000" });
    expect(wrongApp.status).toBe(422);
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    expect(wrongApp.html).toContain(
      `Peig shows Application ID 00000000-0000-0000-0000-000000000000, but this migration&#39;s app PeigMigrationManager is ${appId}`,
    );
    expect(await openGate(id, "peigConfiguration")).toBe(true);
    expect((await peigAdminFollows(s, setupLink)).confirmed.status).toBe(200);

    // Phase 2: figures that do not add up to the users listed are refused.
    await s.runUntil(() => openGate(id, "peigAccounts"), 30 * DAY);
    const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned).length;
    const accountsLink = latestAdminLink();
    const short = await confirmWith(accountsLink, { created: String(listed - 1), alreadyLinked: "0", failed: "0" });
    expect(short.status).toBe(422);
    expect(short.html).toContain(
      `${listed - 1} created + 0 already linked + 0 failed = ${listed - 1}, but the task listed ${listed} users`,
    );
    expect(await openGate(id, "peigAccounts")).toBe(true);
    expect((await peigAdminFollows(s, accountsLink)).confirmed.status).toBe(200);

    // The checklist: people who typed another e-mail left requests pending in Users & Access.
    await s.runUntil(() => openGate(id, "peigChecklist"), 5 * DAY);
    const peig = s.stack.peig.state;
    const pending = peig.pendingRequests();
    expect(pending.length).toBeGreaterThan(0);
    const checklistLink = latestAdminLink();
    const asRead = peigChecklistFigures(s);
    const refused = await confirmWith(checklistLink, asRead);
    expect(refused.status).toBe(422);
    expect(refused.html).toContain(
      `Users &amp; Access shows ${pending.length} pending requests, and the checklist needs none`,
    );
    expect(refused.html).toContain("Nothing was recorded");
    // Nothing consumed: the task is still open, nothing recorded, the linking item not met.
    await s.host.idle();
    expect(await openGate(id, "peigChecklist")).toBe(true);
    expect((await s.stack.store.getMigration(id))!.runtime.operatorReports?.checklist).toBeUndefined();
    expect(await linkingItem(id)).toMatchObject({ met: false });
    expect(await s.phase(id)).toBe("verification");

    // Too few linked accounts is refused too, with the number missing.
    const inScope = ((await s.status(id)).figures as { inScope: { value: number } }).inScope.value;
    const fewLinked = await confirmWith(checklistLink, { ...asRead, pendingRequests: "0", linkedAccounts: "1" });
    expect(fewLinked.status).toBe(422);
    expect(fewLinked.html).toContain(
      `MS365 Identifiers shows 1 linked accounts, but ${inScope} users are in scope: at least ${inScope - 1} of them are not linked`,
    );

    // The Peig admin merges each request into its user's account (creating it first), then confirms what Peig shows.
    for (const request of pending) {
      const user = s.stack.tenant.users.find(
        (u) => u.behaviour.typedEmail?.toLowerCase() === request.email.toLowerCase(),
      )!;
      const account = peig.microsoft365Account(user.id);
      const target = account.peigAccountId ?? peig.createPeigAccount(user.id).id;
      peig.merge(request.id, target);
    }
    const accepted = await confirmWith(checklistLink, peigChecklistFigures(s));
    expect(accepted.status).toBe(200);
    await s.runUntil(() => openGate(id, "deletionApproval"), DAY);
    const item = await linkingItem(id);
    expect(item.met).toBe(true);
    expect(item.evidence.join("\n")).toContain(
      `The Peig admin ${ADMIN} reported: Users & Access showed 0 pending requests`,
    );
  });
});
