/**
 * The production entry point (functions/index.ts), as the Functions host loads it: the services are built once
 * from the settings, and every orchestration, activity and HTTP function is registered on them.
 */
import { activityDefinitions } from "../../activities";
import type { registry as Registry } from "../../local/host/fakeCore";
import { Orchestrations } from "../../shared/workflow";

/** Settings as an operator-mode deployment in Azure has them (nothing here is reached over the network). */
const settings = {
  MIGRATION_STORAGE_TABLE_ENDPOINT: "https://peigmigration.table.core.windows.net",
  MAIL_SENDERS: "peig-migration@contoso.com",
  PEIG_MODE: "operator",
  PUBLIC_BASE_URL: "https://peig-migration.azurewebsites.net",
};

/** Loads the entry point afresh with `env` as the process environment: the registrations it made, or why it failed. */
function loadEntryPoint(env: Record<string, string>): { registry: typeof Registry; error?: Error } {
  const saved = process.env;
  process.env = { ...env };
  let registry = new Map() as typeof Registry;
  let error: Error | undefined;
  try {
    jest.isolateModules(() => {
      registry = (require("../../local/host/fakeCore") as { registry: typeof Registry }).registry;
      try {
        require("../../functions");
      } catch (e) {
        error = e as Error;
      }
    });
  } finally {
    process.env = saved;
  }
  return { registry, error };
}

describe("the app's entry point", () => {
  const trigger = (registry: typeof Registry, name: string) =>
    Object.values(registry.get(name)?.metadata.bindings ?? {}).find((b) => b.type.endsWith("Trigger"));

  it("registers every orchestration and activity under the names the code calls", () => {
    const { registry, error } = loadEntryPoint(settings);
    expect(error).toBeUndefined();
    for (const name of Object.values(Orchestrations))
      expect(trigger(registry, name)?.type).toBe("orchestrationTrigger");
    const activities = [...registry.keys()].filter((name) => trigger(registry, name)?.type === "activityTrigger");
    expect(activities.sort()).toEqual(Object.keys(activityDefinitions).sort());
  });

  it("leaves every admin route to functions/access.ts (anonymous to the host), and keys only the key check", () => {
    const { registry } = loadEntryPoint(settings);
    const routes = [...registry.values()]
      .map((r) => Object.values(r.metadata.bindings).find((b) => b.type === "httpTrigger"))
      .filter((b): b is NonNullable<typeof b> => !!b)
      .map((b) => `${(b.methods ?? []).join(",")} ${b.route} ${b.authLevel}`)
      .sort();
    expect(routes).toEqual(
      [
        "POST migrations anonymous",
        "GET migrations anonymous",
        "GET home anonymous",
        "POST home/plan anonymous",
        "POST home/start anonymous",
        "GET migrations/{id} anonymous",
        "GET migrations/{id}/page anonymous",
        "POST migrations/{id}/page anonymous",
        "GET migrations/{id}/report anonymous",
        "GET migrations/{id}/users anonymous",
        "POST migrations/{id}/deadline anonymous",
        "POST migrations/{id}/cancel anonymous",
        "POST migrations/{id}/approval anonymous",
        "POST migrations/{id}/resume anonymous",
        "GET access/function-key function",
        "POST migrations/{id}/people/exempt anonymous",
        "POST migrations/{id}/people/resend anonymous",
        "POST migrations/{id}/people/deadline anonymous",
        "POST migrations/{id}/pilot-review anonymous",
        "GET tasks/{token} anonymous",
        "POST tasks/{token} anonymous",
        "POST tasks/{token}/delegate anonymous",
        "POST tasks/{token}/link anonymous",
      ].sort(),
    );
  });

  it("refuses to start on a bad setting, naming it, before anything is registered", () => {
    for (const [bad, named] of [
      [{ PUBLIC_BASE_URL: "not a url" }, /PUBLIC_BASE_URL/],
      [{ PEIG_MODE: "api" }, /PEIG_API_BASE_URL/],
    ] as const) {
      const { registry, error } = loadEntryPoint({ ...settings, ...bad });
      expect(error?.message).toMatch(named);
      expect(registry.size).toBe(0);
    }
  });
});
