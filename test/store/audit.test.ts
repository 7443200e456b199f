import { VirtualClock } from "../../local/host/clocks";
import type { MigrationStore } from "../../shared/store/port";
import { storeAdapters, uniquePrefix } from "./adapters";

describe.each(storeAdapters())("audit log: $name", (adapter) => {
  let store: MigrationStore;
  let clock: VirtualClock;
  beforeEach(() => {
    clock = new VirtualClock("2026-12-01T09:00:00Z");
    store = adapter.createStore({ tablePrefix: uniquePrefix(), clock });
  });

  it("returns entries in time order with their details", async () => {
    await store.appendAudit({
      migrationId: "m1",
      actor: "system",
      action: "entraApp.created",
      details: { appId: "app-1" },
      instanceId: "i1",
    });
    clock.set(new Date("2026-12-01T09:05:00Z"));
    await store.appendAudit({ migrationId: "m1", actor: "admin:it@contoso.com", action: "migration.deadlineExtended" });
    // An entry dated earlier sorts before the others.
    await store.appendAudit({
      migrationId: "m1",
      at: "2026-12-01T08:00:00Z",
      actor: "system",
      action: "migration.started",
    });
    const entries = await store.listAudit("m1");
    expect(entries.map((e) => [e.at, e.action])).toEqual([
      ["2026-12-01T08:00:00.000Z", "migration.started"],
      ["2026-12-01T09:00:00.000Z", "entraApp.created"],
      ["2026-12-01T09:05:00.000Z", "migration.deadlineExtended"],
    ]);
    expect(entries[1]).toMatchObject({ actor: "system", details: { appId: "app-1" }, instanceId: "i1" });
    expect(entries[2].details).toEqual({});
  });

  it("keeps every one of 50 concurrent appends in the same millisecond, in call order", async () => {
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        store.appendAudit({ migrationId: "m1", actor: "system", action: `step.${n}` }),
      ),
    );
    expect(new Set(appended.map((e) => e.id)).size).toBe(50);
    const entries = await store.listAudit("m1");
    expect(entries.map((e) => e.action)).toEqual(appended.map((e) => e.action));
    expect(entries).toEqual(appended);
  });

  it("pages with limit and after", async () => {
    for (let n = 0; n < 7; n++) {
      await store.appendAudit({ migrationId: "m1", actor: "system", action: `step.${n}` });
      await clock.sleep(1000);
    }
    const first = await store.listAudit("m1", { limit: 3 });
    const second = await store.listAudit("m1", { limit: 3, after: first[2].id });
    const rest = await store.listAudit("m1", { after: second[2].id });
    expect([...first, ...second, ...rest].map((e) => e.action)).toEqual(
      Array.from({ length: 7 }, (_, n) => `step.${n}`),
    );
    await expect(store.listAudit("m1", { limit: 0 })).resolves.toEqual([]);
  });

  it("keeps each migration's log apart", async () => {
    await store.appendAudit({ migrationId: "m1", actor: "system", action: "a" });
    await store.appendAudit({ migrationId: "m2", actor: "system", action: "b" });
    expect((await store.listAudit("m2")).map((e) => e.action)).toEqual(["b"]);
  });

  it("offers no way to change or delete an entry", () => {
    const auditMethods = Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(store))).filter(
      (name) => /audit/i.test(name),
    );
    expect(auditMethods.sort()).toEqual(["appendAudit", "listAudit"]);
  });
});
