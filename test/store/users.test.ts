import { VirtualClock } from "../../local/host/clocks";
import { RequestCounter } from "../../shared/requestCounter";
import { InvalidCursorError, NotFoundError } from "../../shared/store/errors";
import type { MigrationStore, UserPage, UserState, UserUpsert } from "../../shared/store/port";
import { storeAdapters, uniquePrefix } from "./adapters";

const user = (n: number, overrides: Partial<UserUpsert> = {}): UserUpsert => ({
  userId: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
  userPrincipalName: `user${n}@contoso.com`,
  mail: `user${n}@contoso.com`,
  displayName: `User ${n}`,
  state: "notOnboarded",
  ...overrides,
});

describe.each(storeAdapters())("per-user rows: $name", (adapter) => {
  let store: MigrationStore;
  let clock: VirtualClock;
  beforeEach(() => {
    clock = new VirtualClock("2026-12-01T09:00:00Z");
    store = adapter.createStore({ tablePrefix: uniquePrefix(), clock });
  });

  it("upserts 10,000 users in transactions of 100 and reads every one back", async () => {
    const requestCounter = new RequestCounter();
    const counted = adapter.createStore({ tablePrefix: uniquePrefix(), clock, requestCounter });
    const rows = Array.from({ length: 10_000 }, (_, n) => user(n));
    await counted.upsertUsers("m1", rows);
    expect(requestCounter.get("table.transaction")).toBe(100);
    const stored = await counted.getUsers("m1");
    expect(stored).toHaveLength(10_000);
    expect(stored.map((u) => u.userId)).toEqual(rows.map((r) => r.userId));
    expect(stored[9_999]).toEqual({
      ...rows[9_999],
      remindersSent: 0,
      phase2: { attempts: 0 },
      updatedAt: "2026-12-01T09:00:00.000Z",
    });
    // 10,000 rows at the service's 1,000 per page.
    expect(requestCounter.get("table.query")).toBe(10);
  });

  it("merges an upsert into an existing row, keeping fields the new row leaves out", async () => {
    await store.upsertUsers("m1", [user(1, { remindersSent: 2, lastReminderAt: "2026-12-08T09:00:00.000Z" })]);
    clock.set(new Date("2026-12-09T09:00:00Z"));
    await store.upsertUsers("m1", [user(1, { state: "onboarded", mail: undefined })]);
    const [stored] = await store.getUsers("m1");
    expect(stored).toMatchObject({
      state: "onboarded",
      remindersSent: 2,
      lastReminderAt: "2026-12-08T09:00:00.000Z",
      mail: "user1@contoso.com",
      updatedAt: "2026-12-09T09:00:00.000Z",
    });
  });

  it("keeps the last row when one call repeats a user", async () => {
    await store.upsertUsers("m1", [user(1), user(2), user(1, { state: "pendingRequest" })]);
    const stored = await store.getUsers("m1");
    expect(stored.map((u) => [u.userId, u.state])).toEqual([
      [user(1).userId, "pendingRequest"],
      [user(2).userId, "notOnboarded"],
    ]);
  });

  it("patches one user and returns the updated row", async () => {
    await store.upsertUsers("m1", [user(1)]);
    clock.set(new Date("2026-12-16T09:00:00Z"));
    const phase2 = { attempts: 1, result: "created" as const, peigAccountId: "peig-1" };
    const updated = await store.updateUser("m1", user(1).userId, {
      state: "phase2Created",
      phase2,
      mergeSuggestion: { requestEmail: "u1@gmail.com" },
    });
    expect(updated).toMatchObject({
      state: "phase2Created",
      phase2,
      mergeSuggestion: { requestEmail: "u1@gmail.com" },
      displayName: "User 1",
      updatedAt: "2026-12-16T09:00:00.000Z",
    });
    await expect(store.getUsers("m1")).resolves.toEqual([updated]);
  });

  it("keeps both of two concurrent patches to the same user", async () => {
    await store.upsertUsers("m1", [user(1)]);
    await Promise.all([
      store.updateUser("m1", user(1).userId, { remindersSent: 1 }),
      store.updateUser("m1", user(1).userId, { state: "pendingRequest" }),
    ]);
    await expect(store.getUsers("m1")).resolves.toMatchObject([{ remindersSent: 1, state: "pendingRequest" }]);
  });

  it("throws NotFoundError when patching an unknown user, without creating it", async () => {
    await expect(store.updateUser("m1", "ghost", { state: "onboarded" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getUsers("m1")).resolves.toEqual([]);
  });

  it("keeps each migration's users apart and accepts ids that are not valid table keys", async () => {
    await store.upsertUsers("m1", [user(1, { userId: "odd/id#1?" })]);
    await store.upsertUsers("m2", [user(2)]);
    expect((await store.getUsers("m1")).map((u) => u.userId)).toEqual(["odd/id#1?"]);
    expect((await store.getUsers("m2")).map((u) => u.userId)).toEqual([user(2).userId]);
    await expect(store.getUsers("m3")).resolves.toEqual([]);
  });

  it("pages through one state's users with opaque cursors, one table request per page, never into another migration", async () => {
    const requestCounter = new RequestCounter();
    const counted = adapter.createStore({ tablePrefix: uniquePrefix(), clock, requestCounter });
    await counted.upsertUsers(
      "m1",
      Array.from({ length: 250 }, (_, n) => user(n, { state: n % 5 === 0 ? "onboarded" : "notOnboarded" })),
    );
    await counted.upsertUsers("m2", [user(900, { state: "onboarded" })]);
    const all = async (state?: UserState) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: UserPage = await counted.listUsers("m1", { state, top: 20, cursor });
        expect(page.users.length).toBeLessThanOrEqual(20);
        ids.push(...page.users.map((u) => u.userId));
        cursor = page.cursor;
        if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        pages++;
      } while (cursor);
      return { ids, pages };
    };
    const before = requestCounter.get("table.query");
    const onboarded = await all("onboarded");
    expect(onboarded.ids).toEqual(Array.from({ length: 50 }, (_, n) => user(n * 5).userId));
    expect(requestCounter.get("table.query") - before).toBe(onboarded.pages);
    expect((await all()).ids).toHaveLength(250);
    const first = await counted.listUsers("m1", { state: "notOnboarded", top: 3 });
    expect(first.users.map((u) => u.displayName)).toEqual(["User 1", "User 2", "User 3"]);
  });

  it("refuses a cursor it did not hand out, or one from another migration", async () => {
    await store.upsertUsers("m1", [user(1), user(2)]);
    await store.upsertUsers("m2", [user(1), user(2)]);
    const { cursor } = await store.listUsers("m2", { top: 1 });
    expect(cursor).toBeDefined();
    await expect(store.listUsers("m1", { top: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listUsers("m1", { top: 1, cursor: "not-a-cursor" })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listUsers("m2", { top: 1, cursor })).resolves.toMatchObject({
      users: [{ userId: user(2).userId }],
    });
  });
});
