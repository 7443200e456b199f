/**
 * People, one at a time: an admin exempts a person with a reason (JSON API) and sends another the invitation again
 * (the status page's button, with its CSRF token). The exempted person gets no more mail, is counted apart in every
 * view, gets no Phase 2 account, and the checklist the approvers read names them; both commands are audited and in
 * the report. Bad input is a 400 naming the field; a command that cannot take effect is a 409 saying why.
 */
import { inScopeUsers, type TenantUser } from "../../local/fixtures/tenant";
import {
  auditOf,
  playEveryone,
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

const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

const pageForm = (id: string, command: string) => statusPageForm(s, id, command);

const mailsTo = (user: TenantUser) => mailsToOf(s, user);

/** Two people in scope with a mailbox who never onboard by themselves. */
function twoWhoNeverOnboard(): [TenantUser, TenantUser] {
  const never = inScopeUsers(s.stack.tenant).filter((u) => u.behaviour.onboardsAt === null && u.mail);
  expect(never.length).toBeGreaterThanOrEqual(2);
  return [never[0], never[1]];
}

const REASON = "on parental leave until March";

const peigAdminUntil = (done: () => Promise<boolean>) => peigAdminFollowsUntil(s, done);

describe("an admin steers single people", () => {
  it("exempts one person and resends another's invitation; every view agrees (api mode, to the end)", async () => {
    s = await startScenario({ tenant: { users: 30, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    const [away, forgetful] = twoWhoNeverOnboard();
    const before = (await s.status(id)).counts as { notOnboarded: number; exempted?: number };

    // Bad input names the field; nobody by that address is a 400 on `user`.
    const missing = await post(`migrations/${id}/people/exempt`, { user: away.mail });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(["reason"]);
    const nobody = await post(`migrations/${id}/people/exempt`, { user: "nobody@contoso.com", reason: REASON });
    expect(nobody.status).toBe(400);
    expect(await nobody.json()).toEqual({
      errors: [{ field: "user", message: expect.stringMatching(/nobody in this migration's scope/) }],
    });

    const exempted = await post(`migrations/${id}/people/exempt`, {
      user: away.userPrincipalName.toUpperCase(),
      reason: ` ${REASON} `,
    });
    expect(exempted.status).toBe(202);
    expect(
      ((await exempted.json()) as { exemption: { reason: string; userPrincipalName: string } }).exemption,
    ).toMatchObject({
      reason: REASON,
      userPrincipalName: away.userPrincipalName,
    });
    const again = await post(`migrations/${id}/people/exempt`, { user: away.mail, reason: REASON });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: `${away.userPrincipalName} is already exempted` });
    const status = await s.status(id);
    expect(status.counts).toMatchObject({ notOnboarded: before.notOnboarded - 1, exempted: 1 });
    expect((status.figures as { exempted: { text: string } }).exempted.text).toBe(
      "1 exempted by an admin (no more mail, no Phase 2 account)",
    );

    // The status page's button sends the invitation again, now, to that one person.
    const sentBefore = mailsTo(forgetful).length;
    const form = await pageForm(id, "resendInvitation");
    const pressed = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams({ ...form.fields, user: forgetful.mail ?? "" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    const resent = mailsTo(forgetful).slice(sentBefore);
    expect(resent).toHaveLength(1);
    expect(resent[0].to).toEqual([forgetful.mail]);
    expect(resent[0].subject).toMatch(/sign-in|Peig/i);
    // Without the page's token nothing is sent.
    const forged = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams({ ...form.fields, csrf: "forged", user: forgetful.mail ?? "" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(forged.status).toBe(403);
    expect(mailsTo(forgetful).length).toBe(sentBefore + 1);
    // The exempted person gets no mail, not even on request.
    const refused = await post(`migrations/${id}/people/resend`, { user: away.mail });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: `${away.userPrincipalName} is exempted: exempted people get no more mail`,
    });

    const mailedAway = mailsTo(away).length;
    expect(await playEveryone(s, id)).toBe("completed");
    // No reminder, no Phase 2 account, counted apart to the end.
    expect(mailsTo(away).length).toBe(mailedAway);
    const rows = await s.stack.store.getUsers(id);
    const row = rows.find((u) => u.userId === away.id);
    expect(row).toMatchObject({ state: "exempted" });
    expect(row?.phase2.planned).toBeFalsy();
    expect(rows.filter((u) => u.phase2.planned).length).toBeGreaterThan(0);
    expect(s.stack.peig.state.microsoft365Account(away.id).linkStatus).not.toBe("linked");

    // The approvers read the exemption in the checklist they were sent; the report lists both commands.
    const approvalMails = s.stack.graph.outbox.filter(
      (m) => m.to.includes("cio@contoso.com") || m.bcc.includes("cio@contoso.com"),
    );
    expect(approvalMails.some((m) => m.html.includes(REASON) && m.html.includes(away.userPrincipalName))).toBe(true);
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      figures: { exempted: { value: number } };
      counts: { exempted: number };
      checklist: { id: string; met: boolean; evidence: string[] }[];
      people: { exemptions: { userPrincipalName: string; reason: string }[]; invitationsResent: { user: string }[] };
    };
    expect(report.people.exemptions).toEqual([
      expect.objectContaining({ userPrincipalName: away.userPrincipalName, reason: REASON }),
    ]);
    expect(report.people.invitationsResent.map((r) => r.user)).toEqual([forgetful.userPrincipalName]);
    const allOnboarded = report.checklist.find((i) => i.id === "allOnboarded");
    expect(allOnboarded?.met).toBe(true);
    expect(allOnboarded?.evidence).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^exempted, not counted: ${away.userPrincipalName.replace(/[.]/g, "\\.")} \\(.*\\): ${REASON} — exempted by `,
          ),
        ),
      ]),
    );
    // One figure, every view: the status JSON, the report, the user rows.
    const end = await s.status(id);
    expect((end.figures as { exempted: { value: number } }).exempted.value).toBe(1);
    expect(report.figures.exempted.value).toBe(1);
    expect(rows.filter((u) => u.state === "exempted")).toHaveLength(1);
    const reportHtml = await (await s.api(`migrations/${id}/report`)).text();
    expect(reportHtml).toContain("<h2>Exempted people</h2>");
    expect(reportHtml).toContain(REASON);

    const audited = [
      ...(await auditOf(s, id, "person.exempted")),
      ...(await auditOf(s, id, "person.invitationResent")),
    ];
    expect(audited.map((a) => [a.action, a.details.user])).toEqual([
      ["person.exempted", away.userPrincipalName],
      ["person.invitationResent", forgetful.userPrincipalName],
    ]);
    expect(audited.every((a) => String((a as { actor?: string }).actor).startsWith("admin:"))).toBe(true);
  });

  it("in operator mode, leaves the exempted person out of the Peig admin's Phase 2 list and the reminders", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 30, missRate: 0.3, mismatchRate: 0 } });
    const id = await s.start();
    await peigAdminUntil(async () => (await auditOf(s, id, "mail.invitation.sent")).length > 0);
    const [away] = twoWhoNeverOnboard();
    const form = await pageForm(id, "exemptPerson");
    const pressed = await s.asAdmin(form.action, {
      method: "POST",
      body: new URLSearchParams({ ...form.fields, user: away.userPrincipalName, reason: REASON }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    const page = await (await s.asAdmin(pressed.headers.get("location") ?? "")).text();
    expect(page).toMatch(/Exempted: they get no more mail/);
    expect(page).toContain(REASON);
    const mailed = mailsTo(away).length;
    await peigAdminUntil(async () => (await auditOf(s, id, "phase2.planned")).length > 0);
    expect(mailsTo(away).length).toBe(mailed);
    const rows = await s.stack.store.getUsers(id);
    expect(rows.find((u) => u.userId === away.id)).toMatchObject({ state: "exempted" });
    expect(rows.find((u) => u.userId === away.id)?.phase2.planned).toBeFalsy();
    const planned = await auditOf(s, id, "phase2.planned");
    expect(planned[0].details.users).toBe(rows.filter((u) => u.phase2.planned).length);
    // Too late now: Phase 2 has listed who gets an account.
    const late = await post(`migrations/${id}/people/exempt`, { user: away.mail, reason: REASON });
    expect(late.status).toBe(409);

    // The Peig admin's checklist task names the exempted person apart (the harness's Peig admin refuses to confirm
    // while anyone else is unlinked); they confirm without linking them, and the migration completes.
    await peigAdminUntil(async () => (await s.phase(id)) === "approval");
    expect(s.stack.peig.state.microsoft365Account(away.id).linkStatus).toBe("unlinked");
    expect(await playEveryone(s, id)).toBe("completed");
    const report = (await (await s.api(`migrations/${id}/report?format=json`)).json()) as {
      checklist: { id: string; met: boolean; evidence: string[] }[];
    };
    expect(report.checklist.every((i) => i.met)).toBe(true);
    expect(report.checklist[0].evidence.some((e) => e.includes(away.userPrincipalName) && e.includes(REASON))).toBe(
      true,
    );
  });
});
