import type { MigrationStore, NewMigration } from "../../shared/store/port";
import { sampleRuntime, storeAdapters, uniquePrefix } from "./adapters";

const migration = (id: string): NewMigration => ({
  id,
  workspace: "contoso",
  domain: "contoso.com",
  phase: "setup",
  runtime: sampleRuntime(),
  deadline: "2026-12-15T17:00:00.000Z",
});

describe.each(storeAdapters())("workspace lock: $name", (adapter) => {
  let store: MigrationStore;
  beforeEach(() => {
    store = adapter.createStore({ tablePrefix: uniquePrefix() });
  });

  it("claims a free workspace, and claiming again as the holder still succeeds", async () => {
    await expect(store.claimWorkspace("contoso", "m1")).resolves.toEqual({ claimed: true });
    await expect(store.claimWorkspace("contoso", "m1")).resolves.toEqual({ claimed: true });
  });

  it("refuses another migration while the workspace is held, ignoring case", async () => {
    await store.claimWorkspace("contoso", "m1");
    await expect(store.claimWorkspace("Contoso", "m2")).resolves.toEqual({ claimed: false, activeMigrationId: "m1" });
  });

  it("lets exactly one of two simultaneous claims win", async () => {
    const results = await Promise.all([store.claimWorkspace("contoso", "m1"), store.claimWorkspace("contoso", "m2")]);
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => !r.claimed);
    const winnerId = results[0].claimed ? "m1" : "m2";
    expect(loser).toEqual({ claimed: false, activeMigrationId: winnerId });
  });

  it("lets exactly one of five simultaneous takeovers of a released workspace win", async () => {
    await store.claimWorkspace("contoso", "m0");
    await store.releaseWorkspace("contoso", "m0");
    const ids = ["m1", "m2", "m3", "m4", "m5"];
    const results = await Promise.all(ids.map((id) => store.claimWorkspace("contoso", id)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    const winner = ids[results.findIndex((r) => r.claimed)];
    for (const r of results) if (!r.claimed) expect(r.activeMigrationId).toBe(winner);
  });

  it("hands the workspace to another migration after the holder releases it", async () => {
    await store.claimWorkspace("contoso", "m1");
    await expect(store.releaseWorkspace("contoso", "m1")).resolves.toBe(true);
    await expect(store.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: true });
    await expect(store.claimWorkspace("contoso", "m1")).resolves.toEqual({ claimed: false, activeMigrationId: "m2" });
  });

  it("releases only for the holder, and only once", async () => {
    await store.claimWorkspace("contoso", "m1");
    await expect(store.releaseWorkspace("contoso", "m2")).resolves.toBe(false);
    await expect(store.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: false, activeMigrationId: "m1" });
    await expect(store.releaseWorkspace("contoso", "m1")).resolves.toBe(true);
    await expect(store.releaseWorkspace("contoso", "m1")).resolves.toBe(false);
    await expect(store.releaseWorkspace("fabrikam", "m1")).resolves.toBe(false);
  });

  it("lets a new migration take over a claim whose migration finished without releasing", async () => {
    await store.createMigration(migration("m1"));
    await store.claimWorkspace("contoso", "m1");
    await expect(store.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: false, activeMigrationId: "m1" });
    await store.updateMigration("m1", { status: "failed" });
    await expect(store.claimWorkspace("contoso", "m2")).resolves.toEqual({ claimed: true });
  });

  it("keeps separate workspaces independent, including names that are not valid table keys", async () => {
    await expect(store.claimWorkspace("contoso/eu#1", "m1")).resolves.toEqual({ claimed: true });
    await expect(store.claimWorkspace("contoso/eu#2", "m2")).resolves.toEqual({ claimed: true });
    await expect(store.claimWorkspace("contoso/eu#1", "m3")).resolves.toEqual({
      claimed: false,
      activeMigrationId: "m1",
    });
  });
});
