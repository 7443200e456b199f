/**
 * Cancel, then start again for the same workspace: the cancelled migration leaves PeigMigrationManager
 * holding the Peig server's Entity ID (identifierUris are unique in a tenant), so the new migration
 * takes that app over instead of making a second one, and says so in both audits.
 */
import {
  approveDeletion,
  auditOf,
  DAY,
  peigAdminFollows,
  START,
  startBody,
  startScenario,
  type Scenario,
} from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
const applications = () =>
  s.stack.graph.state.directory.summary().applications as {
    appId: string;
    displayName: string;
    tags: string[];
    identifierUris: string[];
  }[];

async function startCancelled(): Promise<{ first: string; appId: string }> {
  const first = await s.start();
  await s.runUntil(() => s.clock.now().getTime() >= Date.parse(START) + DAY);
  expect(await s.phase(first)).toBe("onboarding");
  const appId = ((await s.status(first)).app as { appId: string }).appId;
  expect((await post(`migrations/${first}/cancel`, { reason: "wrong deadline" })).status).toBe(202);
  await s.host.idle();
  expect(await s.phase(first)).toBe("cancelled");
  return { first, appId };
}

describe("starting again after a cancellation", () => {
  it("adopts the cancelled migration's PeigMigrationManager (audited on both), reaches onboarding and completes", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 4, missRate: 0, mismatchRate: 0 } });
    const { first, appId } = await startCancelled();

    const again = await post("migrations", startBody({ deadline: "2026-12-20T09:00:00Z" }));
    expect(again.status).toBe(202);
    const second = ((await again.json()) as { id: string }).id;
    await s.host.idle();
    await s.runUntil(async () => (await s.phase(second)) !== "setup");
    expect(await s.phase(second)).toBe("onboarding");

    // One app, now tagged for the new migration only, still holding the Entity ID.
    const apps = applications().filter((a) => a.displayName === "PeigMigrationManager");
    expect(apps.map((a) => a.appId)).toEqual([appId]);
    expect(apps[0].tags).toEqual([`peig-migration:${second}`]);
    expect(((await s.status(second)).app as { appId: string }).appId).toBe(appId);
    expect((await auditOf(s, second, "entraApp.adopted")).map((a) => a.details)).toEqual([
      expect.objectContaining({ appId, fromMigrationId: first }),
    ]);
    expect((await auditOf(s, first, "entraApp.handedOver")).map((a) => a.details)).toEqual([
      expect.objectContaining({ appId, toMigrationId: second }),
    ]);

    await approveDeletion(s, second);
    await s.runToEnd(second, 2 * DAY);
    expect(await s.phase(second)).toBe("completed");
    expect(applications().filter((a) => a.displayName === "PeigMigrationManager")).toEqual([]);
  });

  it("in operator mode reaches the Peig admin's configuration task with the adopted app", async () => {
    s = await startScenario({ peigMode: "operator", tenant: { users: 30, seed: 4, missRate: 0, mismatchRate: 0 } });
    const first = await s.start();
    const appId = ((await s.status(first)).app as { appId: string }).appId;
    expect((await post(`migrations/${first}/cancel`, { reason: "wrong deadline" })).status).toBe(202);
    await s.host.idle();
    expect(await s.phase(first)).toBe("cancelled");

    const second = await s.start(startBody({ deadline: "2026-12-20T09:00:00Z" }));
    expect(((await s.status(second)).app as { appId: string }).appId).toBe(appId);
    const open = await s.stack.store.listTasks(second, { status: "open" });
    expect(open.map((t) => t.gate)).toEqual([expect.stringMatching(/^peigConfiguration-/)]);
    const setup = await peigAdminFollows(s, s.taskLinks("it@contoso.com").at(-1)!);
    expect(setup.confirmed.status).toBe(200);
    await s.host.idle();
    expect(await s.phase(second)).toBe("onboarding");
  });

  it("refuses, with a clear error, an Entity ID held by an app this app did not make", async () => {
    s = await startScenario({ tenant: { users: 30, seed: 4, missRate: 0, mismatchRate: 0 } });
    const { first } = await startCancelled();
    // Someone renames the app in the portal: it is no longer one we may take over.
    const app = applications()[0];
    s.stack.graph.state.directory.applications.forEach((entry) => {
      if (entry.resource.appId === app.appId) entry.resource.displayName = "Peig SSO (production)";
    });
    const second = await s.start(startBody({ deadline: "2026-12-20T09:00:00Z" }));
    await s.host.idle();
    const audit = (await s.status(second)).audit as { action: string }[];
    expect(audit.map((a) => a.action)).not.toContain("entraApp.adopted");
    expect(applications().find((a) => a.appId === app.appId)?.tags).toEqual([`peig-migration:${first}`]);
    expect(
      applications()
        .filter((a) => a.displayName === "PeigMigrationManager")
        .every((a) => a.identifierUris.length === 0),
    ).toBe(true);
  });
});
