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

  it("serves the admin API with function keys and the task links without them", () => {
    const { registry } = loadEntryPoint(settings);
    const routes = [...registry.values()]
      .map((r) => Object.values(r.metadata.bindings).find((b) => b.type === "httpTrigger"))
      .filter((b): b is NonNullable<typeof b> => !!b)
      .map((b) => `${(b.methods ?? []).join(",")} ${b.route} ${b.authLevel}`)
      .sort();
    expect(routes).toEqual(
      [
        "POST migrations function",
        "GET migrations function",
        "GET home function",
        "POST home/plan function",
        "POST home/start function",
        "GET migrations/{id} function",
        "GET migrations/{id}/page function",
        "POST migrations/{id}/page function",
        "GET migrations/{id}/report function",
        "GET migrations/{id}/users function",
        "POST migrations/{id}/deadline function",
        "POST migrations/{id}/cancel function",
        "POST migrations/{id}/approval function",
        "POST migrations/{id}/resume function",
        "POST migrations/{id}/people/exempt function",
        "POST migrations/{id}/people/resend function",
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
