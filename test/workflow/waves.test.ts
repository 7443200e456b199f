/**
 * Waves (shared/domain/waves.ts): a pilot wave of 50 people, then everyone else after the admins' pilot review,
 * each wave invited and reminded on its own schedule; one person exempted and one given a later deadline of their
 * own; Phase 2 only for those of the second wave who did not onboard; the status page, the review page, the digest and the report show each wave, and every
 * count agrees. Then "Hold": the migration waits (never ends), the admins are told what to do, and asking for the
 * review again from the status page opens a new round.
 */
import { inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import { DAY, HOUR } from "../../shared/domain/duration";
import {
  auditOf,
  playEveryone,
  startBody,
  startScenario,
  type Scenario,
  statusPageForm,
  peigAdminFollowsUntil,
  mailsTo as mailsToOf,
} from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const PILOT_GROUP = "7d1f7a3e-5a8b-4d2c-9a61-0c0ffee00001";
const REASON = "on sabbatical until spring";

/** A tenant of 200 where nobody onboards by themselves; a "Pilot" group of the first 50 in scope with a mailbox. */
async function pilotTenant(peigMode: "api" | "operator" = "api") {
  s = await startScenario({ peigMode, tenant: { users: 200, missRate: 0, mismatchRate: 0 } });
  const people = inScopeUsers(s.stack.tenant).filter((u) => u.mail);
  for (const u of s.stack.tenant.users) u.behaviour = { onboardsAt: null };
  const pilot = people.slice(0, 50);
  s.stack.tenant.groups.push({
    id: PILOT_GROUP,
    displayName: "Pilot",
    memberIds: pilot.map((u) => u.id),
    nestedGroupIds: [],
  });
  return { pilot, rest: inScopeUsers(s.stack.tenant).filter((u) => !pilot.includes(u)) };
}

/** Two waves: the pilot (Dec 1 to Dec 8, reminded 2 days before) and everyone else after a review (to Dec 22). */
const twoWaves = () =>
  startBody({
    deadline: "2026-12-22T09:00:00Z",
    reminders: ["P7D", "P1D"],
    waves: [
      { name: "Pilot", group: PILOT_GROUP, deadline: "2026-12-08T09:00:00Z", reminders: ["2 days"] },
      { name: "Everyone else", review: true },
    ],
  });

const mailsTo = (user: TenantUser) => mailsToOf(s, user);

const pageForm = (id: string, command: string) => statusPageForm(s, id, command);

const onboard = (users: readonly TenantUser[]) => users.forEach((u) => s.stack.peig.state.onboardNow(u.id));

interface WaveFigure {
  name: string;
  inScope: { value: number; text: string };
  onboarded: { value: number };
  phase2Candidates: { value: number };
  exempted: { value: number };
}

const wavesOfStatus = async (id: string) =>
  ((await s.status(id)).figures as { waves: WaveFigure[] }).waves.map((w) => [
    w.name,
    w.inScope.value,
    w.onboarded.value,
    w.phase2Candidates.value,
    w.exempted.value,
  ]);

describe("waves", () => {
  it("runs a pilot of 50, a pilot review approved on its page, then everyone else; every view agrees", async () => {
    const { pilot, rest } = await pilotTenant();
    const id = await s.start(twoWaves());
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    // The pilot is invited; nobody else.
    const [pilotInvitation] = await auditOf(s, id, "mail.invitation.sent");
    expect(pilotInvitation.details).toMatchObject({ wave: "Pilot", recipients: 50 });
    expect(rest.every((u) => mailsTo(u).length === 0)).toBe(true);
    expect(await wavesOfStatus(id)).toEqual([
      ["Pilot", 50, 0, 50, 0],
      ["Everyone else", rest.length, 0, rest.length, 0],
    ]);

    // 45 of the pilot onboard in the first days; the pilot's own reminder (2 days before Dec 8) reaches the other 5.
    onboard(pilot.slice(0, 45));
    await s.runUntil(async () => (await auditOf(s, id, "mail.reminder.sent")).length > 0);
    const [pilotReminder] = await auditOf(s, id, "mail.reminder.sent");
    expect(pilotReminder.details).toMatchObject({ wave: "Pilot", reminder: "P2D", recipients: 5 });
    expect(new Date(pilotReminder.at).toISOString()).toBe("2026-12-06T09:00:00.000Z");
    onboard(pilot.slice(45));

    // An admin exempts one person of the second wave before it is invited.
    const away = rest[3];
    const exempted = await s.api(`migrations/${id}/people/exempt`, {
      method: "POST",
      body: JSON.stringify({ user: away.userPrincipalName, reason: REASON }),
      headers: { "content-type": "application/json" },
    });
    expect(exempted.status).toBe(202);

    // At the pilot's deadline the admins get the pilot review; its page shows the pilot's figures.
    await s.runUntil(async () => s.taskLinks("it@contoso.com").length > 0);
    expect(s.clock.now().toISOString()).toBe("2026-12-08T09:00:00.000Z");
    const link = s.taskLinks("it@contoso.com").at(-1)!;
    const review = await s.openTask(link);
    expect(review.status).toBe(200);
    expect(review.html).toContain("Pilot review: start the wave &quot;Everyone else&quot;?");
    expect(review.html).toContain("50 people in this wave");
    expect(review.html).toContain("50 onboarded");
    expect(review.html).toContain("0 not onboarded yet");
    expect(review.html).toMatch(/>Go on</);
    expect(review.html).toMatch(/>Hold</);
    const status = await s.status(id);
    expect(status.waitingOn).toEqual([
      expect.objectContaining({ who: ["it@contoso.com"], what: expect.stringMatching(/review the earlier waves/) }),
    ]);
    expect(await wavesOfStatus(id)).toEqual([
      ["Pilot", 50, 50, 0, 0],
      ["Everyone else", rest.length, 0, rest.length - 1, 1],
    ]);
    expect(rest.every((u) => mailsTo(u).length === 0)).toBe(true);

    // "Go on": the second wave is invited at once, the exempted person left out.
    expect((await s.decide(link, "approve")).status).toBe(200);
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 1);
    const secondInvitation = (await auditOf(s, id, "mail.invitation.sent"))[1];
    const mailable = rest.filter((u) => u.mail && u !== away);
    expect(secondInvitation.details).toMatchObject({ wave: "Everyone else", recipients: mailable.length });
    expect(mailsTo(away)).toHaveLength(0);
    // The pilot got its invitation, and only its five late ones the pilot's reminder.
    expect(pilot.map((u) => mailsTo(u).length)).toEqual([...Array(45).fill(1), ...Array(5).fill(2)]);
    expect((await auditOf(s, id, "wave.review.approved"))[0].details).toMatchObject({
      wave: "Everyone else",
      by: "it@contoso.com",
    });

    // Most of the rest onboard; 10 never do, one of them back from leave with a week more of their own.
    const never = rest.filter((u) => u !== away && u.mail).slice(0, 10);
    const late = never[0];
    const extended = await s.api(`migrations/${id}/people/deadline`, {
      method: "POST",
      body: JSON.stringify({
        user: late.userPrincipalName,
        deadline: "2026-12-29T09:00:00Z",
        reason: "back from leave",
      }),
      headers: { "content-type": "application/json" },
    });
    expect(extended.status).toBe(202);
    onboard(rest.filter((u) => u !== away && !never.includes(u)));
    await s.runUntil(async () => (await auditOf(s, id, "phase2.planned")).length > 0);
    // Phase 2 waited for the later deadline.
    expect((await auditOf(s, id, "phase2.planned"))[0].at >= "2026-12-29T09:00:00.000Z").toBe(true);
    const reminders = (await auditOf(s, id, "mail.reminder.sent")).map((a) => [
      a.details.wave,
      a.details.reminder,
      a.details.recipients,
      new Date(a.at).toISOString(),
    ]);
    expect(reminders).toEqual([
      ["Pilot", "P2D", 5, "2026-12-06T09:00:00.000Z"],
      ["Everyone else", "P7D", 9, "2026-12-15T09:00:00.000Z"],
      ["Everyone else", "P1D", 9, "2026-12-21T09:00:00.000Z"],
      // The one with a later deadline of their own is reminded towards it, and only they are.
      [undefined, "P7D", 1, "2026-12-22T09:00:00.000Z"],
      [undefined, "P1D", 1, "2026-12-28T09:00:00.000Z"],
    ]);
    expect(mailsTo(late)).toHaveLength(3);
    expect(mailsTo(away)).toHaveLength(0);

    expect(await playEveryone(s, id)).toBe("completed");
    // Phase 2 only for the rest: the ten of the second wave who never onboarded, not the exempted, nobody of the pilot.
    const rows = await s.stack.store.getUsers(id);
    const listed = rows.filter((u) => u.phase2.planned).map((u) => u.userId);
    expect(listed.sort()).toEqual(never.map((u) => u.id).sort());

    // The report shows both waves and the exemption; its figures are the status page's.
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      waves: { name: string; startedAt: string; deadline: string; review?: { outcome: string; by?: string } }[];
      figures: { waves: WaveFigure[]; exempted: { value: number }; extended: { value: number } };
      people: {
        exemptions: { userPrincipalName: string; reason: string }[];
        personalDeadlines: { userPrincipalName: string; deadline: string; reason?: string }[];
      };
    };
    expect(
      report.waves.map((w) => [w.name, w.startedAt.slice(0, 10), w.deadline.slice(0, 10), w.review?.outcome]),
    ).toEqual([
      ["Pilot", "2026-12-01", "2026-12-08", undefined],
      ["Everyone else", "2026-12-08", "2026-12-22", "approved"],
    ]);
    expect(report.people.exemptions.map((e) => [e.userPrincipalName, e.reason])).toEqual([
      [away.userPrincipalName, REASON],
    ]);
    expect(report.people.personalDeadlines.map((p) => [p.userPrincipalName, p.deadline, p.reason])).toEqual([
      [late.userPrincipalName, "2026-12-29T09:00:00.000Z", "back from leave"],
    ]);
    const end = await s.status(id);
    const endFigures = end.figures as { waves: WaveFigure[] };
    expect(report.figures.waves).toEqual(endFigures.waves);
    expect([report.figures.exempted.value, report.figures.extended.value]).toEqual([1, 1]);
    expect(end.figures).toMatchObject({ exempted: { value: 1 }, extended: { value: 1 } });
    expect(endFigures.waves.map((w) => [w.name, w.inScope.value, w.exempted.value])).toEqual([
      ["Pilot", 50, 0],
      ["Everyone else", rest.length, 1],
    ]);
    expect(endFigures.waves.reduce((n, w) => n + w.inScope.value, 0)).toBe((end.counts as { inScope: number }).inScope);
    const html = await (await s.api(`migrations/${id}/report`)).text();
    expect(html).toContain("<h2>Waves</h2>");
    expect(html).toContain("back from leave");
    expect(html).toContain("Everyone else");
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    for (const w of endFigures.waves) expect(page).toContain(w.inScope.text);
    // The admins' digest names each wave with the same sentences.
    const digest = s.stack.graph.outbox.filter((m) => /: \d+ of \d+ onboarded$/.test(m.subject)).at(-1);
    expect(digest?.html).toContain(endFigures.waves[1].inScope.text);
  });

  it("holds the next wave on Hold, tells the admins what to do, and asks again from the status page", async () => {
    const { pilot, rest } = await pilotTenant();
    const id = await s.start(twoWaves());
    onboard(pilot.slice(0, 40));
    await s.runUntil(async () => s.taskLinks("it@contoso.com").length > 0);
    const first = s.taskLinks("it@contoso.com").at(-1)!;
    expect((await s.decide(first, "reject", { reason: "too many pilot users still out" })).status).toBe(200);
    await s.host.idle();
    // Not ended: waiting for an admin, who was told how to go on.
    expect(await s.phase(id)).toBe("onboarding");
    const notice = s.stack.graph.outbox.filter((m) => /the next wave is on hold/.test(m.subject));
    expect(notice).toHaveLength(1);
    expect(notice[0].html).toContain("Ask for the pilot review again");
    expect((await s.status(id)).waitingFor).toMatch(/ask for the pilot review again/);
    // Days pass: nothing goes to the second wave.
    await s.host.advanceTo(new Date(s.clock.now().getTime() + 3 * DAY));
    expect(rest.every((u) => mailsTo(u).length === 0)).toBe(true);
    expect(await s.phase(id)).toBe("onboarding");

    // The status page's button asks again; a new round goes out with the figures as they are now.
    onboard(pilot.slice(40));
    const page = await (await s.asAdmin(`migrations/${id}/page`)).text();
    expect(page).toContain("on hold");
    const form = await pageForm(id, "requestPilotReview");
    const pressed = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams(form.fields),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    await s.runUntil(async () => s.taskLinks("it@contoso.com").length > 1, HOUR);
    const second = s.taskLinks("it@contoso.com").at(-1)!;
    expect((await s.openTask(second)).html).toContain("50 onboarded");
    expect((await s.decide(second, "approve")).status).toBe(200);
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 1, HOUR);
    expect((await auditOf(s, id, "mail.invitation.sent"))[1].details).toMatchObject({ wave: "Everyone else" });
    const story = [
      ...(await auditOf(s, id, "wave.review.held")),
      ...(await auditOf(s, id, "pilotReview.requestedAgain")),
      ...(await auditOf(s, id, "wave.review.approved")),
    ].map((a) => a.action);
    expect(story).toEqual(["wave.review.held", "pilotReview.requestedAgain", "wave.review.approved"]);
  });

  it("leaves the next wave on hold when nobody answers the review, and starts a dated wave no earlier than its date", async () => {
    const { rest } = await pilotTenant();
    const id = await s.start(
      startBody({
        deadline: "2026-12-22T09:00:00Z",
        reminders: ["P1D"],
        waves: [
          { name: "Pilot", group: PILOT_GROUP, deadline: "2026-12-08T09:00:00Z", reminders: [] },
          { name: "Everyone else", review: true, invitationDate: "2026-12-18T09:00:00Z" },
        ],
      }),
    );
    // The review's links expire unanswered (TASK_LINK_TTL): on hold, the admins told; the migration waits.
    await s.runUntil(async () => (await auditOf(s, id, "wave.review.expired")).length > 0);
    expect(await s.phase(id)).toBe("onboarding");
    expect(s.stack.graph.outbox.filter((m) => /the pilot review was not answered/.test(m.subject))).toHaveLength(1);
    expect((await s.status(id)).waves).toEqual([
      expect.objectContaining({ name: "Pilot", members: "members of the Entra group Pilot" }),
      expect.objectContaining({ name: "Everyone else", state: "on hold: nobody answered the pilot review" }),
    ]);
    // Asked again and approved before the wave's date: it starts at its date, not before.
    const asked = await s.api(`migrations/${id}/pilot-review`, { method: "POST" });
    expect(asked.status).toBe(202);
    expect((await s.api(`migrations/${id}/pilot-review`, { method: "POST" })).status).toBe(409);
    await s.runUntil(async () => (await auditOf(s, id, "wave.review.open")).length > 1, HOUR);
    expect((await s.decide(s.taskLinks("it@contoso.com").at(-1)!, "approve")).status).toBe(200);
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 1);
    const invited = (await auditOf(s, id, "mail.invitation.sent"))[1];
    expect(invited.at >= "2026-12-18T09:00:00.000Z").toBe(true);
    expect(new Date(invited.at).getTime() - Date.parse("2026-12-18T09:00:00Z")).toBeLessThan(HOUR);
    expect(rest.filter((u) => u.mail).every((u) => mailsTo(u).length === 1)).toBe(true);
  });

  it("runs in operator mode too: the pilot review among the Peig admin's tasks, Phase 2 only for the rest", async () => {
    const { pilot, rest } = await pilotTenant("operator");
    const id = await s.start(twoWaves());
    await peigAdminFollowsUntil(s, async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    // Members outside the scope whom Peig lists too onboard by themselves (the Peig admin's check wants them linked).
    const inScope = new Set(inScopeUsers(s.stack.tenant));
    const outside = s.stack.tenant.users.filter((u) => !inScope.has(u) && u.userType === "Member" && u.accountEnabled);
    for (const u of outside)
      if (s.stack.peig.state.microsoft365Accounts().some((a) => a.userPrincipalName === u.userPrincipalName))
        s.stack.peig.state.onboardNow(u.id);
    onboard(pilot);
    const never = rest.filter((u) => u.mail).slice(0, 5);
    await s.runUntil(async () => (await auditOf(s, id, "wave.review.open")).length > 0);
    const link = s.taskLinks("it@contoso.com").at(-1)!;
    expect((await s.openTask(link)).html).toContain("50 onboarded");
    expect((await s.decide(link, "approve")).status).toBe(200);
    await s.runUntil(async () => (await auditOf(s, id, "wave.started")).length > 1);
    onboard(rest.filter((u) => !never.includes(u)));
    expect(await playEveryone(s, id)).toBe("completed");
    const invited = (await auditOf(s, id, "mail.invitation.sent")).map((a) => [a.details.wave, a.details.recipients]);
    expect(invited).toEqual([
      ["Pilot", 50],
      ["Everyone else", rest.filter((u) => u.mail).length],
    ]);
    expect((await auditOf(s, id, "wave.review.approved"))[0].details).toMatchObject({ by: "it@contoso.com" });
    const listed = (await s.stack.store.getUsers(id)).filter((u) => u.phase2.planned).map((u) => u.userId);
    expect(listed.sort()).toEqual(never.map((u) => u.id).sort());
    const figures = (await s.status(id)).figures as { waves: WaveFigure[] };
    expect(figures.waves.map((w) => [w.name, w.inScope.value])).toEqual([
      ["Pilot", 50],
      ["Everyone else", rest.length],
    ]);
  });

  it("refuses waves that cannot run, naming the field (400), and starts nothing", async () => {
    await pilotTenant();
    const refused = async (waves: unknown) => {
      const res = await s.api("migrations", {
        method: "POST",
        body: JSON.stringify(startBody({ deadline: "2026-12-22T09:00:00Z", waves })),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      return ((await res.json()) as { errors: { field: string; message: string }[] }).errors;
    };
    expect(
      await refused([{ name: "Pilot", group: "not-a-guid", deadline: "2026-12-08T09:00:00Z" }, { name: "Rest" }]),
    ).toEqual([{ field: "waves.0.group", message: "must be the object id (GUID) of an Entra group" }]);
    const fields = (
      await refused([
        { name: "Pilot", deadline: "2026-12-20T09:00:00Z", review: true },
        { name: "pilot", group: PILOT_GROUP, deadline: "2026-12-21T09:00:00Z", reminders: ["1 day"] },
      ])
    ).map((e) => e.field);
    expect(fields).toEqual(["waves.0.group", "waves.0.review", "waves.1.name", "waves.1.deadline"]);
    // A well-formed object id that no Entra group has (Graph answers 404) is refused too, before anything is made.
    const unknownGroup = "7d1f7a3e-5a8b-4d2c-9a61-0c0ffee0dead";
    expect(
      await refused([
        { name: "Pilot", group: unknownGroup, deadline: "2026-12-08T09:00:00Z", reminders: ["1 day"] },
        { name: "Rest" },
      ]),
    ).toEqual([
      { field: "waves.0.group", message: expect.stringMatching(/^no Entra group has the object id 7d1f7a3e-/) },
    ]);
    expect(await s.stack.store.listMigrations()).toHaveLength(0);
    expect(s.stack.graph.state.directory.applications.size).toBe(0);
  });
});
