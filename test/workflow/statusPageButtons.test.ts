/**
 * Every command an admin may give is a button on the status page: shown only when allowed, posted with the page's
 * CSRF token, answered with the updated page (a redirect to it that says what was done). A post without the token,
 * with another migration's, or from another site is refused with 403 and changes nothing. Driven like a browser on
 * the local host: a signed-in admin's session, forms posted as application/x-www-form-urlencoded.
 */
import { activityDefinitions } from "../../activities";
import { auditOf, DAY, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const MANY = 1_000_000_000;
const unescape = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

interface PageForm {
  action: string;
  fields: Record<string, string>;
}

const pageUrl = (id: string) => `${s.host.baseUrl}/api/migrations/${id}/page`;

/** The page, and its command forms by command (action URL and hidden fields, as a browser would post them). */
async function openPage(id: string): Promise<{ status: number; html: string; forms: Record<string, PageForm> }> {
  const res = await s.asAdmin(pageUrl(id));
  const html = await res.text();
  const forms: Record<string, PageForm> = {};
  for (const [, action, command, inner] of html.matchAll(
    /<form method="post" action="([^"]*)" id="action-([A-Za-z]+)">([\s\S]*?)<\/form>/g,
  )) {
    const fields: Record<string, string> = {};
    for (const [, name, value] of inner.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
      fields[name] = unescape(value);
    forms[command] = { action: unescape(action), fields };
  }
  return { status: res.status, html, forms };
}

const submit = (form: PageForm, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  s.asAdmin(form.action, {
    method: "POST",
    body: new URLSearchParams({ ...form.fields, ...extra }),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    redirect: "manual",
  });

/** A button's answer: a 303 back to the page, which then says what was done. */
async function pressed(res: Response): Promise<string> {
  expect(res.status).toBe(303);
  const location = res.headers.get("location")!;
  expect(new URL(location).pathname).toMatch(/\/page$/);
  expect(new URL(location).searchParams.get("code")).toBeNull();
  await s.host.idle();
  const page = await s.asAdmin(location);
  expect(page.status).toBe(200);
  return page.text();
}

const noticeOf = (html: string) => /<div class="card [a-z]+" role="status" id="notice"><p>([^<]*)<\/p>/.exec(html)?.[1];

describe("the status page in the onboarding window", () => {
  it("offers extending the deadline, cancelling and the per-person commands, not resume or asking again, and tells nobody to POST", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const page = await openPage(id);
    expect(page.status).toBe(200);
    expect(Object.keys(page.forms).sort()).toEqual([
      "cancel",
      "exemptPerson",
      "extendDeadline",
      "extendPersonDeadline",
      "resendInvitation",
    ]);
    expect(page.html).not.toMatch(/POST \/api/);
    expect((await s.status(id)).actions).toEqual([
      "extendDeadline",
      "cancel",
      "exemptPerson",
      "resendInvitation",
      "extendPersonDeadline",
    ]);
  });

  it("extends the deadline from the page with its token and answers with the page showing the new deadline", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const { forms } = await openPage(id);
    // The page's date-and-time input sends the migration's wall clock (its zone is UTC here).
    const html = await pressed(await submit(forms.extendDeadline, { deadline: "2026-12-20T17:00" }));
    expect(noticeOf(html)).toMatch(/Deadline extended/);
    expect(html).toContain("Sun 20 Dec 2026, 17:00 UTC");
    expect((await s.stack.store.getMigration(id))!.deadline).toBe("2026-12-20T17:00:00.000Z");
    expect(await auditOf(s, id, "deadline.extended")).toHaveLength(1);
  });

  it("answers a deadline it cannot take with the page saying why, and 400", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const { forms } = await openPage(id);
    const res = await submit(forms.extendDeadline, { deadline: "next week" });
    expect(res.status).toBe(400);
    expect(noticeOf(await res.text())).toMatch(/^Nothing was done: deadline /);
    expect((await s.stack.store.getMigration(id))!.deadline).toBe(startBody().deadline);
  });

  it("refuses without the token, with another migration's token, or from another site: 403, nothing changes", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 10 } });
    const id = await s.start();
    const other = await s.start(
      startBody({ workspace: "fabrikam", idpEntityId: "https://pap01.fabrikam.com/idp/shibboleth" }),
    );
    const { forms } = await openPage(id);
    const { forms: otherForms } = await openPage(other);
    const cancel = forms.cancel;
    const attempts = [
      submit({ ...cancel, fields: { action: "cancel" } }),
      submit(cancel, { csrf: "forged.token" }),
      submit(cancel, { csrf: otherForms.cancel.fields.csrf }),
      submit(cancel, {}, { "sec-fetch-site": "cross-site" }),
      submit(cancel, {}, { origin: "https://evil.example" }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(noticeOf(await res.text())).toMatch(/^Nothing was done: that form was not sent from this page/);
    }
    expect((await s.stack.store.getMigration(id))!.runtime.commands.cancelRequested).toBeUndefined();
    expect(await auditOf(s, id, "migration.cancelRequested")).toEqual([]);
    // The same form, with its own token, works.
    await pressed(await submit(cancel, { reason: "wrong scope" }));
    expect(await auditOf(s, id, "migration.cancelRequested")).toHaveLength(1);
  });

  it("cancels with the reason typed; the page then says so and offers no command any more", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const { forms } = await openPage(id);
    const html = await pressed(await submit(forms.cancel, { reason: "postponed to January" }));
    expect(noticeOf(html)).toMatch(/Cancellation requested\. Nothing is deleted/);
    expect(await s.phase(id)).toBe("cancelled");
    expect((await auditOf(s, id, "migration.cancelRequested"))[0].details).toEqual({ reason: "postponed to January" });
    expect(Object.keys((await openPage(id)).forms)).toEqual([]);
  });

  it("answers a command no longer allowed (a stale page) with the updated page saying why, and 409", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const { forms } = await openPage(id);
    // The page's token, for a button it does not show: nothing is failing.
    const res = await submit(forms.cancel, { action: "resume" });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(noticeOf(html)).toBe("Nothing was done: resume refused: nothing to resume: no step is failing.");
    expect(html).toContain('id="action-cancel"');
  });
});

describe("a migration that needs attention", () => {
  it("says once whether it still tries by itself and when, offers Resume in the box, and resumes from the page", async () => {
    s = await startScenario({ tenant: { users: 10, missRate: 0.5, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(() => s.clock.now().getTime() >= Date.parse(startBody().deadline) - 10 * DAY);
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: MANY }],
    });
    await s.runUntil(async () => (await s.status(id)).needsAttention !== null, 2 * DAY);

    const { html, forms } = await openPage(id);
    const box = /<div class="card attention" role="alert" id="needs-attention">([\s\S]*?)<\/div>/.exec(html)![1];
    // The step as the runbook names it, never an activity's name.
    expect(box).toMatch(/<strong>Checking onboarding progress<\/strong> keeps failing since/);
    // Nor anywhere else on the page (what it waits for, the audit trail).
    for (const step of Object.keys(activityDefinitions)) expect(html).not.toContain(step);
    expect(html).toContain("waiting for a retry of checking onboarding progress");
    expect(box).toMatch(/It still tries again by itself: next try <time[^>]*>[^<]+<\/time>/);
    expect(box).not.toMatch(/no longer tries/);
    expect(box).not.toMatch(/tries again by itself[\s\S]*tries again by itself/);
    expect(box).toContain('id="action-resume"');
    expect(Object.keys(forms).sort()).toEqual([
      "cancel",
      "exemptPerson",
      "extendDeadline",
      "extendPersonDeadline",
      "resendInvitation",
      "resume",
    ]);

    s.stack.graph.setFaults({ scripted: [] });
    const after = await pressed(await submit(forms.resume));
    expect(noticeOf(after)).toMatch(/Resume requested/);
    expect(await auditOf(s, id, "migration.resumeRequested")).toHaveLength(1);
    expect((await s.status(id)).needsAttention).toBeNull();
    expect(Object.keys((await openPage(id)).forms).sort()).toEqual([
      "cancel",
      "exemptPerson",
      "extendDeadline",
      "extendPersonDeadline",
      "resendInvitation",
    ]);
  });

  it("says it no longer tries by itself once the retries are over", async () => {
    s = await startScenario({ tenant: { users: 10, missRate: 0.5, mismatchRate: 0 } });
    const id = await s.start();
    s.stack.graph.setFaults({
      scripted: [{ method: "GET", pathIncludes: "/users", exact: true, status: 503, times: MANY }],
    });
    await s.runUntil(async () => {
      const attention = (await s.status(id)).needsAttention as { nextAttemptAt: string | null } | null;
      return attention !== null && attention.nextAttemptAt === null;
    }, 5 * DAY);
    const { html, forms } = await openPage(id);
    const box = /<div class="card attention" role="alert" id="needs-attention">([\s\S]*?)<\/div>/.exec(html)![1];
    expect(box).toContain("It no longer tries by itself: fix the cause, then resume");
    expect(box).not.toMatch(/tries again by itself/);
    for (const step of Object.keys(activityDefinitions)) expect(box).not.toContain(step);
    expect(forms.resume).toBeDefined();
  });
});

describe("the approval gate", () => {
  it("offers asking the approvers again only after a rejection, and the button opens a new round", async () => {
    s = await startScenario({ tenant: { users: 20, missRate: 0, mismatchRate: 0 } });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) === "approval");
    expect(Object.keys((await openPage(id)).forms)).toEqual(["cancel"]);
    expect((await s.decide(s.taskLinks("cio@contoso.com")[0], "reject", { reason: "not yet" })).status).toBe(200);
    const { forms } = await openPage(id);
    expect(Object.keys(forms).sort()).toEqual(["cancel", "requestApprovalAgain"]);
    const before = s.taskLinks("cio@contoso.com").length;
    const html = await pressed(await submit(forms.requestApprovalAgain));
    expect(noticeOf(html)).toMatch(/approvers are asked again/);
    expect(s.taskLinks("cio@contoso.com").length).toBeGreaterThan(before);
    expect(Object.keys((await openPage(id)).forms)).toEqual(["cancel"]);
  });
});
