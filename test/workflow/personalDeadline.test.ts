/**
 * One person's own, later deadline: an admin extends it from the status page (its button, with the page's CSRF
 * token, the date and time in the migration's zone) and again through the JSON API. Bad input is a 400 naming the
 * field; their reminders count down to their deadline and nobody else's do; the onboarding window stays open until
 * then, so Phase 2 does not take them earlier; the extensions are audited in words, counted by the one figure and
 * listed on the status page and in the report.
 */
import { inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import { DAY } from "../../shared/domain/duration";
import {
  auditOf,
  peigAdminFollows,
  playEveryone,
  startBody,
  startScenario,
  statusPageForm,
  type Scenario,
  mailsTo as mailsToOf,
} from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

const pageForm = (id: string, command: string) => statusPageForm(s, id, command);

const mailsTo = (user: TenantUser) => mailsToOf(s, user);

const DEADLINE = "2026-12-15T09:00:00.000Z";
const THEIRS = "2026-12-22T09:00:00.000Z";
const LATER = "2026-12-24T15:30:00.000Z";

describe("one person's later deadline", () => {
  it("is set from the status page and the API, reminds only them towards it, and holds the window open", async () => {
    s = await startScenario({ tenant: { users: 30, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start(startBody({ timeZone: "Europe/Amsterdam" }));
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    const never = inScopeUsers(s.stack.tenant).filter((u) => u.behaviour.onboardsAt === null && u.mail);
    const [late, other] = never;
    expect(other).toBeDefined();

    // Bad input names the field; a date that is not later than theirs is refused on `deadline`.
    const fieldsOf = async (r: Response) =>
      ((await r.json()) as { errors: { field: string; message: string }[] }).errors;
    const url = `migrations/${id}/people/deadline`;
    const noDate = await post(url, { user: late.mail });
    expect([noDate.status, (await fieldsOf(noDate)).map((e) => e.field)]).toEqual([400, ["deadline"]]);
    const earlier = await post(url, { user: late.mail, deadline: "2026-12-14T09:00:00Z" });
    expect(earlier.status).toBe(400);
    expect(await fieldsOf(earlier)).toEqual([
      { field: "deadline", message: expect.stringMatching(/^must be later than the current deadline/) },
    ]);
    const tooFar = await post(url, { user: late.mail, deadline: "2028-01-01T09:00:00Z" });
    expect((await fieldsOf(tooFar)).map((e) => [e.field, e.message])).toEqual([
      ["deadline", expect.stringMatching(/^must be at most \d+ days from now/)],
    ]);
    const nobody = await post(url, { user: "nobody@contoso.com", deadline: THEIRS });
    expect((await fieldsOf(nobody)).map((e) => e.field)).toEqual(["user"]);
    const extra = await post(url, { user: late.mail, deadline: THEIRS, until: "never" });
    expect(extra.status).toBe(400);

    // The status page's button: the date and time as the admin reads them, in the migration's zone (UTC+1).
    const form = await pageForm(id, "extendPersonDeadline");
    const pressed = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams({
        ...form.fields,
        user: late.userPrincipalName,
        deadline: "2026-12-22T10:00",
        reason: "back from leave on 14 December",
      }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    const page = await (await s.asAdmin(pressed.headers.get("location") ?? "")).text();
    expect(page).toMatch(/Deadline extended for that person/);
    expect(page).toContain("Later deadlines of their own (1)");
    expect(page).toContain("back from leave on 14 December");
    expect(page).toMatch(/the window stays open until <time[^>]*>Tue 22 Dec 2026, 10:00 CET/);
    // Without the page's token nothing changes.
    const forged = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams({
        ...form.fields,
        csrf: "forged",
        user: other.userPrincipalName,
        deadline: "2026-12-30T10:00",
      }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(forged.status).toBe(403);

    // The API moves it further; the extension says what it was before.
    const further = await post(url, { user: late.mail, deadline: LATER, reason: "still away" });
    expect(further.status).toBe(202);
    expect(((await further.json()) as { extension: unknown }).extension).toMatchObject({
      userPrincipalName: late.userPrincipalName,
      deadline: LATER,
      from: THEIRS,
      reason: "still away",
    });
    const status = await s.status(id);
    expect(status.windowClosesAt).toBe(LATER);
    expect(status.personalDeadlines).toEqual([expect.objectContaining({ userId: late.id, deadline: LATER })]);
    expect((status.figures as { extended: { value: number; text: string } }).extended).toEqual({
      value: 1,
      text: "1 given a later deadline of their own by an admin",
    });

    // To the end: only they are reminded after the migration's deadline, and Phase 2 starts at theirs.
    const mailedOther = () => mailsTo(other).filter((m) => m.sentAt > DEADLINE).length;
    expect(await playEveryone(s, id)).toBe("completed");
    expect(mailedOther()).toBe(0);
    const theirReminders = mailsTo(late).filter((m) => m.sentAt > DEADLINE);
    expect(theirReminders.length).toBeGreaterThanOrEqual(3);
    expect(theirReminders.every((m) => m.sentAt < LATER)).toBe(true);
    expect(theirReminders[0].html).toMatch(/24 Dec(ember)? 2026/);
    const [phase2] = await auditOf(s, id, "phase.phase2");
    expect(Date.parse(phase2.at)).toBeGreaterThanOrEqual(Date.parse(LATER));
    expect(Date.parse(phase2.at)).toBeLessThan(Date.parse(LATER) + DAY);
    expect(phase2.details.detail).toBe("the last personal deadline reached");
    const row = (await s.stack.store.getUsers(id)).find((u) => u.userId === late.id);
    expect(row?.phase2.planned).toBe(true);

    // Audited in words; the report lists the extension and counts it with the same figure.
    const audited = await auditOf(s, id, "person.deadlineExtended");
    expect(audited.map((a) => [a.actor, a.details.to])).toEqual([
      [expect.stringMatching(/^admin:/), THEIRS],
      [expect.stringMatching(/^admin:/), LATER],
    ]);
    const finalPage = await (await s.asAdmin(`migrations/${id}/page`)).text();
    // Their reminders went to them alone, and the audit says towards which deadline.
    expect(finalPage).toContain(
      "Sent the reminder 7 days before the deadline of Thu 24 Dec 2026, 16:30 CET to 1 person.",
    );
    expect(finalPage).toContain(
      `Gave ${late.displayName} (${late.userPrincipalName}) a later deadline of their own, Thu 24 Dec 2026, 16:30 CET (it was Tue 22 Dec 2026, 10:00 CET) (reason: still away).`,
    );
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      figures: { extended: { value: number } };
      people: { personalDeadlines: { userPrincipalName: string; deadline: string }[] };
    };
    expect(report.people.personalDeadlines).toEqual([
      expect.objectContaining({ userPrincipalName: late.userPrincipalName, deadline: LATER }),
    ]);
    expect(report.figures.extended.value).toBe(1);
    const reportHtml = await (await s.api(`migrations/${id}/report`)).text();
    expect(reportHtml).toContain("Later deadlines of their own (1)");
    expect(reportHtml).toContain("1 given a later deadline of their own by an admin");

    // Too late now: the window is over.
    const late409 = await post(url, { user: other.mail, deadline: "2027-01-20T09:00:00Z" });
    expect(late409.status).toBe(409);
  });

  it("in operator mode, does not take them for Phase 2 before their deadline: a sign-in just before it counts", async () => {
    // Entra's sign-in log shows sign-ins 30 minutes late: Phase 2 waits for it past their deadline, not the migration's.
    s = await startScenario({
      peigMode: "operator",
      tenant: { users: 20, missRate: 0.5, mismatchRate: 0 },
      stack: { graph: { signInLogLatencyMs: 30 * 60_000 } },
    });
    const id = await s.start();
    await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    await s.host.idle();
    const [late] = inScopeUsers(s.stack.tenant).filter((u) => u.behaviour.onboardsAt === null && u.mail);
    expect((await post(`migrations/${id}/people/deadline`, { user: late.mail, deadline: THEIRS })).status).toBe(202);

    // Every timer up to ten minutes before their deadline: the migration's deadline passed a week ago.
    const beforeTheirs = Date.parse(THEIRS) - 10 * 60_000;
    for (let next = s.host.engine.nextTimer(); next && next.fireAt.getTime() <= beforeTheirs;) {
      await s.host.advanceTo(next.fireAt);
      await s.host.idle();
      next = s.host.engine.nextTimer();
    }
    await s.host.advanceTo(new Date(beforeTheirs));
    expect(await s.phase(id)).toBe("onboarding");
    s.stack.graph.recordSignIn(late.id, ((await s.status(id)).app as { appId: string }).appId);

    await s.runUntil(async () => (await auditOf(s, id, "phase2.planned")).length > 0, 2 * DAY);
    const [planned] = await auditOf(s, id, "phase2.planned");
    expect(Date.parse(planned.at)).toBeGreaterThanOrEqual(Date.parse(THEIRS));
    const row = (await s.stack.store.getUsers(id)).find((u) => u.userId === late.id);
    expect(row).toMatchObject({ state: "onboarded" });
    expect(row?.phase2.planned).not.toBe(true);
  });

  it("stops holding the window open once the person onboards: Phase 2 starts at the migration's deadline", async () => {
    s = await startScenario({ tenant: { users: 20, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    // Someone who will onboard during the window (the tenant's behaviour), given three weeks more before they do.
    const onboarding = inScopeUsers(s.stack.tenant).filter((u) => u.behaviour.onboardsAt !== null && u.mail);
    const rows = new Map((await s.stack.store.getUsers(id)).map((u) => [u.userId, u]));
    const soon = onboarding.find((u) => rows.get(u.id)?.state === "notOnboarded")!;
    expect((await post(`migrations/${id}/people/deadline`, { user: soon.mail, deadline: THEIRS })).status).toBe(202);
    expect((await s.status(id)).windowClosesAt).toBe(THEIRS);

    await s.runUntil(async () => (await auditOf(s, id, "phase.phase2")).length > 0, 20 * DAY);
    const [phase2] = await auditOf(s, id, "phase.phase2");
    expect(Date.parse(phase2.at)).toBe(Date.parse(DEADLINE));
    expect(phase2.details.detail).toBe("deadline reached");
    const status = await s.status(id);
    expect(status.personalDeadlines).toEqual([
      expect.objectContaining({ userId: soon.id, onboardedAt: expect.any(String) }),
    ]);
    expect(Date.parse(String(status.windowClosesAt))).toBe(Date.parse(DEADLINE));
  });
});
