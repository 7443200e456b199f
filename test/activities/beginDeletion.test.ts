/**
 * A cancel and the start of deletion cannot both win (docs/architecture.md): a cancel recorded before the closing
 * re-check, or while it runs, means beginDeletion refuses and neither deletion runs; once deletion has started, the
 * cancel is refused instead. Both sides guard on the migration row's ETag.
 */
import { beginDeletion, deleteMigrationApp, deletePeigMigrationConfiguration } from "../../activities/closing";
import { cancelMigration } from "../../app/adminCommands";
import type { EntraPort } from "../../shared/entra/port";
import type { PeigPort } from "../../shared/peig/port";
import type { ApiModeServices } from "../../shared/services";
import type { MigrationStore } from "../../shared/store/port";
import { activityWorld, MIGRATION, type ActivityWorld } from "./services";

const ADMIN = "it@contoso.com";

let world: ActivityWorld;
beforeEach(async () => {
  world = await activityWorld("closing");
});

const begin = (s = world.s) => beginDeletion({ migrationId: MIGRATION, instanceId: MIGRATION }, s);
const cancel = () => cancelMigration(world.s, world.runner, MIGRATION, "postponed", ADMIN);
const runtime = async () => (await world.store.getMigration(MIGRATION))!.runtime;
const etag = async () => (await world.store.getMigration(MIGRATION))!.etag;
const actions = async () => (await world.store.listAudit(MIGRATION)).map((a) => a.action);

/** Neither deletion runs: each refuses before it touches Peig or Entra (the world's services throw when touched). */
async function expectNothingDeleted(): Promise<void> {
  expect((await runtime()).deletionStartedAt).toBeUndefined();
  await expect(deleteMigrationApp({ migrationId: MIGRATION }, world.s)).rejects.toThrow(/refusing to delete/);
  await expect(
    deletePeigMigrationConfiguration({ migrationId: MIGRATION }, world.s as ApiModeServices),
  ).rejects.toThrow(/refusing to delete/);
  expect(await actions()).not.toContain("deletion.started");
}

/** The store, with `meanwhile` run once right after beginDeletion has read the row and before it writes it. */
function storeWithRaceBeforeWrite(meanwhile: () => Promise<unknown>): MigrationStore {
  let raced = false;
  return new Proxy(world.store, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key !== "updateMigration" || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (!raced) {
          raced = true;
          await meanwhile();
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("beginDeletion", () => {
  it("refuses after a cancel recorded before the closing re-check, and nothing is deleted", async () => {
    expect(await cancel()).toMatchObject({ kind: "accepted", already: false });
    const before = await etag();
    expect(await begin()).toEqual({ ok: false, reason: `cancelled by ${ADMIN}` });
    // A refusal writes nothing: the row is as the cancel left it.
    expect(await etag()).toBe(before);
    await expectNothingDeleted();
  });

  it("refuses after a cancel recorded while it runs, between its read and its write, and nothing is deleted", async () => {
    const racing = { ...world.s, store: storeWithRaceBeforeWrite(cancel) };
    expect(await begin(racing)).toEqual({ ok: false, reason: `cancelled by ${ADMIN}` });
    expect((await runtime()).commands.cancelRequested).toMatchObject({ by: ADMIN, reason: "postponed" });
    await expectNothingDeleted();
  });

  it("wins over a cancel that comes after it: the cancel is refused, naming the deletion", async () => {
    expect(await begin()).toEqual({ ok: true });
    const refused = await cancel();
    expect(refused).toMatchObject({ kind: "conflict" });
    expect((refused as { reason: string }).reason).toMatch(/deletion started at .* cannot be cancelled/);
    expect((await runtime()).commands.cancelRequested).toBeUndefined();
    expect((await runtime()).deletionStartedAt).toBe(world.clock.now().toISOString());
    expect(await actions()).toEqual(["deletion.started"]);
  });

  it("marks deletion started once however often it runs", async () => {
    expect(await begin()).toEqual({ ok: true });
    const started = (await runtime()).deletionStartedAt;
    const before = await etag();
    world.clock.set(new Date(world.clock.now().getTime() + 60_000));
    expect(await begin()).toEqual({ ok: true });
    expect((await runtime()).deletionStartedAt).toBe(started);
    expect(await etag()).toBe(before);
  });
});

describe("the deletions after beginDeletion", () => {
  it("delete the Peig migration configuration, then the Entra app, each recorded in the audit; a re-run is harmless", async () => {
    await world.store.updateMigration(MIGRATION, {
      runtime: {
        ...(await runtime()),
        app: {
          appId: "app-1",
          applicationObjectId: "app-object-1",
          servicePrincipalId: "sp-1",
          entityId: "https://pap01.contoso.com/aducid-onboard/m365/metadata",
          replyUrl: "https://pap01.contoso.com/aducid-onboard/m365/acs",
          thumbprint: "AB",
          certificatePem: "pem",
          certificateNotAfter: "2029-01-01T00:00:00Z",
        },
      },
    });
    const deleted: string[] = [];
    const entra = {
      deleteMigrationApp: async ({ appId }: { appId: string }) => {
        deleted.push(`entra:${appId}`);
        return deleted.length > 2
          ? { servicePrincipal: "alreadyGone", application: "alreadyGone" }
          : { servicePrincipal: "deleted", application: "deleted" };
      },
    } as unknown as EntraPort;
    const peig = {
      deleteMigrationConfiguration: async () => {
        deleted.push("peig");
        return deleted.length > 1 ? "alreadyDeleted" : "deleted";
      },
    } as unknown as PeigPort;
    const s = { ...world.s, store: world.store, clock: world.clock, entra, peig } as ApiModeServices;

    expect(await begin()).toEqual({ ok: true });
    expect(await deletePeigMigrationConfiguration({ migrationId: MIGRATION }, s)).toBe("deleted");
    expect(await deleteMigrationApp({ migrationId: MIGRATION }, s)).toEqual({
      servicePrincipal: "deleted",
      application: "deleted",
    });
    expect(await deleteMigrationApp({ migrationId: MIGRATION }, s)).toEqual({
      servicePrincipal: "alreadyGone",
      application: "alreadyGone",
    });
    expect(deleted).toEqual(["peig", "entra:app-1", "entra:app-1"]);
    const audit = await world.store.listAudit(MIGRATION);
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      ["deletion.started", {}],
      ["peig.migrationConfig.deleted", { result: "deleted" }],
      ["entraApp.deleted", { appId: "app-1", servicePrincipal: "deleted", application: "deleted" }],
      ["entraApp.deleted", { appId: "app-1", servicePrincipal: "alreadyGone", application: "alreadyGone" }],
    ]);
    expect(audit.every((a) => a.actor === "system")).toBe(true);
    expect(audit[0].instanceId).toBe(MIGRATION);
  });

  it("finds the Entra app already gone when setup never recorded one, without calling Entra", async () => {
    expect(await begin()).toEqual({ ok: true });
    expect(await deleteMigrationApp({ migrationId: MIGRATION }, world.s)).toEqual({
      servicePrincipal: "alreadyGone",
      application: "alreadyGone",
    });
  });
});
