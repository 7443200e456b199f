/**
 * Entra refusing the Peig Entity ID (https://<Peig server>/aducid-onboard/m365/metadata) on a server outside the
 * tenant's verified domains: the SAML exemption reaches the identifier-URI check late, or never
 * (docs/graph-facts.md#identifier-uri-policy). Within the patience the step is retried without asking anyone; after
 * it, the migration needs attention with the fix, and goes on when resumed after the fix.
 */
import { DAY, auditOf, mailsWithSubject, startScenario, type Scenario } from "./harness";

let s: Scenario;
afterEach(() => s?.stop());

const MINUTE = 60_000;
const NOTICE = /needs attention$/;
const peigServer = "peig.example.net";
const attentionOf = async (id: string) =>
  (await s.status(id)).needsAttention as { step: string; code?: string; fix: string } | null;
const refusals = () =>
  s.stack.graph.requestLog.filter(
    (r) => r.method === "PATCH" && r.path.startsWith("/applications/") && r.status === 400,
  );

describe("Entra refuses the Peig Entity ID", () => {
  it("for 30 minutes: setup keeps trying by itself, nobody is asked, and the migration goes on", async () => {
    s = await startScenario({
      tenant: { users: 10, missRate: 0, mismatchRate: 0 },
      stack: { peigServer, graph: { samlExemptionDelayMs: 30 * MINUTE } },
    });
    const id = await s.start();
    await s.runUntil(async () => (await s.phase(id)) !== "setup", 2 * 60 * MINUTE);

    expect(await s.phase(id)).toBe("onboarding");
    expect(refusals().length).toBeGreaterThan(0);
    expect(await attentionOf(id)).toBeNull();
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(0);
    const app = [...s.stack.graph.state.directory.applications.values()].map((e) => e.resource);
    expect(app).toHaveLength(1);
    expect(app[0].identifierUris).toEqual([`https://${peigServer}/aducid-onboard/m365/metadata`]);
  });

  it("for good: needs attention naming the cause and both fixes; after the domain is verified, a resume finishes setup with the same app", async () => {
    const verifiedDomains = ["contoso.com", "contoso.onmicrosoft.com"];
    s = await startScenario({
      tenant: { users: 10, missRate: 0, mismatchRate: 0 },
      // The SAML exemption never reaches this tenant's identifier-URI check.
      stack: { peigServer, graph: { verifiedDomains, samlExemptionDelayMs: 365 * DAY } },
    });
    const id = await s.start();
    await s.runUntil(async () => (await attentionOf(id)) !== null, 3 * 60 * MINUTE);
    // Not before the patience of an hour is used up.
    expect(s.clock.now().getTime() - Date.parse(s.stack.graph.requestLog[0].at)).toBeGreaterThanOrEqual(60 * MINUTE);
    const attention = (await attentionOf(id))!;
    expect(attention).toMatchObject({ step: "createMigrationApp", code: "HostNameNotOnVerifiedDomain" });
    expect(attention.fix).toMatch(
      /Verify the Peig server's domain in Entra.*allow the URI in the tenant's app-management policy/,
    );
    expect(mailsWithSubject(s.stack, NOTICE)).toHaveLength(1);
    expect(await s.phase(id)).toBe("setup");

    verifiedDomains.push("example.net"); // the admin verifies the Peig server's domain
    expect((await s.api(`migrations/${id}/resume`, { method: "POST" })).status).toBe(202);
    await s.runUntil(async () => (await s.phase(id)) !== "setup", 10 * MINUTE);
    expect(await s.phase(id)).toBe("onboarding");
    expect(await attentionOf(id)).toBeNull();
    expect(s.stack.graph.state.directory.applications.size).toBe(1);
    expect(await auditOf(s, id, "entraApp.created")).toHaveLength(1);
  });
});
