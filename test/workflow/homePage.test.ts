/**
 * The admins' home: GET /api/migrations (JSON, paged) and the home page, whose start form shows the dry-run
 * plan first and starts only on the confirm. Driven like a signed-in admin's browser: the session cookie, forms
 * posted as application/x-www-form-urlencoded, no header a page could not send.
 */
import { filledStartForm, formsOf, startBody, startScenario, type PageForm as Form, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const submit = (form: Form, changes: Record<string, string> = {}) =>
  s.asAdmin(form.action, {
    method: "POST",
    body: new URLSearchParams({ ...form.fields, ...changes }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });

const filled = filledStartForm();

describe("GET /api/migrations", () => {
  it("lists every migration once across pages of `top`, with its phase, progress, deadline and needs attention", async () => {
    // Operator mode: each workspace is its own Peig server (in api mode the deployment's one Peig API is one workspace).
    s = await startScenario({ peigMode: "operator", tenant: { users: 10 } });
    const other = (workspace: string) =>
      startBody({ workspace, idpEntityId: `https://pap01.${workspace}.com/idp/shibboleth` });
    const ids = [await s.start(), await s.start(other("fabrikam")), await s.start(other("tailspin"))];
    const first = (await (await s.api("migrations?top=2")).json()) as {
      migrations: { id: string }[];
      next: string | null;
    };
    expect(first.migrations).toHaveLength(2);
    expect(first.next).toContain("cursor=");
    const nextPath = first.next!.slice(first.next!.indexOf("/api/") + "/api/".length);
    const second = (await (await s.api(nextPath)).json()) as { migrations: { id: string }[]; next: string | null };
    expect([...first.migrations, ...second.migrations].map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(second.next).toBeNull();
    const listed = (await (await s.api("migrations")).json()) as { migrations: Record<string, unknown>[] };
    expect(listed.migrations.find((m) => m.id === ids[1])).toMatchObject({
      workspace: "fabrikam",
      phase: expect.any(String),
      status: "running",
      counts: { inScope: expect.any(Number), onboarded: expect.any(Number), phase2Created: expect.any(Number) },
      deadline: startBody().deadline,
      needsAttention: null,
    });
  });

  it("answers a bad top or cursor with 400 naming the field, and nothing without the function key", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    for (const [query, field] of [
      ["top=0", "top"],
      ["top=101", "top"],
      ["top=two", "top"],
      ["cursor=bogus", "cursor"],
    ]) {
      const res = await s.api(`migrations?${query}`);
      expect({
        query,
        status: res.status,
        fields: ((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field),
      }).toEqual({ query, status: 400, fields: [field] });
    }
    expect((await fetch(`${s.host.baseUrl}/api/migrations`)).status).toBe(401);
    expect((await fetch(`${s.host.baseUrl}/api/home`, { redirect: "manual" })).status).toBe(302);
  });
});

describe("the home page", () => {
  it("shows the dry-run plan for the form, starts nothing until the admin confirms, then opens the status page", async () => {
    s = await startScenario({ tenant: { users: 12, seed: 3 } });
    const home = await s.asAdmin("home");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-security-policy")).toContain("form-action 'self'");
    const homeHtml = await home.text();
    expect(homeHtml).toContain("No migrations yet.");
    const [startForm] = formsOf(homeHtml);

    const planned = await submit(startForm, filled);
    expect(planned.status).toBe(200);
    const planHtml = await planned.text();
    expect(/<strong id="users-in-scope">(\d+)<\/strong>/.exec(planHtml)?.[1]).toBe("12");
    expect(planHtml).toContain("Mail plan");
    // The plan says back what it understood, in words: the deadline, the reminders' days, the monitor interval.
    expect(planHtml).toMatch(
      /reminders on \w{3} \d{1,2} \w{3}, \w{3} \d{1,2} \w{3}, \w{3} \d{1,2} \w{3}, \w{3} \d{1,2} \w{3};/,
    );
    expect(planHtml).toContain("progress checked every 12 hours");
    expect(planHtml).toContain("Reminder 7 days before the deadline");
    expect(planHtml.replace(/<input [^>]*>/g, "")).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d|\bP(?:\d+[WD]|T\d+[HMS])/);
    expect(await s.stack.store.listMigrations()).toEqual([]);

    const [confirm] = formsOf(planHtml);
    const started = await submit(confirm);
    expect(started.status).toBe(303);
    const location = started.headers.get("location")!;
    expect(location).toMatch(/\/api\/migrations\/[0-9a-f-]{36}\/page$/);
    await s.host.idle();
    const [migration] = await s.stack.store.listMigrations();
    expect(migration).toMatchObject({ workspace: "contoso", domain: "contoso.com" });
    expect((await s.asAdmin(location)).status).toBe(200);

    const listed = await (await s.asAdmin("home")).text();
    expect(listed).toContain(`/api/migrations/${migration.id}/page"`);
    expect(listed).toContain("of 12 users in scope");
  });

  it("shows each validation error next to its field and keeps what was typed", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const [startForm] = formsOf(await (await s.asAdmin("home")).text());
    const refused = await submit(startForm, {
      ...filled,
      approvers: "cio@contoso.com, not-an-address",
      requiredApprovals: "two",
      deadlineDate: "",
      reminders: "7 days, 3 dais",
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    const errorsFor = (field: string) =>
      [...html.matchAll(new RegExp(`<div class="bad" data-error-for="${field}">([^<]*)</div>`, "g"))].map((m) => m[1]);
    expect(errorsFor("approvers")).toEqual([expect.stringMatching(/^item 2: /)]);
    expect(errorsFor("deadline")).toEqual(["choose the day and the time of the deadline"]);
    expect(errorsFor("reminders")).toEqual([
      expect.stringContaining("item 2: &quot;3 dais&quot;: &quot;dais&quot; is not a unit"),
    ]);
    expect(errorsFor("requiredApprovals")).toEqual([expect.stringContaining("whole number")]);
    expect(errorsFor("workspace")).toEqual([]);
    expect(html).toContain('value="cio@contoso.com, not-an-address"');
    expect(await s.stack.store.listMigrations()).toEqual([]);
  });

  it("takes a pilot wave in plain words, and names what is wrong with it under the pilot's fields", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const [startForm] = formsOf(await (await s.asAdmin("home")).text());
    const refused = await submit(startForm, {
      ...filled,
      pilotGroup: s.stack.tenant.groups[0].id,
      pilotName: "",
      pilotDeadlineDate: "",
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    const waveErrors = [...html.matchAll(/<div class="bad" data-error-for="waves">([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(waveErrors).toEqual([
      "Pilot wave, deadline: choose the day and the time of the pilot&#39;s deadline",
      "Pilot wave, name: must not be empty",
    ]);
    expect(await s.stack.store.listMigrations()).toEqual([]);
    // Filled in, the plan shows both waves; the confirm carries them (the review box as ticked).
    const planned = await submit(startForm, {
      ...filled,
      pilotGroup: s.stack.tenant.groups[0].id,
      pilotDeadlineDate: filled.deadlineDate.replace(/\d\d$/, (d) => String(Number(d) - 7).padStart(2, "0")),
      // Everyone else's reminders must come after their wave starts (at the pilot's deadline).
      reminders: "3 days, 1 day",
    });
    expect(planned.status).toBe(200);
    const plan = await planned.text();
    expect([...plan.matchAll(/<h3>Wave \d: ([^<]*)<\/h3>/g)].map((m) => m[1])).toEqual(["Pilot", "Everyone else"]);
    const [confirm] = formsOf(plan);
    expect(confirm.fields).toMatchObject({ pilotGroup: s.stack.tenant.groups[0].id, pilotReview: "on" });
    expect((await submit(confirm)).status).toBe(303);
    const [started] = await s.stack.store.listMigrations();
    expect(started.runtime.request.waves?.map((w) => [w.name, !!w.review])).toEqual([
      ["Pilot", false],
      ["Everyone else", true],
    ]);
  });

  it("refuses a confirm whose request differs from the plan shown (403, nothing started)", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const [startForm] = formsOf(await (await s.asAdmin("home")).text());
    const [confirm] = formsOf(await (await submit(startForm, filled)).text());
    expect((await submit(confirm, { workspace: "fabrikam" })).status).toBe(403);
    expect((await submit(confirm, { csrf: "x.y" })).status).toBe(403);
    expect(await s.stack.store.listMigrations()).toEqual([]);
  });
});
