/**
 * The task page's CSRF protection is bound to its task: a token and cookie from one task's page do
 * not decide another task, several task pages open side by side in one browser each work, and a POST
 * that the browser says comes from another site is refused.
 */
import { startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const CIO = "cio@contoso.com";
const CISO = "ciso@contoso.com";

async function atApprovalGate(): Promise<string> {
  s = await startScenario({ tenant: { users: 30, missRate: 0, mismatchRate: 0 } });
  const id = await s.start(startBody({ requiredApprovals: 2 }));
  await s.runUntil(async () => (await s.phase(id)) === "approval");
  return id;
}

/** A browser's cookie jar: every Set-Cookie it was given, one value per name, sent back together. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  async open(link: string): Promise<string> {
    const res = await fetch(s.taskUrl(link));
    for (const header of res.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    expect(res.status).toBe(200);
    return /name="csrf" value="([^"]+)"/.exec(await res.text())![1];
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

const decided = async (id: string) =>
  (await s.stack.store.listTasks(id, { gate: "deletionApproval-1" }))
    .filter((t) => t.status === "decided")
    .map((t) => t.assignee);

describe("task-page CSRF", () => {
  it("lets two task pages opened side by side in one browser each decide their own task", async () => {
    const id = await atApprovalGate();
    const jar = new CookieJar();
    const [cio] = s.taskLinks(CIO);
    const [ciso] = s.taskLinks(CISO);
    const cioCsrf = await jar.open(cio);
    const cisoCsrf = await jar.open(ciso);
    expect((await s.postTask(cio, { csrf: cioCsrf, decision: "approve" }, { cookie: jar.header })).status).toBe(200);
    expect((await s.postTask(ciso, { csrf: cisoCsrf, decision: "approve" }, { cookie: jar.header })).status).toBe(200);
    expect((await decided(id)).sort()).toEqual([CIO, CISO]);
  });

  it("refuses a token and cookie from another task's page with 403, and records nothing", async () => {
    const id = await atApprovalGate();
    const [cio] = s.taskLinks(CIO);
    const [ciso] = s.taskLinks(CISO);
    const page = await s.openTask(cio);
    // The cookie as the other task's cookie name would carry it, and as it came.
    const otherName = (await s.openTask(ciso)).cookie.split("=")[0];
    const value = page.cookie.slice(page.cookie.indexOf("=") + 1);
    for (const cookie of [page.cookie, `${otherName}=${value}`]) {
      expect((await s.postTask(ciso, { csrf: page.csrf, decision: "approve" }, { cookie })).status).toBe(403);
    }
    expect(await decided(id)).toEqual([]);
  });

  it.each([
    ["an Origin of another site", { origin: "https://evil.example" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site (another host of the domain)", { "sec-fetch-site": "same-site", origin: "null" }],
  ])("refuses a POST with %s (403), even with a valid token", async (_what, headers) => {
    const id = await atApprovalGate();
    const [cio] = s.taskLinks(CIO);
    const page = await s.openTask(cio);
    expect(
      (await s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie, headers })).status,
    ).toBe(403);
    expect(await decided(id)).toEqual([]);
    // From the page's own origin it goes through.
    const own = { origin: new URL(s.taskUrl(cio)).origin, "sec-fetch-site": "same-origin" };
    expect(
      (await s.postTask(cio, { csrf: page.csrf, decision: "approve" }, { cookie: page.cookie, headers: own })).status,
    ).toBe(200);
  });
});
