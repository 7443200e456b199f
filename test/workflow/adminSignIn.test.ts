/**
 * Admins sign in with Entra (issue 27): on the local host, its stand-in for App Service Authentication signs people
 * in and passes their principal, as Azure does. Anonymous page requests go to sign in; a Viewer reads but is refused
 * every command (buttons hidden, API 403); an Admin can; the audit names the signed-in person (or "function key");
 * a principal header sent by a client is ignored; no page or link carries a key.
 */
import { principalHeaders } from "../../local/host/appServiceAuth";
import { LOCAL_ADMIN, LOCAL_STAFF, LOCAL_VIEWER } from "../../local/fixtures/staff";
import type { SignedInFetch } from "../../local/host/testHost";
import { auditOf, filledStartForm, formsOf, startBody, startScenario, unescapeHtml, type Scenario } from "./harness";

let s: Scenario;
afterEach(async () => {
  const finished = s;
  s = undefined as unknown as Scenario;
  await finished?.stop();
});

const url = (path: string) => `${s.host.baseUrl}${path}`;
const formPost = (fields: Record<string, string>): RequestInit => ({
  method: "POST",
  body: new URLSearchParams(fields),
  headers: { "content-type": "application/x-www-form-urlencoded" },
  redirect: "manual",
});
const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});

/** The hidden fields of each command form on the status page, by command. */
function commandForms(html: string): Record<string, Record<string, string>> {
  const forms: Record<string, Record<string, string>> = {};
  for (const [, , command, inner] of html.matchAll(
    /<form method="post" action="([^"]*)" id="action-([A-Za-z]+)">([\s\S]*?)<\/form>/g,
  ))
    forms[command] = Object.fromEntries(
      [...inner.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(([, n, v]) => [
        n,
        unescapeHtml(v),
      ]),
    );
  return forms;
}

/** An access token for the app, as Entra would issue it to this person (the local stand-in's token endpoint). */
async function tokenFor(upn: string): Promise<string> {
  const res = await fetch(url("/.auth/local/token"), jsonPost({ userPrincipalName: upn }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const adminPages = (id: string) => [
  ["GET", "/api/home"],
  ["POST", "/api/home/plan"],
  ["POST", "/api/home/start"],
  ["GET", `/api/migrations/${id}/page`],
  ["POST", `/api/migrations/${id}/page`],
  ["GET", `/api/migrations/${id}/report`],
];

describe("signing in to the admin pages", () => {
  it("sends an anonymous request to any admin page to the sign-in page, and back to the page afterwards", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    for (const [method, path] of adminPages(id)) {
      const res = await fetch(url(path), { method, redirect: "manual", body: method === "POST" ? "" : undefined });
      expect([method, path, res.status]).toEqual([method, path, 302]);
      const location = new URL(res.headers.get("location")!, s.host.baseUrl);
      expect(location.pathname).toBe("/.auth/login/aad");
      expect(location.searchParams.get("post_login_redirect_uri")).toBe(
        method === "POST" && path.startsWith("/api/home") ? "/api/home" : path,
      );
    }
    // The sign-in page says it is the local stand-in, and signing in lands on the page asked for.
    const signInPage = await (await fetch(url(`/.auth/login/aad?post_login_redirect_uri=/api/home`))).text();
    expect(signInPage).toContain("Local stand-in for Microsoft Entra sign-in");
    const person = LOCAL_STAFF.find((p) => p.userPrincipalName === LOCAL_ADMIN)!;
    const signIn = await fetch(
      url("/.auth/login/aad"),
      formPost({ person: person.id, post_login_redirect_uri: `/api/migrations/${id}/page` }),
    );
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get("location")).toBe(`/api/migrations/${id}/page`);
    // Only a path on this host: anything else goes home.
    const away = await fetch(
      url("/.auth/login/aad"),
      formPost({ person: person.id, post_login_redirect_uri: "//evil.example/" }),
    );
    expect(away.headers.get("location")).toBe("/api/home");
  });

  it("lets a Viewer read, hides every button and the start form, and refuses each command with a page in words", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const viewer = await s.host.signIn(LOCAL_VIEWER);
    const home = await viewer(url("/api/home"));
    expect(home.status).toBe(200);
    const homeHtml = await home.text();
    expect(homeHtml).toContain(`Signed in as <bdi>${LOCAL_VIEWER}</bdi>`);
    expect(homeHtml).toContain("needs the Migration.Admin role");
    expect(homeHtml).not.toContain("Start a migration");
    expect(homeHtml).not.toContain("<form");
    const page = await viewer(url(`/api/migrations/${id}/page`));
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(commandForms(pageHtml)).toEqual({});
    expect(pageHtml).not.toContain('id="actions"');
    expect((await viewer(url(`/api/migrations/${id}/report`))).status).toBe(404); // readable; no report yet

    // Each command posted anyway (with an admin's form fields) is refused before anything happens.
    const admin = await s.host.signIn(LOCAL_ADMIN);
    const forms = commandForms(await (await admin(url(`/api/migrations/${id}/page`))).text());
    expect(Object.keys(forms).sort()).toEqual([
      "cancel",
      "exemptPerson",
      "extendDeadline",
      "extendPersonDeadline",
      "resendInvitation",
    ]);
    for (const [action, extra] of [
      ["cancel", { reason: "viewer" }],
      ["extendDeadline", { deadline: "2026-12-20T09:00" }],
      ["extendPersonDeadline", { user: "john.smith@contoso.com", deadline: "2026-12-20T09:00" }],
      ["resume", {}],
    ] as const) {
      const refused = await viewer(url(`/api/migrations/${id}/page`), formPost({ ...forms.cancel, action, ...extra }));
      expect([action, refused.status]).toEqual([action, 403]);
      const text = await refused.text();
      expect(text).toContain(`You are signed in as ${LOCAL_VIEWER}, who may not change a migration`);
      expect(text).not.toMatch(/at [\w.]+ \(|Error:/); // words, not a stack
    }
    expect((await viewer(url("/api/home/plan"), formPost({ workspace: "x" }))).status).toBe(403);
    expect((await viewer(url("/api/home/start"), formPost({ workspace: "x" }))).status).toBe(403);
    expect(await s.phase(id)).not.toBe("cancelled");
    expect(await auditOf(s, id, "migration.cancelRequested")).toEqual([]);
    expect(await auditOf(s, id, "deadline.extended")).toEqual([]);
    expect(await auditOf(s, id, "person.deadlineExtended")).toEqual([]);
  });

  it("refuses a Viewer's access token every command on the JSON API, and lets it read", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const bearer = { authorization: `Bearer ${await tokenFor(LOCAL_VIEWER)}` };
    expect((await fetch(url(`/api/migrations/${id}`), { headers: bearer })).status).toBe(200);
    expect((await fetch(url("/api/migrations"), { headers: bearer })).status).toBe(200);
    for (const [path, body] of [
      ["/api/migrations", startBody({ dryRun: true })],
      [`/api/migrations/${id}/cancel`, { reason: "viewer" }],
      [`/api/migrations/${id}/deadline`, { deadline: "2026-12-20T09:00:00Z" }],
      [`/api/migrations/${id}/people/deadline`, { user: "john.smith@contoso.com", deadline: "2026-12-20T09:00:00Z" }],
      [`/api/migrations/${id}/resume`, {}],
      [`/api/migrations/${id}/approval`, {}],
    ] as const) {
      const res = await fetch(url(path), jsonPost(body, bearer));
      expect([path, res.status]).toEqual([path, 403]);
      expect(((await res.json()) as { error: string }).error).toBe(
        `${LOCAL_VIEWER} needs the Migration.Admin app role for this`,
      );
    }
    // No credential at all: 401 on every route of the JSON API, saying what to send; nothing done.
    for (const [method, path] of [
      ["GET", "/api/migrations"],
      ["POST", "/api/migrations"],
      ["GET", `/api/migrations/${id}`],
      ["GET", `/api/migrations/${id}/users`],
      ["GET", `/api/migrations/${id}/report?format=json`],
      ["POST", `/api/migrations/${id}/deadline`],
      ["POST", `/api/migrations/${id}/cancel`],
      ["POST", `/api/migrations/${id}/approval`],
      ["POST", `/api/migrations/${id}/resume`],
    ]) {
      const res = await fetch(url(path), { method, body: method === "POST" ? "{}" : undefined });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(((await res.json()) as { error: string }).error).toMatch(/^sign in: send an Entra access token/);
    }
    expect(await auditOf(s, id, "migration.cancelRequested")).toEqual([]);
    // An unknown token: 401 from the platform, before the app.
    expect((await fetch(url(`/api/migrations/${id}`), { headers: { authorization: "Bearer forged" } })).status).toBe(
      401,
    );
  });
});

describe("an Admin's commands", () => {
  it("start from the home form, extend and cancel from the status page, each audited with the signed-in person", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const admin = await s.host.signIn(LOCAL_ADMIN);
    const [startForm] = formsOf(await (await admin(url("/api/home"))).text());
    const plan = await admin(
      startForm.action,
      formPost({
        ...startForm.fields,
        ...filledStartForm(),
      }),
    );
    expect(plan.status).toBe(200);
    const [confirm] = formsOf(await plan.text());
    const started = await admin(confirm.action, formPost(confirm.fields));
    expect(started.status).toBe(303);
    const pageUrl = started.headers.get("location")!;
    const id = /migrations\/([0-9a-f-]{36})\/page$/.exec(pageUrl)![1];
    await s.host.idle();

    const forms = commandForms(await (await admin(pageUrl)).text());
    const extended = await admin(pageUrl, formPost({ ...forms.extendDeadline, deadline: "2026-12-20T09:00" }));
    expect(extended.status).toBe(303);
    await s.host.idle();
    const again = commandForms(await (await admin(pageUrl)).text());
    expect((await admin(pageUrl, formPost({ ...again.cancel, reason: "test" }))).status).toBe(303);

    const actors = await Promise.all(
      ["migration.started", "deadline.extended", "migration.cancelRequested"].map(
        async (action) => (await auditOf(s, id, action))[0]?.actor,
      ),
    );
    expect(actors).toEqual([`admin:${LOCAL_ADMIN}`, `admin:${LOCAL_ADMIN}`, `admin:${LOCAL_ADMIN}`]);
  });

  it('names the token\'s person for API commands, and "function key" for a key', async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const bearer = { authorization: `Bearer ${await tokenFor(LOCAL_ADMIN)}` };
    const res = await fetch(url("/api/migrations"), jsonPost(startBody(), bearer));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await s.host.idle();
    expect(
      (await fetch(url(`/api/migrations/${id}/deadline`), jsonPost({ deadline: "2026-12-20T09:00:00Z" }, bearer)))
        .status,
    ).toBe(202);
    const keyed = await s.api(`migrations/${id}/cancel`, jsonPost({ reason: "automation" }));
    expect(keyed.status).toBe(202);
    expect((await auditOf(s, id, "migration.started"))[0].actor).toBe(`admin:${LOCAL_ADMIN}`);
    expect((await auditOf(s, id, "deadline.extended"))[0].actor).toBe(`admin:${LOCAL_ADMIN}`);
    expect((await auditOf(s, id, "migration.cancelRequested"))[0].actor).toBe("admin:function key");
    // A wrong key is no key.
    const wrong = await fetch(url(`/api/migrations/${id}`), { headers: { "x-functions-key": "not-the-key" } });
    expect(wrong.status).toBe(401);
  });
});

describe("a principal header sent by a client", () => {
  it("is stripped: anonymous stays anonymous, a Viewer stays a Viewer, and the audit cannot be forged", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const admin = LOCAL_STAFF.find((p) => p.userPrincipalName === LOCAL_ADMIN)!;
    const forged = { ...principalHeaders({ ...admin, roles: ["Migration.Admin"] }) };
    const anonymous = await fetch(url("/api/home"), { headers: forged, redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect((await fetch(url(`/api/migrations/${id}`), { headers: forged })).status).toBe(401);

    const viewer = await s.host.signIn(LOCAL_VIEWER);
    const asViewer = await viewer(url(`/api/migrations/${id}/page`), formPost({ action: "cancel" }));
    expect(asViewer.status).toBe(403);
    const forgedPost = await viewer(url(`/api/migrations/${id}/page`), {
      ...formPost({ action: "cancel" }),
      headers: { "content-type": "application/x-www-form-urlencoded", ...forged },
    });
    expect(forgedPost.status).toBe(403);

    // With a key, a forged name does not reach the audit either.
    const keyed = await s.api(
      `migrations/${id}/cancel`,
      jsonPost({ reason: "x" }, { "x-ms-client-principal-name": "mallory@evil.example" }),
    );
    expect(keyed.status).toBe(202);
    expect((await auditOf(s, id, "migration.cancelRequested"))[0].actor).toBe("admin:function key");
  });
});

describe("keys in pages", () => {
  it("no rendered page, redirect or link contains code=", async () => {
    s = await startScenario({ tenant: { users: 10 } });
    const id = await s.start();
    const admin: SignedInFetch = await s.host.signIn(LOCAL_ADMIN);
    const seen: string[] = [];
    for (const path of ["/api/home", `/api/migrations/${id}/page`, `/api/migrations/${id}/page?done=cancel&at=x`]) {
      const res = await admin(url(path), { redirect: "manual" });
      expect(res.status).toBe(200);
      seen.push(await res.text());
    }
    const forms = commandForms(seen[1]);
    const pressed = await admin(
      url(`/api/migrations/${id}/page`),
      formPost({ ...forms.extendDeadline, deadline: "2026-12-21T09:00" }),
    );
    expect(pressed.status).toBe(303);
    seen.push(pressed.headers.get("location")!);
    for (const text of seen) expect(text).not.toMatch(/code=/i);
  });
});
