import { sampleRuntime, storeAdapters, uniquePrefix } from "./adapters";

const migration = {
  id: "m1",
  workspace: "contoso",
  domain: "contoso.com",
  phase: "setup",
  runtime: sampleRuntime(),
  deadline: "2026-12-15T17:00:00.000Z",
};

describe.each(storeAdapters())("table prefix: $name", (adapter) => {
  it("keeps stores with different prefixes apart on one account", async () => {
    const a = adapter.createStore({ tablePrefix: uniquePrefix() });
    const b = adapter.createStore({ tablePrefix: uniquePrefix() });
    await a.createMigration(migration);
    await a.claimWorkspace("contoso", "m1");
    await a.appendAudit({ migrationId: "m1", actor: "system", action: "x" });
    await expect(b.getMigration("m1")).resolves.toBeUndefined();
    await expect(b.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: true });
    await expect(b.listAudit("m1")).resolves.toEqual([]);
    await expect(b.createMigration(migration)).resolves.toMatchObject({ id: "m1" });
  });

  it("lets two stores with the same prefix (two processes) share state", async () => {
    const prefix = uniquePrefix();
    const first = adapter.createStore({ tablePrefix: prefix });
    const second = adapter.createStore({ tablePrefix: prefix });
    const created = await first.createMigration(migration);
    await expect(second.getMigration("m1")).resolves.toEqual(created);
    await first.claimWorkspace("contoso", "m1");
    await expect(second.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: false, activeMigrationId: "m1" });
  });

  it("rejects a prefix that cannot start a table name", () => {
    expect(() => adapter.createStore({ tablePrefix: "1abc" })).toThrow(/table prefix/);
    expect(() => adapter.createStore({ tablePrefix: "ab-c" })).toThrow(/table prefix/);
  });
});
