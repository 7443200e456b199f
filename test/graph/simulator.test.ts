import { rawRequest, startWorld, type World } from "./world";

const template = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

interface Instantiated {
  application: { id: string; appId: string };
  servicePrincipal: { id: string };
}

async function instantiate(world: World): Promise<Instantiated> {
  const response = await rawRequest(world.sim, "POST", `/v1.0/applicationTemplates/${template}/instantiate`, {
    displayName: "PeigMigrationManager",
  });
  expect(response.status).toBe(201);
  return response.body as Instantiated;
}

describe("Graph simulator: directory behaviours", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("answers 404 Request_ResourceNotFound for new objects until the replication delay has passed", async () => {
    world = await startWorld({ replicationDelayMs: 20_000 });
    const { application, servicePrincipal } = await instantiate(world);
    const early = await rawRequest(world.sim, "GET", `/v1.0/servicePrincipals/${servicePrincipal.id}`);
    expect(early.status).toBe(404);
    expect(early.body).toMatchObject({ error: { code: "Request_ResourceNotFound" } });
    const listed = await rawRequest(
      world.sim,
      "GET",
      "/v1.0/applications?$filter=displayName eq 'PeigMigrationManager'",
    );
    expect((listed.body as { value: unknown[] }).value).toHaveLength(0);

    await world.clock.sleep(20_000);
    expect((await rawRequest(world.sim, "GET", `/v1.0/applications(appId='${application.appId}')`)).status).toBe(200);
  });

  it("refuses an unverified https identifier URI with HostNameNotOnVerifiedDomain unless the SP is in SAML mode", async () => {
    world = await startWorld({ replicationDelayMs: 0 });
    const { application, servicePrincipal } = await instantiate(world);
    const uris = { identifierUris: ["https://peig.example.net/aducid-onboard/m365/metadata"] };
    const refused = await rawRequest(world.sim, "PATCH", `/v1.0/applications/${application.id}`, uris);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "HostNameNotOnVerifiedDomain" } });

    expect(
      (
        await rawRequest(world.sim, "PATCH", `/v1.0/servicePrincipals/${servicePrincipal.id}`, {
          preferredSingleSignOnMode: "saml",
        })
      ).status,
    ).toBe(204);
    expect((await rawRequest(world.sim, "PATCH", `/v1.0/applications/${application.id}`, uris)).status).toBe(204);
  });

  it("creates a token signing certificate with Sign and Verify keys and only activates a known thumbprint", async () => {
    world = await startWorld({ replicationDelayMs: 0 });
    const { servicePrincipal } = await instantiate(world);
    const bad = await rawRequest(
      world.sim,
      "POST",
      `/v1.0/servicePrincipals/${servicePrincipal.id}/addTokenSigningCertificate`,
      { displayName: "Peig" },
    );
    expect(bad.status).toBe(400);
    const created = await rawRequest(
      world.sim,
      "POST",
      `/v1.0/servicePrincipals/${servicePrincipal.id}/addTokenSigningCertificate`,
      {
        displayName: "CN=PeigMigrationManager",
        endDateTime: "2027-12-01T09:00:00Z",
      },
    );
    expect(created.status).toBe(200);
    const cert = created.body as { thumbprint: string; key: string; usage: string; customKeyIdentifier: string };
    expect(cert.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(cert.usage).toBe("Verify");
    expect(Buffer.from(cert.customKeyIdentifier, "base64").toString("hex").toUpperCase()).toBe(cert.thumbprint);

    const single = await rawRequest(
      world.sim,
      "GET",
      `/v1.0/servicePrincipals/${servicePrincipal.id}?$select=keyCredentials`,
    );
    const keys = (single.body as { keyCredentials: { usage: string; key: string | null }[] }).keyCredentials;
    expect(keys.map((k) => k.usage).sort()).toEqual(["Sign", "Verify"]);
    expect(keys.find((k) => k.usage === "Verify")?.key).toBe(cert.key);

    const unknown = await rawRequest(world.sim, "PATCH", `/v1.0/servicePrincipals/${servicePrincipal.id}`, {
      preferredTokenSigningKeyThumbprint: "00".repeat(20),
    });
    expect(unknown.status).toBe(400);
    expect(
      (
        await rawRequest(world.sim, "PATCH", `/v1.0/servicePrincipals/${servicePrincipal.id}`, {
          preferredTokenSigningKeyThumbprint: cert.thumbprint,
        })
      ).status,
    ).toBe(204);
  });

  it("injects the same faults for the same seed", async () => {
    world = await startWorld({ faults: { throttleRate: 0.2, serverErrorRate: 0.2, seed: 42 } });
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await rawRequest(world.sim, "GET", "/v1.0/users?$top=5")).status);
      return statuses;
    };
    const first = await run();
    world.sim.setFaults({ seed: 42 });
    expect(await run()).toEqual(first);
    expect(first.some((s) => s === 429)).toBe(true);
    expect(first.some((s) => s === 503 || s === 504)).toBe(true);
  });

  it("serves the /_sim/ control routes", async () => {
    world = await startWorld({ replicationDelayMs: 0 });
    const { application } = await instantiate(world);
    const signIn = await rawRequest(world.sim, "POST", "/_sim/signIns", {
      userId: world.tenant.users[0].id,
      appId: application.appId,
    });
    expect(signIn.status).toBe(201);
    expect(signIn.body).toMatchObject({ appDisplayName: "PeigMigrationManager", status: { errorCode: 0 } });
    expect(
      (await rawRequest(world.sim, "POST", "/_sim/faults", { throttleRate: 1, retryAfterSeconds: 9 })).status,
    ).toBe(200);
    const throttled = await rawRequest(world.sim, "GET", "/v1.0/users");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toBe("9");
    await rawRequest(world.sim, "POST", "/_sim/faults", { throttleRate: 0 });
    const state = await rawRequest(world.sim, "GET", "/_sim/state");
    expect(state.body).toMatchObject({
      signIns: 1,
      outbox: 0,
      applications: [expect.objectContaining({ appId: application.appId })],
    });
    expect((await rawRequest(world.sim, "GET", "/_sim/outbox")).body).toEqual({ value: [] });
  });
  it("ignores $count=true without ConsistencyLevel instead of refusing it, and counts with the header", async () => {
    world = await startWorld({ users: 5 });
    const plain = await rawRequest(world.sim, "GET", "/v1.0/users?$count=true");
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty("@odata.count");
    const counted = await rawRequest(world.sim, "GET", "/v1.0/users?$count=true", undefined, {
      ConsistencyLevel: "eventual",
    });
    expect(counted.body).toMatchObject({ "@odata.count": world.tenant.users.length });
  });

  it("answers a filter on the licence count only as an advanced query (ConsistencyLevel: eventual and $count=true), and never beside or", async () => {
    world = await startWorld({ users: 40, tenantShape: { sharedMailboxes: 3, serviceAccounts: 2 } });
    const unlicensed = "/v1.0/users?$filter=assignedLicenses/$count eq 0&$select=id";
    const eventual = { ConsistencyLevel: "eventual" };
    for (const refused of [
      await rawRequest(world.sim, "GET", `${unlicensed}&$count=true`),
      await rawRequest(world.sim, "GET", unlicensed, undefined, eventual),
    ]) {
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: "Request_UnsupportedQuery" } });
    }
    const answered = await rawRequest(world.sim, "GET", `${unlicensed}&$count=true`, undefined, eventual);
    expect(answered.status).toBe(200);
    const expected = world.tenant.users.filter((u) => u.assignedLicenses.length === 0).map((u) => ({ id: u.id }));
    expect(expected).toHaveLength(5);
    expect(answered.body).toMatchObject({ "@odata.count": 5, value: expected });
    const withOr = await rawRequest(
      world.sim,
      "GET",
      "/v1.0/users?$filter=assignedLicenses/$count eq 0 or userType eq 'Guest'&$count=true",
      undefined,
      eventual,
    );
    expect(withOr.status).toBe(400);
    expect(withOr.body).toMatchObject({
      error: {
        code: "Request_UnsupportedQuery",
        message: "Complex query on property assignedLicenses is not supported.",
      },
    });
  });

  it("lags lists, single reads and writes independently: a PATCH right after a successful GET can still answer 404", async () => {
    world = await startWorld({
      replicationDelayMs: 5_000,
      listReplicationDelayMs: 60_000,
      writeReplicationDelayMs: 15_000,
    });
    const { application, servicePrincipal } = await instantiate(world);
    const listedCount = async () =>
      (
        (await rawRequest(world.sim, "GET", "/v1.0/applications?$filter=displayName eq 'PeigMigrationManager'"))
          .body as { value: unknown[] }
      ).value.length;
    const patch = () => rawRequest(world.sim, "PATCH", `/v1.0/applications/${application.id}`, { tags: ["t"] });
    const sign = () =>
      rawRequest(world.sim, "POST", `/v1.0/servicePrincipals/${servicePrincipal.id}/addTokenSigningCertificate`, {
        displayName: "CN=PeigMigrationManager",
      });

    await world.clock.sleep(5_000);
    expect((await rawRequest(world.sim, "GET", `/v1.0/applications/${application.id}`)).status).toBe(200);
    expect((await patch()).status).toBe(404);
    expect((await sign()).status).toBe(404);
    expect(await listedCount()).toBe(0);

    await world.clock.sleep(10_000);
    expect((await patch()).status).toBe(204);
    expect((await sign()).status).toBe(200);
    expect(await listedCount()).toBe(0);

    await world.clock.sleep(45_000);
    expect(await listedCount()).toBe(1);
  });

  it.each(["usgov", "usgovdod", "china"] as const)(
    "has no addTokenSigningCertificate in %s (the API's national cloud table ticks the global service only)",
    async (cloud) => {
      world = await startWorld({ replicationDelayMs: 0, cloud });
      const { servicePrincipal } = await instantiate(world);
      const response = await rawRequest(
        world.sim,
        "POST",
        `/v1.0/servicePrincipals/${servicePrincipal.id}/addTokenSigningCertificate`,
        { displayName: "CN=PeigMigrationManager" },
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: "BadRequest" } });
    },
  );

  it("accepts external as a single sign-on mode", async () => {
    world = await startWorld({ replicationDelayMs: 0 });
    const { servicePrincipal } = await instantiate(world);
    expect(
      (
        await rawRequest(world.sim, "PATCH", `/v1.0/servicePrincipals/${servicePrincipal.id}`, {
          preferredSingleSignOnMode: "external",
        })
      ).status,
    ).toBe(204);
  });
});
