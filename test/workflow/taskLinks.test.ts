/**
 * Links that keep working (docs/design.md#human-tasks): a reminder adds a link to the same task instead of
 * revoking the earlier one, any of a person's links decides their task once, and a link that no longer works
 * says why and, when the same question is open for that person in a newer round, offers a fresh link.
 */
import { LOCAL_VIEWER } from "../../local/fixtures/staff";
import { hashToken, newCsrfToken } from "../../shared/tokens";
import { startScenario, startBody, type Scenario, DAY } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const CIO = "cio@contoso.com";
const CISO = "ciso@contoso.com";
const CFO = "cfo@contoso.com";

async function atApprovalGate(overrides: Record<string, unknown> = {}): Promise<string> {
  s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
  const id = await s.start(startBody(overrides));
  await s.runUntil(async () => (await s.phase(id)) === "approval");
  return id;
}

const text = (html: string) =>
  html
    .replace(/<style>[^<]*<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
const gateTasks = (id: string, round: number) => s.stack.store.listTasks(id, { gate: `deletionApproval-${round}` });

describe("an approver's links", () => {
  it("keep working after two reminder rounds: the first e-mail's link decides, once, and every other link then says the task is decided", async () => {
    const id = await atApprovalGate({ requiredApprovals: 2 });
    const first = s.taskLinks(CIO)[0];
    await s.host.advanceBy(DAY + 1);
    await s.host.advanceBy(DAY + 1);
    const links = s.taskLinks(CIO);
    expect(links).toHaveLength(3); // the request and two reminders, each with a link of its own
    expect(new Set(links).size).toBe(3);
    for (const link of links) expect((await s.openTask(link)).status).toBe(200);
    // One task per person, however many links: the quorum counts people.
    expect((await gateTasks(id, 1)).filter((t) => t.assignee === CIO)).toHaveLength(1);

    expect((await s.decide(first, "approve")).status).toBe(200);
    expect((await s.decide(first, "approve")).status).toBe(410);
    for (const other of links.slice(1)) {
      const page = await s.openTask(other);
      expect(page.status).toBe(410);
      expect(text(page.html)).toMatch(
        /Already answered .*cio@contoso\.com approved on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d/,
      );
      expect(page.html).not.toMatch(/Send me a fresh link/);
    }
    const decided = (await gateTasks(id, 1)).filter((t) => t.status === "decided");
    expect(decided.map((t) => t.assignee)).toEqual([CIO]);
    expect((await s.stack.store.listAudit(id)).filter((a) => a.action === "task.decided")).toHaveLength(1);
    expect(await s.phase(id)).toBe("approval"); // one person of the two required

    // A second person, on their newest link: the gate passes, and the third person's links say why they are moot.
    expect((await s.decide(s.taskLinks(CFO).at(-1)!, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
    const moot = await s.openTask(s.taskLinks(CISO)[0]);
    expect(moot.status).toBe(410);
    expect(text(moot.html)).toMatch(/No longer needed/);
    expect(text(moot.html)).toMatch(/decided without your answer: .*cio@contoso\.com approved on/);
    expect(text(moot.html)).toMatch(/decided without your answer: .*cfo@contoso\.com approved on/);
  });
});

describe("a dead link", () => {
  it("of a round that was rejected offers the newer round's fresh link, mails it only to the assignee, and at most once per 15 minutes", async () => {
    const id = await atApprovalGate();
    const [ciso1] = s.taskLinks(CISO);
    expect((await s.decide(s.taskLinks(CIO)[0], "reject", { reason: "not yet" })).status).toBe(200);
    const rejected = await s.openTask(ciso1);
    expect(rejected.status).toBe(410);
    expect(text(rejected.html)).toMatch(/cio@contoso\.com rejected on .* \(reason: not yet\)/);
    expect(rejected.html).not.toMatch(/Send me a fresh link/); // nothing is open for the person yet

    expect((await s.api(`migrations/${id}/approval`, { method: "POST" })).status).toBe(202);
    await s.host.idle();
    const mailed = s.taskLinks(CISO).length;
    const dead = await s.openTask(ciso1);
    expect(dead.status).toBe(410);
    expect(dead.html).toMatch(/Send me a fresh link/);

    // Someone else signed in gets the same answer, and nothing is mailed.
    const stranger = await s.postTask(
      `${ciso1}/link`,
      { csrf: dead.csrf },
      { cookie: dead.cookie, headers: await s.signedIn(LOCAL_VIEWER) },
    );
    expect(stranger.status).toBe(200);
    const neutral = text(await stranger.text());
    expect(neutral).toMatch(/If this link was sent to you/);
    expect(neutral).not.toMatch(/ciso@contoso\.com/);
    expect(s.taskLinks(CISO)).toHaveLength(mailed);

    // Without the page's CSRF token: refused.
    expect((await s.postTask(`${ciso1}/link`, { csrf: "x.y" }, { cookie: dead.cookie })).status).toBe(403);

    // The round's e-mail went out moments ago: a fresh link only once it is 15 minutes old.
    expect((await s.postTask(`${ciso1}/link`, { csrf: dead.csrf }, { cookie: dead.cookie })).status).toBe(200);
    expect(s.taskLinks(CISO)).toHaveLength(mailed);
    await s.host.advanceBy(15 * 60_000);
    const asked = await s.postTask(`${ciso1}/link`, { csrf: dead.csrf }, { cookie: dead.cookie });
    expect(asked.status).toBe(200);
    expect(text(await asked.text())).toBe(neutral);
    expect(s.taskLinks(CISO)).toHaveLength(mailed + 1);
    const fresh = s.taskLinks(CISO).at(-1)!;
    const subject = s.stack.graph.outbox.at(-1)!.subject;
    expect(subject).toMatch(/^Your new link: /);

    // Pressed again at once: the same answer, no second mail.
    expect((await s.postTask(`${ciso1}/link`, { csrf: dead.csrf }, { cookie: dead.cookie })).status).toBe(200);
    expect(s.taskLinks(CISO)).toHaveLength(mailed + 1);

    // The fresh link and the round's own link decide the same task, once.
    const round2 = s.taskLinks(CISO).at(-2)!;
    expect((await s.decide(fresh, "approve")).status).toBe(200);
    expect((await s.openTask(round2)).status).toBe(410);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");
  });

  it("of an expired task says until when it was open", async () => {
    s = await startScenario({
      tenant: { users: 20, missRate: 0, mismatchRate: 0 },
      stack: { settings: { TASK_LINK_TTL: "P2D" } },
    });
    const id = await s.start(startBody());
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    const [link] = s.taskLinks(CIO);
    const [task] = await gateTasks(id, 1);
    await s.host.advanceTo(new Date(Date.parse(task.expiresAt) + 60_000));
    const page = await s.openTask(link);
    expect(page.status).toBe(410);
    expect(text(page.html)).toMatch(/This link has expired .* was open until \w{3} \d{1,2} \w{3} \d{4}/);
    expect(page.html).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});

describe("a stored token hash", () => {
  // Whoever reads the tasks table sees only SHA-256 hashes of the links' tokens. A hash put where a token goes must
  // not open the task, decide it, or ask for a fresh link, although it has a token's characters, and it must not
  // make the CSRF token derivable (the CSRF MAC is keyed by the link's token).
  it("never works as a link: 404 for the page, a decision with a CSRF token made from it, and a fresh-link request", async () => {
    const id = await atApprovalGate({ requiredApprovals: 2 });
    await s.host.advanceBy(DAY + 1); // a reminder: the task now has two links, both stored as hashes
    const links = s.taskLinks(CIO);
    expect(links).toHaveLength(2);
    const [task] = (await gateTasks(id, 1)).filter((t) => t.assignee === CIO);
    const tokenOf = (link: string) => new URL(link).pathname.split("/").pop()!;
    const storedHashes = [task.tokenHash, hashToken(tokenOf(links[1]))];
    expect(storedHashes[0]).toBe(hashToken(tokenOf(links[0])));

    for (const hash of storedHashes) {
      const forged = links[0].replace(tokenOf(links[0]), hash);
      const page = await s.openTask(forged);
      expect(page.status).toBe(404);
      expect(text(page.html)).toContain("This link does not belong to any task");
      const csrf = newCsrfToken(hash);
      const cookie = `peig_task_csrf_${hash.slice(0, 16)}=${csrf}`;
      const decided = await s.postTask(forged, { csrf, decision: "approve" }, { cookie });
      expect(decided.status).toBe(404);
      const fresh = await s.postTask(`${forged}/link`, { csrf }, { cookie });
      expect(fresh.status).toBe(404);
    }
    expect((await gateTasks(id, 1)).filter((t) => t.status === "decided")).toEqual([]);
    expect(s.taskLinks(CIO)).toHaveLength(2);
    // The real links still open the task.
    for (const link of links) expect((await s.openTask(link)).status).toBe(200);
  });
});
