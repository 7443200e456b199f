/**
 * The admins' home: GET /api/migrations (JSON, paged) and the home page, whose start form shows the dry-run
 * plan first and starts only on the confirm. Driven like a browser: the key in ?code=, forms posted as
 * application/x-www-form-urlencoded, no header a page could not send.
 */
import { startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

interface Form {
  action: string;
  fields: Record<string, string>;
}

const unescape = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The page's forms: action, and the values a browser would post (text inputs, checked boxes, selected options). */
function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)].map(([, action, inner]) => {
    const fields: Record<string, string> = {};
    for (const [tag] of inner.matchAll(/<input [^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(tag)?.[1];
      if (!name) continue;
      if (tag.includes('type="checkbox"')) {
        if (tag.includes(" checked")) fields[name] = "on";
      } else fields[name] = unescape(/value="([^"]*)"/.exec(tag)?.[1] ?? "");
    }
    for (const [, name, options] of inner.matchAll(/<select [^>]*name="([^"]*)">([\s\S]*?)<\/select>/g))
      fields[name] = /<option value="([^"]*)" selected>/.exec(options)?.[1] ?? "";
    return { action: unescape(action), fields };
  });
}

const submit = (form: Form, changes: Record<string, string> = {}) =>
  fetch(form.action, {
    method: "POST",
    body: new URLSearchParams({ ...form.fields, ...changes }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });

const sample = startBody();
const filled = {
  workspace: sample.workspace,
  domain: sample.domain,
  idpEntityId: sample.idpEntityId,
  deadline: sample.deadline,
  approvers: sample.approvers.join(", "),
  admins: sample.admins.join(", "),
};

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
      deadline: sample.deadline,
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
    expect((await fetch(`${s.host.baseUrl}/api/home`)).status).toBe(401);
  });
});

describe("the home page", () => {
  it("shows the dry-run plan for the form, starts nothing until the admin confirms, then opens the status page", async () => {
    s = await startScenario({ tenant: { users: 12, seed: 3 } });
    const home = await fetch(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`);
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
    expect(await s.stack.store.listMigrations()).toEqual([]);

    const [confirm] = formsOf(planHtml);
    const started = await submit(confirm);
    expect(started.status).toBe(303);
    const location = started.headers.get("location")!;
    expect(location).toMatch(/\/api\/migrations\/[0-9a-f-]{36}\/page\?code=/);
    await s.host.idle();
    const [migration] = await s.stack.store.listMigrations();
    expect(migration).toMatchObject({ workspace: "contoso", domain: "contoso.com" });
    expect((await fetch(location)).status).toBe(200);

    const listed = await (
      await fetch(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`)
    ).text();
    expect(listed).toContain(`/api/migrations/${migration.id}/page?code=`);
    expect(listed).toContain("of 12 onboarded");
  });

  it("shows each validation error next to its field and keeps what was typed", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const [startForm] = formsOf(
      await (await fetch(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`)).text(),
    );
    const refused = await submit(startForm, {
      ...filled,
      approvers: "cio@contoso.com, not-an-address",
      requiredApprovals: "two",
      deadline: "tomorrow",
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    const errorsFor = (field: string) =>
      [...html.matchAll(new RegExp(`<div class="bad" data-error-for="${field}">([^<]*)</div>`, "g"))].map((m) => m[1]);
    expect(errorsFor("approvers")).toEqual([expect.stringContaining("approvers.1")]);
    expect(errorsFor("deadline")).toEqual([expect.stringContaining("ISO 8601")]);
    expect(errorsFor("requiredApprovals")).toEqual([expect.stringContaining("whole number")]);
    expect(errorsFor("workspace")).toEqual([]);
    expect(html).toContain('value="cio@contoso.com, not-an-address"');
    expect(await s.stack.store.listMigrations()).toEqual([]);
  });

  it("refuses a confirm whose request differs from the plan shown (403, nothing started)", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const [startForm] = formsOf(
      await (await fetch(`${s.host.baseUrl}/api/home?code=${encodeURIComponent(s.host.functionKey)}`)).text(),
    );
    const [confirm] = formsOf(await (await submit(startForm, filled)).text());
    expect((await submit(confirm, { workspace: "fabrikam" })).status).toBe(403);
    expect((await submit(confirm, { csrf: "x.y" })).status).toBe(403);
    expect(await s.stack.store.listMigrations()).toEqual([]);
  });
});
