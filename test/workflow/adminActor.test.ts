/**
 * The audit names an admin only from what the platform vouches for: x-ms-client-principal-name counts
 * when App Service Authentication is on (WEBSITE_AUTH_ENABLED, set by Azure); otherwise the actor is
 * "function key", whatever header a caller sends.
 */
import { auditOf, startBody, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const asMallory = { "content-type": "application/json", "x-ms-client-principal-name": "mallory@evil.example" };
const post = (path: string, body: unknown) =>
  s.api(path, { method: "POST", body: JSON.stringify(body), headers: asMallory });

async function actorsOfCommands(): Promise<string[]> {
  const res = await post("migrations", startBody());
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await s.host.idle();
  expect((await post(`migrations/${id}/deadline`, { deadline: "2026-12-20T09:00:00Z" })).status).toBe(202);
  expect((await post(`migrations/${id}/cancel`, { reason: "test" })).status).toBe(202);
  const entries = await Promise.all(
    ["migration.started", "deadline.extended", "migration.cancelRequested"].map((a) => auditOf(s, id, a)),
  );
  return entries.map((e) => (e[0] as unknown as { actor: string }).actor);
}

describe("the audit actor of admin commands", () => {
  it('is "function key" without App Service Authentication, whatever the caller claims', async () => {
    s = await startScenario({ tenant: { users: 10 } });
    expect(await actorsOfCommands()).toEqual(["admin:function key", "admin:function key", "admin:function key"]);
  });

  it("is the signed-in name when Azure says App Service Authentication is on (WEBSITE_AUTH_ENABLED=True)", async () => {
    s = await startScenario({ tenant: { users: 10 }, stack: { settings: { WEBSITE_AUTH_ENABLED: "True" } } });
    expect(await actorsOfCommands()).toEqual([
      "admin:mallory@evil.example",
      "admin:mallory@evil.example",
      "admin:mallory@evil.example",
    ]);
  });
});
