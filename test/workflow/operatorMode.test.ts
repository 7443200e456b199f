/**
 * Operator mode (docs/design.md#peig-modes): no Peig API. Every Peig write is a human task for the Peig admin, who
 * does it in Peig and confirms with what Peig shows, which the app checks; onboarding progress comes from sign-ins to the
 * migration app in Entra.
 */
import {
  startScenario,
  durableSecretsIn,
  mailsWithSubject,
  peigAdminFollows,
  peigChecklistFigures,
  type Scenario,
  DAY,
  openGate as isOpen,
} from "./harness";

/** Each test starts its own scenario; it is stopped once, after the test. */
let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const ADMIN = "it@contoso.com";

const openGate = (id: string, purpose: string) => isOpen(s, id, purpose);
const latestAdminLink = () => s.taskLinks(ADMIN).at(-1)!;

describe("a migration in operator mode", () => {
  it("runs start to finish with the Peig admin following the task e-mails, and progress read from Entra sign-ins", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 50, missRate: 0.2, mismatchRate: 0 } });
    const id = await s.start();

    // Setup: the Entra app exists; Peig is configured by the Peig admin from the task page's values.
    expect(await s.phase(id)).toBe("setup");
    expect(await openGate(id, "peigConfiguration")).toBe(true);
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const setup = await peigAdminFollows(s, latestAdminLink());
    expect(setup.title).toBe("Set the migration configuration in Peig");
    expect(setup.confirmed.status).toBe(200);
    expect(s.stack.peig.state.getConfiguration().applicationId).toBe(appId);
    await s.host.idle();
    expect(await s.phase(id)).toBe("onboarding");

    // Phase 2: the Peig admin creates the accounts of those who missed the window.
    await s.runUntil(() => openGate(id, "peigAccounts"));
    const counts = (await s.status(id)).counts as { inScope: number; onboarded: number; notOnboarded: number };
    const signedIn = new Set(
      s.stack.graph.state.signIns.filter((x) => x.appId === appId && x.status.errorCode === 0).map((x) => x.userId),
    );
    expect(counts.onboarded).toBe(signedIn.size);
    expect(counts.onboarded).toBeGreaterThan(0);
    expect(counts.notOnboarded).toBeGreaterThan(0);
    const missed = (await s.stack.store.getUsers(id))
      .filter((u) => u.phase2.planned)
      .map((u) => u.userId)
      .sort();
    expect(missed).toHaveLength(counts.notOnboarded);
    expect(missed.length).toBeGreaterThan(1);
    const accounts = await peigAdminFollows(s, latestAdminLink());
    expect(accounts.title).toBe(`Create ${missed.length} Peig accounts for users who did not onboard`);
    expect(accounts.confirmed.status).toBe(200);
    const linked = s.stack.peig.state
      .microsoft365Accounts()
      .filter((a) => a.linkStatus === "linked")
      .map((a) => a.id);
    expect(linked).toEqual(expect.arrayContaining(missed));

    // The app cannot see Peig: the Peig admin confirms there that everyone is onboarded and linked.
    await s.runUntil(() => openGate(id, "peigChecklist"), 5 * DAY);
    expect(await s.phase(id)).toBe("verification");
    const checked = await peigAdminFollows(s, latestAdminLink());
    expect(checked.title).toBe("Confirm that every user is onboarded and linked");
    expect(checked.confirmed.status).toBe(200);

    // Approval, then the Peig admin deletes the configuration; the app deletes the Entra app.
    await s.runUntil(async () => (await s.phase(id)) === "approval", 5 * DAY);
    expect((await s.decide(s.taskLinks("cio@contoso.com")[0], "approve")).status).toBe(200);
    expect(await openGate(id, "peigDeletion")).toBe(true);
    expect(s.stack.peig.state.getConfiguration().applicationId).toBe(appId); // nothing deleted before the Peig admin confirms
    const deletion = await peigAdminFollows(s, latestAdminLink());
    expect(deletion.title).toBe("Delete the migration configuration in Peig");
    expect(deletion.confirmed.status).toBe(200);
    await s.runToEnd(id);

    expect(await s.phase(id)).toBe("completed");
    const status = await s.status(id);
    expect((status.checklist as { id: string; met: boolean }[]).map((i) => [i.id, i.met])).toEqual([
      ["allOnboarded", true],
      ["accountsLinked", true],
      ["phase2Completed", true],
      ["configurationDeleted", true],
    ]);
    expect(s.stack.peig.state.summary().migrationClosedAt).not.toBeNull();
    expect((status.audit as { action: string }[]).map((a) => a.action)).toContain("entraApp.deleted");
    const report = JSON.parse(await (await s.api(`migrations/${id}/report?format=json`)).text()) as {
      deleted: { what: string }[];
    };
    expect(report.deleted.map((d) => d.what)).toEqual([
      "Peig migration configuration",
      "Entra app PeigMigrationManager",
    ]);
    // Operator mode calls no Peig API: everything in Peig was the Peig admin's doing.
    expect(s.stack.peig.requestLog).toEqual([]);
    expect(durableSecretsIn(s.stack.graph.outbox)).toEqual([]);
  });

  it("counts a user whose only sign-ins are non-interactive (single sign-on) as onboarded: no reminder after it, no Phase 2 account", async () => {
    // Every other user signs in to the migration app from an Entra-joined PC: Entra logs that as non-interactive.
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 40, missRate: 0.2, mismatchRate: 0 },
      stack: { nonInteractiveSignIn: (u) => parseInt(u.id.slice(-1), 16) % 2 === 0 },
    });
    const id = await s.start();
    await peigAdminFollows(s, latestAdminLink());
    await s.host.idle();
    await s.runUntil(() => openGate(id, "peigAccounts"));

    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const signIns = s.stack.graph.state.signIns.filter((x) => x.appId === appId && x.status.errorCode === 0);
    const interactive = new Set(signIns.filter((x) => x.isInteractive).map((x) => x.userId));
    const onlyNonInteractive = signIns.filter((x) => !x.isInteractive && !interactive.has(x.userId));
    expect(onlyNonInteractive.length).toBeGreaterThan(0);

    const rows = new Map((await s.stack.store.getUsers(id)).map((u) => [u.userId, u]));
    const reminders = mailsWithSubject(s.stack, /^Reminder: /);
    expect(reminders.length).toBeGreaterThan(0);
    for (const signIn of onlyNonInteractive) {
      const row = rows.get(signIn.userId);
      expect(row?.state).toBe("onboarded");
      expect(row?.phase2.planned).toBeFalsy();
      const mail = s.stack.tenant.users.find((u) => u.id === signIn.userId)?.mail?.toLowerCase();
      const remindedAfter = reminders.filter(
        (m) =>
          Date.parse(m.sentAt) > Date.parse(signIn.createdDateTime) &&
          m.bcc.map((a) => a.toLowerCase()).includes(mail ?? ""),
      );
      expect(remindedAfter).toEqual([]);
    }
  });
});

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
