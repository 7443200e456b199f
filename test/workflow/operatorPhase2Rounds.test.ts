/**
 * Operator mode, Phase 2 not done: the Peig admin's task to create the missing Peig accounts expires, or is confirmed
 * while accounts are still missing. Nothing is counted done that was not, and nothing waits silently: each round that
 * ends without the accounts opens a new one (new task, new link, the admins told), and after three in a row the
 * migration needs attention, saying what to do, until an admin resumes it. Task links live 7 days (TASK_LINK_TTL).
 */
import { unescapeHtml } from "../../local/demo/autoApprove";
import type { MigrationFigures } from "../../shared/domain/figures";
import { DAY, mailsWithSubject, openGate as isOpen, peigAdminFollows, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const ADMIN = "it@contoso.com";
const latestAdminLink = () => s.taskLinks(ADMIN).at(-1)!;
/** Text as a person reads it on a page: tags and entities gone. */
const textOf = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));

/** The open tasks' gates ("peigAccounts-2"). */
const openGates = async (id: string) =>
  (await s.stack.store.listTasks(id, { status: "open" })).map((t) => t.gate).sort();

/**
 * An operator migration at its Phase 2 task: set up by the Peig admin, onboarding window over. `beforeStart` may change
 * the tenant first.
 */
async function atPhase2Task(beforeStart?: () => void): Promise<{ id: string; listed: string[] }> {
  s = await startScenario({ peigMode: "operator", tenant: { users: 30, seed: 11, missRate: 0.3, mismatchRate: 0 } });
  beforeStart?.();
  const id = await s.start();
  expect((await peigAdminFollows(s, latestAdminLink())).confirmed.status).toBe(200);
  await s.runUntil(() => isOpen(s, id, "peigAccounts"), 30 * DAY);
  const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned).map((u) => u.userPrincipalName);
  expect(listed.length).toBeGreaterThan(2);
  return { id, listed };
}

describe("the Peig admin's Phase 2 task in operator mode", () => {
  it("expired: the admins are told, a new task with a new link goes out, and its page says it is asked again", async () => {
    const { id, listed } = await atPhase2Task();
    const first = latestAdminLink();
    // One listed user makes their own Peig account and signs in during round 1.
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    const early = s.stack.tenant.users.find((u) => u.userPrincipalName === listed[0])!;
    s.stack.graph.recordSignIn(early.id, appId);
    await s.runUntil(async () => (await openGates(id)).includes("peigAccounts-2"), 8 * DAY);

    expect(await s.phase(id)).toBe("phase2");
    expect(await openGates(id)).toEqual(["peigAccounts-2"]);
    const notices = mailsWithSubject(s.stack, /the Peig admin's task to create the missing accounts expired/);
    expect(notices).toHaveLength(1);
    expect(textOf(notices[0].html)).toContain("Round: 1");
    // The first link is dead and says why; the new one is another link.
    const dead = await s.openTask(first);
    expect(dead.status).toBe(410);
    expect(textOf(dead.html)).toContain("This link has expired");
    expect(textOf(dead.html)).toContain("Send me a fresh link");
    const second = latestAdminLink();
    expect(second).not.toBe(first);
    // The new task's e-mail says it is asked again, and why.
    const taskMails = mailsWithSubject(s.stack, /asked again \(round 2\)$/);
    expect(taskMails).toHaveLength(1);
    expect(textOf(taskMails[0].html)).toContain("round 1 expired before anyone confirmed it");
    const page = await s.openTask(second);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toMatch(/^.*Create \d+ Peig accounts? for users who did not onboard, asked again \(round 2\)/);
    expect(text).toContain("round 2: asked again");
    expect(text).toContain("This task is asked again: round 1 expired before anyone confirmed it");
    // Read fresh when the round opened: the one who signed in is not among those still without an account.
    const section = page.html.slice(page.html.indexOf('id="still-missing"'), page.html.indexOf("<h2>Accounts ("));
    expect(section).toContain(`Still without a Peig account (${listed.length - 1})`);
    expect(section).toContain(listed[1]);
    expect(section).not.toContain(listed[0]);
    // The status page says whom it waits on, with the round.
    const statusPage = textOf(await (await s.asAdmin(`migrations/${id}/page`)).text());
    expect(statusPage).toContain("the Peig admin to create the missing Peig accounts, asked again (round 2)");

    // Round 2 done: the migration goes on to the checklist confirmation.
    expect((await peigAdminFollows(s, second)).confirmed.status).toBe(200);
    await s.runUntil(() => isOpen(s, id, "peigChecklist"), 5 * DAY);
    expect(await s.phase(id)).toBe("verification");
  });

  it("three rounds expired: needs attention naming what to do, asks nothing more by itself, and a resume sends round 4", async () => {
    const { id } = await atPhase2Task();
    await s.runUntil(async () => !!((await s.status(id)).needsAttention as unknown), 30 * DAY);

    expect(await openGates(id)).toEqual([]);
    const status = await s.status(id);
    expect(status.phase).toBe("phase2");
    expect(status.needsAttention).toMatchObject({ step: "peigAccounts", service: "people", nextAttemptAt: null });
    const page = textOf(await (await s.asAdmin(`migrations/${id}/page`)).text());
    expect(page).toContain(
      "The Peig admin's task to create the missing Peig accounts (Phase 2) waits for a person since",
    );
    expect(page).toContain("ended without them 3 rounds in a row: round 3 expired unanswered");
    expect(page).toContain("Then press Resume: a new task with a new link goes out");
    expect(page).toContain("It no longer tries by itself");
    // The audit trail in words.
    expect(page).toContain(
      "Told the admins that round 1 of the Peig admin's task to create the missing accounts expired unanswered, and asked the Peig admin again.",
    );
    expect(page).toContain("The Peig admin's task to create the missing Peig accounts (Phase 2) waits for a person: ");
    const mails = mailsWithSubject(s.stack, /needs attention: a task was not done/);
    expect(mails).toHaveLength(1);
    expect(textOf(mails[0].html)).toContain("Likely fix: Make sure a Peig admin does it");
    expect(textOf(mails[0].html)).not.toContain("HTTP status");
    expect(textOf(mails[0].html)).toContain("Waiting since: ");

    // A week on, nobody was asked again.
    const links = s.taskLinks(ADMIN).length;
    await s.host.advanceBy(7 * DAY);
    expect(s.taskLinks(ADMIN)).toHaveLength(links);

    expect((await s.api(`migrations/${id}/resume`, { method: "POST" })).status).toBe(202);
    await s.host.idle();
    expect(await openGates(id)).toEqual(["peigAccounts-4"]);
    expect((await s.status(id)).needsAttention).toBeNull();
    const round4 = await s.openTask(latestAdminLink());
    expect(textOf(round4.html)).toContain("asked again (round 4)");
    expect(textOf(round4.html)).toContain("round 3 expired before anyone confirmed it");
  });

  it("confirmed with failures: the verification asks again, its page names who still has no account, and goes on once they have one", async () => {
    const { id, listed } = await atPhase2Task();
    // The Peig admin makes all but two of the accounts, and says so.
    const peig = s.stack.peig.state;
    const users = listed.map((upn) => s.stack.tenant.users.find((u) => u.userPrincipalName === upn)!);
    const [left1, left2] = users.slice(-2);
    for (const u of users.slice(0, -2)) peig.createPeigAccount(u.id);
    // One of them signs in with the new account: the app sees that one has an account.
    const appId = ((await s.status(id)).app as { appId: string }).appId;
    s.stack.graph.recordSignIn(users[0].id, appId);
    const first = await s.openTask(latestAdminLink());
    const answer = await s.postTask(
      latestAdminLink(),
      { created: String(listed.length - 2), alreadyLinked: "0", failed: "2", csrf: first.csrf, decision: "done" },
      { cookie: first.cookie },
    );
    expect(answer.status).toBe(200);
    await s.runUntil(async () => (await openGates(id)).includes("peigAccounts-2"), DAY);

    expect(await s.phase(id)).toBe("verification");
    const phase2Item = ((await s.status(id)).checklist as { id: string; met: boolean; evidence: string[] }[]).find(
      (i) => i.id === "phase2Completed",
    )!;
    expect(phase2Item.met).toBe(false);
    expect(phase2Item.evidence.join("\n")).toContain("in-scope users still have no Peig account");
    expect(phase2Item.evidence.join("\n")).toContain(left1.userPrincipalName);
    const told = mailsWithSubject(s.stack, /Phase 2 accounts still missing: the Peig admin is asked again/);
    expect(told).toHaveLength(1);
    const again = await s.openTask(latestAdminLink());
    const text = textOf(again.html);
    expect(text).toContain("round 1 was confirmed with 2 Create Peig Account failures");
    const section = again.html.slice(again.html.indexOf('id="still-missing"'), again.html.indexOf("<h2>Accounts ("));
    expect(section).toContain(`Still without a Peig account (${listed.length - 1})`);
    // The same number as the figures' "not onboarded (no sign-in to the migration app, no Phase 2 account)".
    const figures = (await s.status(id)).figures as MigrationFigures;
    expect(figures.notOnboarded.value).toBe(listed.length - 1);
    expect(section).toContain(left1.userPrincipalName);
    expect(section).toContain(left2.userPrincipalName);
    expect(section).not.toContain(users[0].userPrincipalName);

    // Round 2: the Peig admin makes the two, counts the rest already linked; the checklist confirmation comes next.
    const done = await peigAdminFollows(s, latestAdminLink());
    expect(done.confirmed.status).toBe(200);
    await s.runUntil(() => isOpen(s, id, "peigChecklist"), DAY);
    expect(peig.microsoft365Account(left2.id).linkStatus).toBe("linked");
    const item = ((await s.status(id)).checklist as { id: string; met: boolean }[]).find(
      (i) => i.id === "phase2Completed",
    )!;
    expect(item.met).toBe(true);
  });

  it("confirmed in full, with someone in scope since who was never listed: asked again listing them until their account is confirmed", async () => {
    // Disabled at the start (out of scope), never signs in; enabled once Phase 2 has listed its users.
    let late: (typeof s.stack.tenant.users)[number] | undefined;
    const { id, listed } = await atPhase2Task(() => {
      // A licensed member with a mailbox, as everyone in scope is; one who never onboards.
      late = s.stack.tenant.users.find(
        (u) =>
          u.accountEnabled &&
          u.userType === "Member" &&
          u.assignedLicenses.length > 0 &&
          !!u.mail &&
          u.behaviour.onboardsAt === null,
      )!;
      late.accountEnabled = false;
    });
    expect(listed).not.toContain(late!.userPrincipalName);
    late!.accountEnabled = true;
    expect((await peigAdminFollows(s, latestAdminLink())).confirmed.status).toBe(200);
    await s.runUntil(async () => (await openGates(id)).includes("peigAccounts-2"), DAY);

    const page = await s.openTask(latestAdminLink());
    const text = textOf(page.html);
    expect(text).toContain(
      `Create ${listed.length + 1} Peig accounts for users who did not onboard, asked again (round 2)`,
    );
    expect(text).toContain("round 1 was confirmed, but the checklist still finds users without a Peig account");
    // Only the newcomer is still without one: the others are covered by round 1's confirmation.
    const section = page.html.slice(page.html.indexOf('id="still-missing"'), page.html.indexOf("<h2>Accounts ("));
    expect(section).toContain("Still without a Peig account (1)");
    expect(section).toContain(late!.userPrincipalName);

    // Round 2 expires: round 1's confirmation does not cover the newcomer, so round 3 is asked, not the checklist.
    const asked = async () => (await openGates(id)).some((g) => g === "peigAccounts-3" || g === "peigChecklist-1");
    await s.runUntil(asked, 8 * DAY);
    expect(await openGates(id)).toEqual(["peigAccounts-3"]);
    expect((await peigAdminFollows(s, latestAdminLink())).confirmed.status).toBe(200);
    await s.runUntil(() => isOpen(s, id, "peigChecklist"), DAY);
    expect(s.stack.peig.state.microsoft365Account(late!.id).linkStatus).toBe("linked");
  });
});
