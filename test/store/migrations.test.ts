import { VirtualClock } from "../../local/host/clocks";
import { ConflictError, InvalidCursorError, NotFoundError, PreconditionFailedError } from "../../shared/store/errors";
import type { MigrationStore, NewMigration } from "../../shared/store/port";
import { sampleRuntime, storeAdapters, uniquePrefix } from "./adapters";

const newMigration = (id: string, overrides: Partial<NewMigration> = {}): NewMigration => ({
  id,
  workspace: "contoso",
  domain: "contoso.com",
  phase: "setup",
  runtime: sampleRuntime(),
  deadline: "2026-12-15T17:00:00.000Z",
  ...overrides,
});

describe.each(storeAdapters())("migrations: $name", (adapter) => {
  let store: MigrationStore;
  let clock: VirtualClock;
  let prefix: string;
  beforeEach(() => {
    clock = new VirtualClock("2026-12-01T09:00:00Z");
    prefix = uniquePrefix();
    store = adapter.createStore({ tablePrefix: prefix, clock });
  });

  it("reads a row written before the runtime column was named for what it holds, and writes it under the new name", async () => {
    const created = await store.createMigration(newMigration("m1"));
    const table = adapter.rawTables().table(`${prefix}Migrations`);
    const { runtime, ...others } = (await table.get("migration", "m1"))!.properties;
    await table.replace({ partitionKey: "migration", rowKey: "m1", properties: { ...others, settings: runtime } }, "*");
    const old = await store.getMigration("m1");
    expect(old?.runtime).toEqual(created.runtime);
    await store.updateMigration("m1", { runtime: { ...old!.runtime, sent: ["invitation"] } });
    const rewritten = (await table.get("migration", "m1"))!.properties;
    expect(rewritten.settings).toBeUndefined();
    expect(JSON.parse(String(rewritten.runtime))).toMatchObject({
      sent: ["invitation"],
      request: { workspace: "contoso" },
    });
  });

  it("refuses to write or read a runtime of the wrong shape, naming the field", async () => {
    await expect(
      store.createMigration(newMigration("m1", { runtime: { ...sampleRuntime(), sent: "invitation" } as never })),
    ).rejects.toThrow(/runtime\.sent is invalid/);
    await store.createMigration(newMigration("m2"));
    const table = adapter.rawTables().table(`${prefix}Migrations`);
    const row = (await table.get("migration", "m2"))!;
    await table.replace(
      { ...row, properties: { ...row.properties, runtime: JSON.stringify({ ...sampleRuntime(), peigMode: "sftp" }) } },
      "*",
    );
    await expect(store.getMigration("m2")).rejects.toThrow(/migration m2: runtime\.peigMode is invalid/);
  });

  it("creates a running migration with zero counts and reads it back unchanged", async () => {
    const created = await store.createMigration(newMigration("m1"));
    expect(created).toMatchObject({
      id: "m1",
      status: "running",
      counts: {
        inScope: 0,
        onboarded: 0,
        pending: 0,
        mismatched: 0,
        notOnboarded: 0,
        phase2Created: 0,
        phase2Failed: 0,
      },
      createdAt: "2026-12-01T09:00:00.000Z",
      updatedAt: "2026-12-01T09:00:00.000Z",
    });
    expect(created.etag).toEqual(expect.any(String));
    expect(created).not.toHaveProperty("appId");
    await expect(store.getMigration("m1")).resolves.toStrictEqual(created);
  });

  it("refuses a second migration with the same id with ConflictError", async () => {
    await store.createMigration(newMigration("m1"));
    await expect(store.createMigration(newMigration("m1", { workspace: "other" }))).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(store.getMigration("m1")).resolves.toMatchObject({ workspace: "contoso" });
  });

  it("returns undefined for an unknown migration", async () => {
    await expect(store.getMigration("nope")).resolves.toBeUndefined();
  });

  it("applies a patch, stamps updatedAt and keeps the other fields", async () => {
    const created = await store.createMigration(newMigration("m1"));
    clock.set(new Date("2026-12-02T10:00:00Z"));
    const counts = { ...created.counts, inScope: 12, onboarded: 3 };
    const updated = await store.updateMigration("m1", { phase: "onboarding", appId: "app-1", counts });
    expect(updated).toMatchObject({
      phase: "onboarding",
      appId: "app-1",
      counts,
      runtime: created.runtime,
      createdAt: created.createdAt,
      updatedAt: "2026-12-02T10:00:00.000Z",
    });
    expect(updated.etag).not.toBe(created.etag);
    await expect(store.getMigration("m1")).resolves.toEqual(updated);
  });

  it("applies a conditional update only while the etag is current", async () => {
    const created = await store.createMigration(newMigration("m1"));
    const first = await store.updateMigration("m1", { phase: "onboarding" }, { etag: created.etag });
    await expect(store.updateMigration("m1", { phase: "phase2" }, { etag: created.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(store.getMigration("m1")).resolves.toEqual(first);
  });

  it("lets exactly one of two conditional updates from the same version win", async () => {
    const created = await store.createMigration(newMigration("m1"));
    const results = await Promise.allSettled([
      store.updateMigration("m1", { status: "cancelled" }, { etag: created.etag }),
      store.updateMigration("m1", { status: "completed" }, { etag: created.etag }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(PreconditionFailedError);
  });

  it("keeps both of two concurrent unconditional patches to different fields", async () => {
    await store.createMigration(newMigration("m1"));
    await Promise.all([
      store.updateMigration("m1", { phase: "onboarding" }),
      store.updateMigration("m1", { appId: "app-1" }),
    ]);
    await expect(store.getMigration("m1")).resolves.toMatchObject({ phase: "onboarding", appId: "app-1" });
  });

  it("throws NotFoundError when updating an unknown migration and does not create it", async () => {
    await expect(store.updateMigration("ghost", { phase: "x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getMigration("ghost")).resolves.toBeUndefined();
  });

  it("lists migrations oldest first, filtered by workspace and status", async () => {
    await store.createMigration(newMigration("b-first"));
    clock.set(new Date("2026-12-01T10:00:00Z"));
    await store.createMigration(newMigration("a-second", { status: "completed" }));
    await store.createMigration(newMigration("c-other", { workspace: "fabrikam" }));
    expect((await store.listMigrations()).map((m) => m.id)).toEqual(["b-first", "a-second", "c-other"]);
    expect((await store.listMigrations({ workspace: "contoso" })).map((m) => m.id)).toEqual(["b-first", "a-second"]);
    expect((await store.listMigrations({ workspace: "contoso", status: "running" })).map((m) => m.id)).toEqual([
      "b-first",
    ]);
    expect(await store.listMigrations({ workspace: "o'brien" })).toEqual([]);
  });

  it("pages through all migrations, each once, with a cursor; refuses a cursor it did not hand out", async () => {
    for (const id of ["m3", "m1", "m5", "m2", "m4"])
      await store.createMigration(newMigration(id, { workspace: `w-${id}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.pageMigrations({ top: 2, cursor });
      expect(page.migrations.length).toBeLessThanOrEqual(2);
      seen.push(...page.migrations.map((m) => m.id));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    await expect(store.pageMigrations({ top: 2, cursor: "not-a-cursor" })).rejects.toBeInstanceOf(InvalidCursorError);
    await store.upsertUsers("m1", [
      { userId: "u1", userPrincipalName: "a@contoso.com", displayName: "A", state: "notOnboarded" },
      { userId: "u2", userPrincipalName: "b@contoso.com", displayName: "B", state: "notOnboarded" },
    ]);
    const usersCursor = (await store.listUsers("m1", { top: 1 })).cursor;
    expect(usersCursor).toBeDefined();
    await expect(store.pageMigrations({ top: 1, cursor: usersCursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.pageMigrations({ top: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
