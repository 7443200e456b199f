/**
 * The merge loop (api mode): users who typed another e-mail into Peig leave pending requests the app can match;
 * a monitor pass that finds new ones opens one task for the Peig admin, whose confirmation makes the app Merge
 * them through the Peig API; declining tells the admins and asks again only when new requests appear.
 */
import { auditOf, mailsWithSubject, startBody, startScenario, DAY, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const ADMIN = "it@contoso.com";
const CIO = "cio@contoso.com";
const FINISHED = ["completed", "failed", "cancelled"];
/** Everyone onboards early except those who type another e-mail (some of them a pure typo nobody matches). */
const TENANT = { users: 60, seed: 7, missRate: 0, mismatchRate: 0.1 };

const mergeGates = async (id: string) => [
  ...new Set((await s.stack.store.listTasks(id)).map((t) => t.gate).filter((g) => g?.startsWith("peigMerges-"))),
];
const mergeLinks = () =>
  s
    .taskLinks(ADMIN)
    .filter((link) =>
      mailsWithSubject(s.stack, /Merge \d+ pending request/).some((m) => m.html.includes(link.replace(/&/g, "&amp;"))),
    );
/** In-scope members who type another e-mail into Peig. */
const mismatchedUsers = () =>
  s.stack.tenant.users.filter(
    (u) =>
      u.behaviour.typedEmail &&
      u.accountEnabled &&
      u.userType === "Member" &&
      u.userPrincipalName.endsWith("@contoso.com"),
  );
/** A typed e-mail that is nobody's address in the tenant (a pure typo: no Merge target). */
const isTypo = (email: string) =>
  !s.stack.tenant.users.some((u) =>
    [u.mail, u.userPrincipalName, ...u.otherMails, ...u.proxyAddresses.map((p) => p.slice(5))].some(
      (a) => a?.toLowerCase() === email.toLowerCase(),
    ),
  );

async function atMergeTask(
  overrides: Record<string, unknown> = {},
  tenant: Partial<typeof TENANT> = {},
): Promise<string> {
  s = await startScenario({ tenant: { ...TENANT, ...tenant } });
  const id = await s.start(startBody(overrides));
  await s.runUntil(async () => (await mergeGates(id)).length > 0, 20 * DAY);
  return id;
}

describe("the Peig admin's merge task", () => {
  it("lists each mistyped request, and confirming merges them through the Peig API so the migration completes", async () => {
    const id = await atMergeTask();
    expect(await s.phase(id)).toBe("onboarding");
    const [link] = mergeLinks();
    expect(link).toBeDefined();
    const page = await s.openTask(link);
    expect(page.status).toBe(200);
    const mergeable = (await s.stack.store.listTasks(id, { gate: "peigMerges-1" }))[0].payload as {
      merges: { merges: { typedEmail: string; userPrincipalName: string; reason: string }[]; manual: unknown[] };
    };
    // The tenant has one person who typed another of their addresses: the task speaks of one request.
    expect(mergeable.merges.merges).toHaveLength(1);
    expect(mergeable.merges.manual).toHaveLength(0);
    for (const m of mergeable.merges.merges) {
      expect(page.html).toContain(m.typedEmail);
      expect(page.html).toContain(m.userPrincipalName);
    }
    expect(page.html).toContain("Why it matches");
    expect(page.html).toContain("Merge this request");

    // Who, what, and when the task went out: in the status JSON and at the top of the status page.
    const status = await s.status(id);
    expect(status.waitingOn).toEqual([
      expect.objectContaining({
        who: [ADMIN],
        what: expect.stringContaining("the merge task: 1 pending request typed with another e-mail"),
      }),
    ]);
    const statusPage = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(statusPage).toMatch(
      /<strong>Waiting for:<\/strong> the Peig admin to review the merge task: 1 pending request typed/,
    );
    expect(statusPage).toContain(`task sent to ${ADMIN}`);
    expect(JSON.stringify(status.waitingOn)).not.toContain("/api/tasks/");

    expect((await s.postTask(link, { csrf: page.csrf, decision: "done" }, { cookie: page.cookie })).status).toBe(200);
    const merged = async () => (await auditOf(s, id, "peig.request.merged")).map((a) => a.details.typedEmail);
    expect((await merged()).sort()).toEqual(mergeable.merges.merges.map((m) => m.typedEmail).sort());
    expect(
      s.stack.peig.requestLog.filter((r) => r.operationId === "mergeOnboardingRequest").length,
    ).toBeGreaterThanOrEqual(mergeable.merges.merges.length);
    expect(
      s.stack.peig.state.pendingRequests().filter((r) => mergeable.merges.merges.some((m) => m.typedEmail === r.email)),
    ).toEqual([]);

    // Those who mistype later get a round of their own, one at a time; then the approvers approve.
    const confirmed = new Set([link]);
    await s.runUntil(async () => {
      for (const next of mergeLinks().filter((l) => !confirmed.has(l))) {
        confirmed.add(next);
        expect((await s.decide(next, "done")).status).toBe(200);
      }
      return (await s.phase(id)) === "approval";
    }, 20 * DAY);
    expect(confirmed.size).toBe((await mergeGates(id)).length);
    expect((await merged()).sort()).toEqual(
      mismatchedUsers()
        .map((u) => u.behaviour.typedEmail)
        .filter((e) => !isTypo(e!))
        .sort(),
    );
    expect((await s.decide(s.taskLinks(CIO).at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(async () => FINISHED.includes(await s.phase(id)), 5 * DAY);
    expect(await s.phase(id)).toBe("completed");
  });

  it("a declined round tells the admins and is not asked again until a new mistyped request appears", async () => {
    // Some never onboard: one of them signs in later and types an alias of theirs.
    const id = await atMergeTask({}, { missRate: 0.2 });
    // Declined once every mistyped request is in (earlier arrivals would rightly get a round of their own).
    const allIn = () =>
      mismatchedUsers().every((u) =>
        s.stack.peig.state.pendingRequests().some((r) => r.email === u.behaviour.typedEmail),
      );
    const declined = new Set<string>();
    await s.runUntil(async () => {
      for (const next of mergeLinks().filter((l) => !declined.has(l))) {
        declined.add(next);
        expect((await s.decide(next, "reject", { reason: "checking with HR first" })).status).toBe(200);
      }
      return (
        allIn() &&
        declined.size === (await mergeGates(id)).length &&
        (await s.stack.store.listTasks(id, { status: "open" })).every((t) => !t.gate?.startsWith("peigMerges-"))
      );
    }, 20 * DAY);
    const rounds = declined.size;
    expect((await auditOf(s, id, "admins.notified.merges.rejected")).length).toBe(rounds);
    expect(mailsWithSubject(s.stack, /declined the merges/).length).toBe(rounds);
    // Several monitor passes later, the same requests are still pending: no new task, no new e-mail.
    await s.host.advanceBy(2 * DAY);
    await s.host.idle();
    expect(await mergeGates(id)).toHaveLength(rounds);
    expect(mergeLinks()).toHaveLength(rounds);

    // A new mistyped request: someone who had not onboarded adds a personal address in Entra (otherMails) and types it.
    const late = s.stack.tenant.users.find(
      (u) =>
        u.behaviour.onboardsAt === null &&
        !u.behaviour.typedEmail &&
        u.accountEnabled &&
        u.userType === "Member" &&
        u.userPrincipalName.endsWith("@contoso.com"),
    )!;
    const alias = `late.${late.id.slice(0, 8)}@example.net`;
    late.otherMails.push(alias);
    late.behaviour.typedEmail = alias;
    expect(s.stack.peig.state.onboardNow(late.id)).toBe("pendingRequest");
    await s.runUntil(async () => (await mergeGates(id)).length > rounds, 2 * DAY);
    const round2 = (await s.stack.store.listTasks(id, { gate: `peigMerges-${rounds + 1}` }))[0].payload as {
      merges: { merges: { typedEmail: string }[] };
    };
    expect(round2.merges.merges.map((m) => m.typedEmail)).toContain(alias);
    // All requests still pending are listed again, the declined ones included.
    expect(round2.merges.merges.length).toBeGreaterThan(1);
  });

  it("shows the task e-mail and the task page in the migration's time zone", async () => {
    const id = await atMergeTask({ timeZone: "Europe/Prague" });
    const mail = mailsWithSubject(s.stack, /Merge \d+ pending request/)[0];
    expect(mail.html).toMatch(/works until \w{3} \d{1,2} \w{3} 2026, \d{2}:\d{2} CET/);
    const page = await s.openTask(mergeLinks()[0]);
    expect(page.html).toMatch(
      /this link works until <time datetime="[^"]+Z"[^>]*>\w{3} \d{1,2} \w{3} 2026, \d{2}:\d{2} CET<\/time>/,
    );
    expect(page.html).not.toMatch(/works until 2026-/);
    expect(id).toBeDefined();
  });
});
