import { formatHuman } from "../../shared/domain/humanTime";
import { inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import {
  auditOf,
  beforeActivity,
  DAY,
  HOUR,
  mailsWithSubject,
  START,
  startBody,
  startScenario,
  type Scenario,
} from "./harness";

let s: Scenario;
const undo: (() => void)[] = [];
afterEach(async () => {
  undo.splice(0).forEach((u) => u());
  await s?.stop();
});

const REMINDER = /^Reminder: .* left to set up Peig for workspace "contoso"$/;
const DIGEST = /^Peig migration "contoso": \d+ of \d+ onboarded$/;
const at = (iso: string) => Date.parse(iso);
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** When the Peig simulator onboards this user: a share of its 14-day window, which opens when setup saves the configuration. */
function onboardsAt(user: TenantUser, windowOpenedAt: string): number {
  return user.behaviour.onboardsAt === null
    ? Infinity
    : at(windowOpenedAt) + Math.round(user.behaviour.onboardsAt * 14 * DAY);
}

const postDeadline = (id: string, body: string) =>
  s.api(`migrations/${id}/deadline`, { method: "POST", body, headers: { "content-type": "application/json" } });
const inWindow = async (id: string) => ["setup", "onboarding"].includes(await s.phase(id));

describe("reminders during the onboarding window", () => {
  it("go only to users not onboarded at that moment, with audit counts equal to the BCC lists in the outbox", async () => {
    // Seed 21 has a user without a mailbox among those who never onboard: counted nowhere as mailed.
    s = await startScenario({ tenant: { users: 60, seed: 21, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => !(await inWindow(id)));
    const openedAt = s.stack.peig.state.summary().configuration!.savedAt;
    const inScope = inScopeUsers(s.stack.tenant);
    expect(inScope.filter((u) => !u.mail && u.behaviour.onboardsAt === null)).toHaveLength(1);

    const reminders = mailsWithSubject(s.stack, REMINDER);
    expect(reminders.map((m) => m.sentAt)).toEqual([
      "2026-12-08T09:00:00.000Z",
      "2026-12-12T09:00:00.000Z",
      "2026-12-14T09:00:00.000Z",
      "2026-12-15T05:00:00.000Z",
    ]);
    const audit = await auditOf(s, id, "mail.reminder.sent");
    expect(audit).toHaveLength(reminders.length);
    reminders.forEach((mail, i) => {
      const waiting = inScope.filter((u) => onboardsAt(u, openedAt) > at(mail.sentAt));
      const expected = waiting.filter((u) => u.mail).map((u) => u.mail!.toLowerCase());
      expect(mail.to).toEqual([]);
      expect(mail.bcc.map((a) => a.toLowerCase()).sort()).toEqual(expected.sort());
      expect(audit[i].details).toMatchObject({
        recipients: mail.bcc.length,
        withoutMailbox: waiting.length - expected.length,
        messages: 1,
      });
    });

    // Said the other way round: once onboarded, never reminded again.
    for (const user of inScope.filter((u) => u.mail && u.behaviour.onboardsAt !== null)) {
      const later = reminders.filter((m) => at(m.sentAt) >= onboardsAt(user, openedAt));
      expect(later.filter((m) => m.bcc.map((a) => a.toLowerCase()).includes(user.mail!.toLowerCase()))).toEqual([]);
    }
  });
});

describe("reminder bookkeeping", () => {
  it("counts each reminder once per user even when every activity runs twice", async () => {
    s = await startScenario({
      tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 },
      runActivitiesTwice: true,
    });
    const id = await s.start();
    await s.runUntil(async () => !(await inWindow(id)));
    const reminders = mailsWithSubject(s.stack, REMINDER);
    expect(reminders).toHaveLength(4);
    const missed = inScopeUsers(s.stack.tenant).filter((u) => u.mail && u.behaviour.onboardsAt === null);
    const stored = new Map((await s.stack.store.getUsers(id)).map((u) => [u.userId, u]));
    expect(missed.map((u) => [u.userPrincipalName, stored.get(u.id)?.remindersSent])).toEqual(
      missed.map((u) => [u.userPrincipalName, 4]),
    );
  });
});

describe("mismatched e-mail requests", () => {
  it("are reported with the Merge target their typed alias, UPN or otherMails address points to, and a pure typo gets no suggestion", async () => {
    // Seed 3: every kind of mismatch, and everyone who types one has done so by day 7.
    s = await startScenario({ tenant: { users: 60, seed: 3, missRate: 0.1, mismatchRate: 0.2 } });
    const typed = inScopeUsers(s.stack.tenant)
      .filter((u) => u.behaviour.typedEmail)
      .map((user) => {
        const email = user.behaviour.typedEmail!.toLowerCase();
        const matchedBy = user.proxyAddresses.some((p) => p.toLowerCase() === `smtp:${email}`)
          ? "proxyAddress"
          : user.userPrincipalName.toLowerCase() === email
            ? "userPrincipalName"
            : user.otherMails.some((m) => m.toLowerCase() === email)
              ? "otherMails"
              : null;
        return { user, email: user.behaviour.typedEmail!, matchedBy };
      });
    expect(new Set(typed.map((t) => t.matchedBy))).toEqual(
      new Set(["proxyAddress", "userPrincipalName", "otherMails", null]),
    );
    const suggested = typed.filter((t) => t.matchedBy !== null);
    const typos = typed.filter((t) => t.matchedBy === null);

    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= at(START) + 8 * DAY);
    expect(await s.phase(id)).toBe("onboarding");
    expect(s.stack.peig.state.pendingRequests()).toHaveLength(typed.length);

    const status = await s.status(id);
    const listed = await s.api(`migrations/${id}/users?state=mismatched`);
    const mismatched = (
      (await listed.json()) as {
        users: {
          userPrincipalName: string;
          mergeSuggestion: { typedEmail: string; matchedBy: string; peigAccountId: string | null };
        }[];
      }
    ).users;
    expect(mismatched.map((m) => m.userPrincipalName).sort()).toEqual(
      suggested.map((t) => t.user.userPrincipalName).sort(),
    );
    for (const { user, email, matchedBy } of suggested) {
      expect(mismatched.find((m) => m.userPrincipalName === user.userPrincipalName)!.mergeSuggestion).toMatchObject({
        typedEmail: email,
        matchedBy,
        peigAccountId: null,
      });
    }
    expect((status.counts as { mismatched: number }).mismatched).toBe(suggested.length);
    // A pure typo has nobody to merge into: it is listed for the admins to approve or deny by hand.
    expect((status.unmatchedRequests as { email: string }[]).map((r) => r.email).sort()).toEqual(
      typos.map((t) => t.email).sort(),
    );

    const digest = mailsWithSubject(s.stack, DIGEST).at(-1)!;
    expect(digest.bcc).toEqual(["it@contoso.com"]);
    for (const { user, email, matchedBy } of suggested) {
      // The typed address is set apart with <bdi> (bidi isolation of what people typed).
      expect(digest.html).toContain(
        `typed <bdi>${escapeHtml(email)}</bdi>: ${escapeHtml(`merge into ${user.userPrincipalName} (matched by ${matchedBy})`)}`,
      );
    }
    for (const { email } of typos)
      expect(digest.html).not.toContain(`typed <bdi>${escapeHtml(email)}</bdi>: merge into`);
    expect(digest.html).toContain(`${typos.length} pending requests match no user in scope`);
  });
});

describe("extending the deadline", () => {
  it("moves every later reminder relative to the new deadline and closes the window at the new deadline", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= at("2026-12-09T09:00:00Z"));
    expect(mailsWithSubject(s.stack, REMINDER).map((m) => m.sentAt)).toEqual(["2026-12-08T09:00:00.000Z"]);

    const res = await postDeadline(id, JSON.stringify({ deadline: "2026-12-18T09:00:00Z" }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id, deadline: "2026-12-18T09:00:00.000Z" });
    await s.host.idle();
    expect((await s.status(id)).deadline).toBe("2026-12-18T09:00:00.000Z");

    await s.runUntil(() => s.clock.now().getTime() >= at("2026-12-15T10:00:00Z"));
    expect(await s.phase(id)).toBe("onboarding");
    await s.runUntil(async () => !(await inWindow(id)));

    // P7D, P3D, P1D and PT4H before 18 December; nothing at the old times (12, 14, 15 December).
    const reminders = mailsWithSubject(s.stack, REMINDER);
    expect(reminders.map((m) => m.sentAt)).toEqual([
      "2026-12-08T09:00:00.000Z",
      "2026-12-11T09:00:00.000Z",
      "2026-12-15T09:00:00.000Z",
      "2026-12-17T09:00:00.000Z",
      "2026-12-18T05:00:00.000Z",
    ]);
    for (const mail of reminders.slice(1)) expect(mail.html).toContain(formatHuman(new Date("2026-12-18T09:00:00Z")));
    expect((await auditOf(s, id, "phase.phase2")).map((a) => a.at)).toEqual(["2026-12-18T09:00:00.000Z"]);
  });

  it("is refused with 409 once the window has closed", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => !(await inWindow(id)));
    const res = await postDeadline(id, JSON.stringify({ deadline: "2026-12-30T09:00:00Z" }));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/too late: the onboarding window is over/);
    expect(Date.parse((await s.status(id)).deadline as string)).toBe(at("2026-12-15T09:00:00Z"));
  });

  it("answers 400 naming the field for a body it cannot use, and changes nothing", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    const cases: [string, string, RegExp][] = [
      ["{}", "deadline", /./],
      [JSON.stringify({ deadline: "next Tuesday" }), "deadline", /./],
      [JSON.stringify({ deadline: "2026-12-10T09:00:00Z" }), "deadline", /later than the current deadline/],
      ["{not json", "body", /not valid JSON/],
    ];
    for (const [body, field, message] of cases) {
      const res = await postDeadline(id, body);
      expect(res.status).toBe(400);
      const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
      expect(errors).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
    }
    expect(Date.parse((await s.status(id)).deadline as string)).toBe(at("2026-12-15T09:00:00Z"));
    expect(await auditOf(s, id, "deadline.extended")).toEqual([]);
  });
});

describe("orchestration history over a full run", () => {
  it("stays under 200 events per execution with an hourly monitor, also when a wake arrives in the middle of a cycle", async () => {
    s = await startScenario({ tenant: { users: 40, seed: 4, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start(startBody({ monitorEvery: "PT1H" }));

    // The admin extends the deadline while a monitor cycle is running: the wake lands before the
    // orchestration waits on Task.any(timer, wake), so the next wait must see it at once.
    let wokeAt: string | undefined;
    const cyclesStartedAt: string[] = [];
    undo.push(beforeActivity("readAdminCommands", () => void cyclesStartedAt.push(s.clock.now().toISOString())));
    undo.push(
      beforeActivity("monitorOnboarding", async () => {
        if (wokeAt || s.clock.now().getTime() < at("2026-12-05T09:30:00Z")) return;
        wokeAt = s.clock.now().toISOString();
        const res = await postDeadline(id, JSON.stringify({ deadline: "2026-12-16T09:00:00Z" }));
        expect(res.status).toBe(202);
      }),
    );
    await s.runUntil(async () => !(await inWindow(id)));
    // The wake was not lost: it ended that cycle's wait at once, and the next cycle began at the same instant.
    // As on the Durable extension, the wake raised while the monitor ran was delivered in an episode of its own,
    // before the one that continued as new, so it is not carried into the next execution (conformance "L3"):
    // no third cycle at that instant.
    expect(wokeAt).toBeDefined();
    expect(cyclesStartedAt.filter((t) => t === wokeAt)).toHaveLength(2);
    expect((await auditOf(s, id, "phase.phase2")).map((a) => a.at)).toEqual(["2026-12-16T09:00:00.000Z"]);

    const [link] = s.taskLinks("cio@contoso.com");
    expect((await s.decide(link, "approve")).status).toBe(200);
    await s.runToEnd(id);
    expect(await s.phase(id)).toBe("completed");

    const main = s.host.instance(id);
    expect(main.status).toBe("Completed");
    expect(main.warnings).toEqual([]);
    // One execution per cycle: 15 days of hourly monitoring.
    expect(main.continuedAsNew).toBeGreaterThan(15 * 24);
    const instances = s.host.engine.listInstances();
    expect(instances.map((r) => r.name)).toContain("createPeigAccountsBatch");
    expect(
      instances
        .filter((r) => r.maxHistoryLength > 200)
        .map((r) => `${r.name} ${r.instanceId}: ${r.maxHistoryLength} events`),
    ).toEqual([]);
    // The hourly cycle really ran hourly: a monitor at every hour of the window.
    expect((await auditOf(s, id, "monitor.progress")).length).toBeGreaterThanOrEqual(15 * 24);
    expect(s.clock.now().getTime() - at(START)).toBeLessThan(20 * DAY + HOUR);
  });
});
