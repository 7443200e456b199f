/**
 * The status JSON, the status page and the users endpoint cost the same at any tenant size: counts come
 * from the migration row, user lists are pages of at most 500 with an opaque cursor. Checked by counting
 * the rows each request reads from the memory store at 100,000 users, against the same at 100.
 */
import { defaultTimings } from "../../shared/domain/waits";
import { EntityMigrationStore } from "../../shared/store/entityStore";
import { MemoryEntityTables } from "../../shared/store/memoryEntityTables";
import type { UserState, UserUpsert } from "../../shared/store";
import { RowCountingTables } from "../store/countingTables";
import { startBody, startScenario, type Scenario } from "./harness";

const states: UserState[] = [
  "onboarded",
  "notOnboarded",
  "onboarded",
  "pendingRequest",
  "mismatched",
  "onboarded",
  "phase2Created",
];

async function seedMigration(store: EntityMigrationStore, id: string, users: number): Promise<void> {
  const request = startBody();
  await store.createMigration({
    id,
    workspace: `w${users}`,
    domain: "contoso.com",
    phase: "onboarding",
    deadline: String(request.deadline),
    runtime: { request, peigMode: "api", taskLinkTtlMs: 86_400_000, timings: defaultTimings, commands: {}, sent: [] },
    counts: {
      inScope: users,
      onboarded: 0,
      pending: 0,
      mismatched: 0,
      notOnboarded: 0,
      phase2Created: 0,
      phase2Failed: 0,
    },
  });
  const rows: UserUpsert[] = Array.from({ length: users }, (_, n) => ({
    userId: `u${String(n).padStart(7, "0")}`,
    userPrincipalName: `user${n}@contoso.com`,
    displayName: `User ${n}`,
    state: states[n % states.length],
  }));
  await store.upsertUsers(id, rows);
}

/** Route ids are UUIDs (any other id is a 404). */
const SMALL = "00000000-0000-4000-8000-000000000100";
const LARGE = "00000000-0000-4000-8000-000000100000";

describe("status and users endpoints at 100,000 users", () => {
  let s: Scenario;
  let tables: RowCountingTables;
  beforeAll(async () => {
    s = await startScenario({ tenant: { users: 20 } });
    tables = new RowCountingTables(new MemoryEntityTables());
    const store = new EntityMigrationStore(tables, { tablePrefix: "Scale", clock: s.clock });
    s.stack.services.store = store;
    await seedMigration(store, SMALL, 100);
    await seedMigration(store, LARGE, 100_000);
  }, 120_000);
  afterAll(() => s.stop());

  /** User rows and all rows read by one GET, and the response body's size. */
  const measure = async (path: string) => {
    tables.reset();
    // The page as a signed-in admin reads it; the JSON with the key.
    const res = await (path.endsWith("/page") ? s.asAdmin(path) : s.api(path));
    const body = await res.text();
    return {
      status: res.status,
      userRows: tables.read("Users"),
      rows: [...tables.rowsRead.values()].reduce((a, b) => a + b, 0),
      bytes: body.length,
      body,
    };
  };

  it("answers the status JSON without reading any user row, the same at 100 and at 100,000 users", async () => {
    const small = await measure(`migrations/${SMALL}`);
    const large = await measure(`migrations/${LARGE}`);
    expect([small.status, large.status]).toEqual([200, 200]);
    expect(large.userRows).toBe(0);
    expect(large.rows).toBe(small.rows);
    expect(Math.abs(large.bytes - small.bytes)).toBeLessThan(200);
    const status = JSON.parse(large.body) as { counts: { inScope: number }; links: { users: Record<string, string> } };
    expect(status.counts.inScope).toBe(100_000);
    expect(status.links.users.notOnboarded).toMatch(new RegExp(`/api/migrations/${LARGE}/users\\?state=notOnboarded$`));
  });

  it("renders the status page from the first 100 of each user table, with a link to the rest", async () => {
    const large = await measure(`migrations/${LARGE}/page`);
    expect(large.status).toBe(200);
    expect(large.userRows).toBeLessThanOrEqual(200);
    expect(large.body).toContain("First 100 of");
    expect(large.body).toContain(`/api/migrations/${LARGE}/users?state=notOnboarded`);
    const small = await measure(`migrations/${SMALL}/page`);
    expect(small.body).not.toContain("First 100 of");
  });

  it("pages one state's users 500 at a time, each page reading at most 500 user rows", async () => {
    const first = await measure(`migrations/${LARGE}/users?state=notOnboarded&top=500`);
    expect(first.status).toBe(200);
    expect(first.userRows).toBeLessThanOrEqual(500);
    const page = JSON.parse(first.body) as { users: { userId: string; state: string }[]; next: string };
    expect(page.users).toHaveLength(500);
    expect(page.users.every((u) => u.state === "notOnboarded")).toBe(true);
    const next = new URL(page.next);
    expect(next.searchParams.get("state")).toBe("notOnboarded");
    expect(next.searchParams.get("cursor")).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await measure(next.pathname.replace(/^\/api\//, "") + next.search);
    expect(second.userRows).toBeLessThanOrEqual(500);
    const ids = (JSON.parse(second.body) as { users: { userId: string }[] }).users.map((u) => u.userId);
    expect(ids[0] > page.users[499].userId).toBe(true);
  });

  it("lists every user of a small migration across pages, each once", async () => {
    const seen: string[] = [];
    let path: string | null = `migrations/${SMALL}/users?top=7`;
    while (path) {
      const body = JSON.parse((await measure(path)).body) as { users: { userId: string }[]; next: string | null };
      seen.push(...body.users.map((u) => u.userId));
      path = body.next && body.next.slice(body.next.indexOf("/api/") + 5);
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, n) => `u${String(n).padStart(7, "0")}`));
  });

  it.each([
    ["an unknown state", "state=done", "state"],
    ["top of 0", "top=0", "top"],
    ["top over 500", "top=501", "top"],
    ["top not a number", "top=ten", "top"],
    ["top with a fraction", "top=2.5", "top"],
    ["a cursor it did not hand out", "cursor=bm9wZQ", "cursor"],
  ])("answers 400 naming the field for %s", async (_what, query, field) => {
    const res = await s.api(`migrations/${LARGE}/users?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([field]);
  });

  it("answers 404 for an unknown migration", async () => {
    expect((await s.api("migrations/nope/users")).status).toBe(404);
  });
});
