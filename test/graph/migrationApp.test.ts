import { X509Certificate } from "crypto";
import { EntityIdTakenError, HostNameNotOnVerifiedDomainError, migrationTag } from "../../shared/entra/graphEntra";
import type { InstantiatedApp, MigrationAppSpec } from "../../shared/entra/port";
import { rawRequest, startWorld, type World } from "./world";

const server = "pap01.contoso.com";

function specFor(world: World, overrides: Partial<MigrationAppSpec> = {}): MigrationAppSpec {
  const end = new Date(world.clock.now());
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return { displayName: "PeigMigrationManager", server, certificateEndDateTime: end, migrationId: "m-1", ...overrides };
}

function appsNamed(world: World, displayName: string) {
  return [...world.sim.state.directory.applications.values()].filter(
    (entry) => entry.resource.displayName === displayName,
  );
}

describe("Entra migration app through the Graph SDK against the simulator", () => {
  let world: World;
  afterEach(async () => world.sim.stop());

  it("creates the app with the exact Entity ID, Reply URL and an active signing certificate", async () => {
    world = await startWorld();
    const app = await world.entra.ensureMigrationApp(specFor(world));

    expect(app.created).toBe(true);
    expect(app.entityId).toBe(`https://${server}/aducid-onboard/m365/metadata`);
    expect(app.replyUrl).toBe(`https://${server}/aducid-onboard/m365/acs`);
    const stored = world.sim.state.directory.applications.get(app.applicationObjectId)?.resource;
    expect(stored?.identifierUris).toEqual([app.entityId]);
    expect(stored?.web.redirectUris).toEqual([app.replyUrl]);
    expect(stored?.tags).toContain(migrationTag("m-1"));
    const sp = world.sim.state.directory.servicePrincipals.get(app.servicePrincipalId)?.resource;
    expect(sp?.preferredSingleSignOnMode).toBe("saml");
    expect(sp?.preferredTokenSigningKeyThumbprint).toBe(app.thumbprint);
    // Everyone in scope must be able to sign in to onboard: no assignment required.
    expect(sp?.appRoleAssignmentRequired).toBe(false);

    const cert = new X509Certificate(app.certificatePem);
    expect(app.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n/);
    expect(cert.fingerprint.replace(/:/g, "")).toBe(app.thumbprint);
    expect(cert.subject).toBe("CN=PeigMigrationManager");
    expect(new Date(cert.validTo).toISOString()).toBe(app.certificateNotAfter);
  });

  it("follows the documented call order: SAML mode before identifier URIs, certificate before activation", async () => {
    world = await startWorld();
    await world.entra.ensureMigrationApp(specFor(world));
    const writes = world.sim.requestLog
      .filter((r) => r.method !== "GET" && r.status < 300)
      .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, "{id}")}`);
    expect(writes).toEqual([
      "POST /applicationTemplates/{id}/instantiate",
      "PATCH /applications/{id}",
      "PATCH /servicePrincipals/{id}",
      "PATCH /applications/{id}",
      "POST /servicePrincipals/{id}/addTokenSigningCertificate",
      "PATCH /servicePrincipals/{id}",
    ]);
  });

  it("waits out the replication delay on the clock instead of failing on 404", async () => {
    world = await startWorld({ replicationDelayMs: 45_000 });
    const started = world.clock.now().getTime();
    await world.entra.ensureMigrationApp(specFor(world));
    expect(world.sim.requestLog.some((r) => r.status === 404)).toBe(true);
    expect(world.clock.now().getTime() - started).toBeGreaterThanOrEqual(45_000);
  });

  it("leaves exactly one app when setup runs twice, and the second run changes nothing", async () => {
    world = await startWorld();
    const first = await world.entra.ensureMigrationApp(specFor(world));
    const writesBefore = world.sim.requestLog.filter((r) => r.method !== "GET").length;
    const second = await world.entra.ensureMigrationApp(specFor(world));

    expect(second.created).toBe(false);
    expect(second).toEqual({ ...first, created: false });
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
    expect(world.sim.requestLog.filter((r) => r.method !== "GET").length).toBe(writesBefore);
  });

  it("finds the app by its remembered appId and completes a half-made app instead of creating another", async () => {
    world = await startWorld();
    const first = await world.entra.ensureMigrationApp(specFor(world));
    // Someone removed the active certificate choice and the URIs in the portal.
    const sp = world.sim.state.directory.servicePrincipals.get(first.servicePrincipalId)?.resource;
    const app = world.sim.state.directory.applications.get(first.applicationObjectId)?.resource;
    if (!sp || !app) throw new Error("app missing");
    sp.preferredTokenSigningKeyThumbprint = null;
    app.identifierUris = [];

    const repaired = await world.entra.ensureMigrationApp(specFor(world, { knownAppId: first.appId }));
    expect(repaired.appId).toBe(first.appId);
    expect(repaired.thumbprint).toBe(first.thumbprint);
    expect(app.identifierUris).toEqual([first.entityId]);
    expect(sp.preferredTokenSigningKeyThumbprint).toBe(first.thumbprint);
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
  });

  it("adopts an untagged PeigMigrationManager made by hand instead of creating another", async () => {
    world = await startWorld();
    const handMade = await rawRequest(
      world.sim,
      "POST",
      "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
      {
        displayName: "PeigMigrationManager",
      },
    );
    expect(handMade.status).toBe(201);
    await world.clock.sleep(60_000);

    const app = await world.entra.ensureMigrationApp(specFor(world));
    expect(app).toMatchObject({
      created: false,
      appId: (handMade.body as { application: { appId: string } }).application.appId,
    });
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
  });

  it("never touches an app tagged for another migration", async () => {
    world = await startWorld();
    const other = await world.entra.ensureMigrationApp(
      specFor(world, { migrationId: "older", server: "pap02.contoso.com" }),
    );
    const mine = await world.entra.ensureMigrationApp(specFor(world, { migrationId: "m-1" }));
    expect(mine.appId).not.toBe(other.appId);
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(2);
    await expect(
      world.entra.findMigrationApp({ displayName: "PeigMigrationManager", migrationId: "m-1" }),
    ).resolves.toMatchObject({ appId: mine.appId });
    await expect(
      world.entra.findMigrationApp({ displayName: "PeigMigrationManager", migrationId: "none" }),
    ).resolves.toBeNull();
  });

  it("closes with one DELETE of the application and a check that its service principal went with it; a second close finds both gone", async () => {
    world = await startWorld();
    const app = await world.entra.ensureMigrationApp(specFor(world));
    await expect(world.entra.deleteMigrationApp({ appId: app.appId })).resolves.toEqual({
      servicePrincipal: "deleted",
      application: "deleted",
    });
    await expect(world.entra.deleteMigrationApp({ appId: app.appId })).resolves.toEqual({
      servicePrincipal: "alreadyGone",
      application: "alreadyGone",
    });
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(0);
    expect(world.sim.state.directory.servicePrincipals.size).toBe(0);
    await expect(
      world.entra.findMigrationApp({ displayName: "PeigMigrationManager", migrationId: "m-1" }),
    ).resolves.toBeNull();
    const deletes = world.sim.requestLog
      .filter((r) => r.method === "DELETE")
      .map((r) => `${r.path.split("(")[0]} ${r.status}`);
    expect(deletes).toEqual(["/applications 204", "/applications 404"]);
  });

  it("the simulator refuses to delete a template-made SAML service principal directly (DeletingSamlSpNotAllowed)", async () => {
    world = await startWorld();
    const app = await world.entra.ensureMigrationApp(specFor(world));
    const refused = await rawRequest(world.sim, "DELETE", `/v1.0/servicePrincipals/${app.servicePrincipalId}`);
    expect(refused).toMatchObject({ status: 400, body: { error: { code: "DeletingSamlSpNotAllowed" } } });
  });

  // Seeds 17, 22, 27 and 29 hit instantiate itself with a lost (504) or refused (503/429) response.
  it.each([1, 6, 17, 22, 27, 29])(
    "finishes with one app under replication delay and 30%% throttling/5xx (seed %i)",
    async (seed) => {
      world = await startWorld({
        replicationDelayMs: 30_000,
        faults: { throttleRate: 0.15, serverErrorRate: 0.15, retryAfterSeconds: 3, seed },
      });
      const app = await world.entra.ensureMigrationApp(specFor(world));
      world.sim.setFaults({ throttleRate: 0, serverErrorRate: 0 });

      expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
      const sp = world.sim.state.directory.servicePrincipals.get(app.servicePrincipalId)?.resource;
      expect(sp?.preferredTokenSigningKeyThumbprint).toBe(app.thumbprint);
      expect(world.sim.requestLog.some((r) => r.status === 429 || r.status >= 500)).toBe(true);
      await expect(world.entra.ensureMigrationApp(specFor(world))).resolves.toMatchObject({
        appId: app.appId,
        created: false,
      });
    },
  );

  it("does not create a second app when instantiate succeeded but its response was lost (504)", async () => {
    world = await startWorld({ faults: { scripted: [{ method: "POST", pathIncludes: "/instantiate", status: 504 }] } });
    const app = await world.entra.ensureMigrationApp(specFor(world));

    expect(world.sim.requestLog.filter((r) => r.path.includes("/instantiate")).map((r) => r.status)).toEqual([504]);
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
    expect(app.created).toBe(true);
    expect(world.counter.get("instantiate")).toBe(1);
  });

  it("instantiates again only when the failed attempt left nothing behind (503)", async () => {
    world = await startWorld({ faults: { scripted: [{ method: "POST", pathIncludes: "/instantiate", status: 503 }] } });
    await world.entra.ensureMigrationApp(specFor(world));
    expect(world.sim.requestLog.filter((r) => r.path.includes("/instantiate")).map((r) => r.status)).toEqual([
      503, 201,
    ]);
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
  });

  it("retries a replication 404 on every write after instantiate (tags, SAML mode, URIs, certificate, thumbprint)", async () => {
    const firstTryOfEachWrite = [
      { method: "PATCH", pathIncludes: "/applications/", status: 404 as const },
      { method: "PATCH", pathIncludes: "/servicePrincipals/", status: 404 as const },
      { method: "POST", pathIncludes: "/addTokenSigningCertificate", status: 404 as const },
    ];
    // Re-armed after each successful write, so every write meets one replica that has not caught up.
    const holder: { world?: World } = {};
    world = await startWorld({
      replicationDelayMs: 0,
      beforeRequest: () => {
        const last = holder.world?.sim.requestLog.at(-1);
        if (last && last.method !== "GET" && last.status < 300)
          holder.world?.sim.setFaults({ scripted: firstTryOfEachWrite });
      },
    });
    holder.world = world;
    world.sim.setFaults({ scripted: firstTryOfEachWrite });
    const app = await world.entra.ensureMigrationApp(specFor(world));

    const writes = world.sim.requestLog
      .filter((r) => r.method !== "GET" && !r.path.includes("/instantiate"))
      .map((r) => `${r.status} ${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, "{id}")}`);
    expect(writes).toEqual([
      "404 PATCH /applications/{id}",
      "204 PATCH /applications/{id}",
      "404 PATCH /servicePrincipals/{id}",
      "204 PATCH /servicePrincipals/{id}",
      "404 PATCH /applications/{id}",
      "204 PATCH /applications/{id}",
      "404 POST /servicePrincipals/{id}/addTokenSigningCertificate",
      "200 POST /servicePrincipals/{id}/addTokenSigningCertificate",
      "404 PATCH /servicePrincipals/{id}",
      "204 PATCH /servicePrincipals/{id}",
    ]);
    const sp = world.sim.state.directory.servicePrincipals.get(app.servicePrincipalId)?.resource;
    expect(sp?.keyCredentials.filter((k) => k.usage === "Verify")).toHaveLength(1);
    expect(sp?.preferredTokenSigningKeyThumbprint).toBe(app.thumbprint);
  });

  it("gives up on writes that keep answering 404 after the 2-minute replication window; the rerun finds its own app by the stored ids while lists still lag", async () => {
    world = await startWorld({
      replicationDelayMs: 10_000,
      writeReplicationDelayMs: 6 * 60_000,
      listReplicationDelayMs: 30 * 60_000,
    });
    const stored: { made?: InstantiatedApp } = {};
    const spec = specFor(world, { onInstantiated: async (made) => void (stored.made = made) });
    const started = world.clock.now().getTime();
    await expect(world.entra.ensureMigrationApp(spec)).rejects.toMatchObject({ statusCode: 404 });
    const waited = world.clock.now().getTime() - started;
    expect(waited).toBeGreaterThanOrEqual(2 * 60_000);
    expect(waited).toBeLessThan(3 * 60_000);
    expect(stored.made?.appId).toBeDefined();

    // The step's retry, minutes later: the list still shows nothing, the stored ids find the app.
    await world.clock.sleep(5 * 60_000);
    const app = await world.entra.ensureMigrationApp({ ...spec, instantiated: stored.made });
    expect(app).toMatchObject({ appId: stored.made?.appId, created: true });
    expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
    expect(world.counter.get("instantiate")).toBe(1);
  });

  it("does not add a second certificate when addTokenSigningCertificate's response was lost", async () => {
    world = await startWorld({
      faults: { scripted: [{ method: "POST", pathIncludes: "/addTokenSigningCertificate", status: 504 }] },
    });
    const app = await world.entra.ensureMigrationApp(specFor(world));
    const sp = world.sim.state.directory.servicePrincipals.get(app.servicePrincipalId)?.resource;
    expect(sp?.keyCredentials.filter((k) => k.usage === "Verify")).toHaveLength(1);
    expect(sp?.preferredTokenSigningKeyThumbprint).toBe(app.thumbprint);
  });

  it("waits out a SAML exemption that reaches the identifier-URI policy 2 minutes late", async () => {
    world = await startWorld({ samlExemptionDelayMs: 2 * 60_000 });
    const started = world.clock.now().getTime();
    const app = await world.entra.ensureMigrationApp(specFor(world, { server: "peig.example.net" }));
    expect(app.entityId).toBe("https://peig.example.net/aducid-onboard/m365/metadata");
    const refusals = world.sim.requestLog.filter((r) => r.method === "PATCH" && r.status === 400);
    expect(refusals.length).toBeGreaterThan(0);
    expect(world.clock.now().getTime() - started).toBeGreaterThanOrEqual(2 * 60_000);
  });

  it("reports the tenant policy with its fix when the SAML exemption never comes, after a bounded wait", async () => {
    world = await startWorld({ samlExemptFromIdentifierUriPolicy: false });
    const started = world.clock.now().getTime();
    const attempt = world.entra.ensureMigrationApp(specFor(world, { server: "peig.example.net" }));
    await expect(attempt).rejects.toBeInstanceOf(HostNameNotOnVerifiedDomainError);
    await expect(attempt).rejects.toThrow(
      /https:\/\/peig\.example\.net\/aducid-onboard\/m365\/metadata.*All newly added URIs/,
    );
    await expect(attempt).rejects.toMatchObject({
      explained: {
        code: "HostNameNotOnVerifiedDomain",
        fix: expect.stringMatching(/Verify the Peig server's domain.*excludeSaml/),
      },
    });
    const waited = world.clock.now().getTime() - started;
    expect(waited).toBeGreaterThanOrEqual(5 * 60_000);
    expect(waited).toBeLessThan(7 * 60_000);
  });

  it("accepts a Peig server outside the verified domains once the app is in SAML mode", async () => {
    world = await startWorld();
    const app = await world.entra.ensureMigrationApp(specFor(world, { server: "peig.example.net:8443" }));
    expect(app.entityId).toBe("https://peig.example.net:8443/aducid-onboard/m365/metadata");
  });

  it("refuses a certificate end date more than 3 years ahead before calling Graph", async () => {
    world = await startWorld();
    const end = new Date(world.clock.now());
    end.setUTCFullYear(end.getUTCFullYear() + 4);
    await expect(world.entra.ensureMigrationApp(specFor(world, { certificateEndDateTime: end }))).rejects.toThrow(
      /at most 3 years/,
    );
    expect(world.sim.requestLog).toHaveLength(0);
  });

  it("counts its requests by kind", async () => {
    world = await startWorld();
    await world.entra.ensureMigrationApp(specFor(world));
    expect(world.counter.snapshot()).toMatchObject({
      instantiate: 1,
      addTokenSigningCertificate: 1,
      patchApplication: 2,
      patchServicePrincipal: 2,
    });
  });

  describe("when an ended migration's app holds the Entity ID", () => {
    it("takes it over when the caller names that migration as ended, and is idempotent on a rerun", async () => {
      world = await startWorld();
      const old = await world.entra.ensureMigrationApp(specFor(world, { migrationId: "m-old" }));
      const adopted = await world.entra.ensureMigrationApp(
        specFor(world, { migrationId: "m-new", adoptableMigrationIds: ["m-old"] }),
      );
      expect(adopted).toMatchObject({ appId: old.appId, created: false, adoptedFrom: "m-old", entityId: old.entityId });
      expect(world.sim.state.directory.applications.get(old.applicationObjectId)?.resource.tags).toEqual([
        migrationTag("m-new"),
      ]);
      const rerun = await world.entra.ensureMigrationApp(
        specFor(world, { migrationId: "m-new", adoptableMigrationIds: ["m-old"] }),
      );
      expect(rerun).toMatchObject({ appId: old.appId, created: false });
      expect(rerun.adoptedFrom).toBeUndefined();
      expect(appsNamed(world, "PeigMigrationManager")).toHaveLength(1);
    });

    it("does not take over the app of a migration that has not ended, and says why the Entity ID is refused", async () => {
      world = await startWorld();
      await world.entra.ensureMigrationApp(specFor(world, { migrationId: "m-running" }));
      const attempt = world.entra.ensureMigrationApp(
        specFor(world, { migrationId: "m-new", adoptableMigrationIds: ["m-other"] }),
      );
      await expect(attempt).rejects.toBeInstanceOf(EntityIdTakenError);
      await expect(attempt).rejects.toThrow(
        /already uses the Entity ID https:\/\/pap01\.contoso\.com\/aducid-onboard\/m365\/metadata.*not taken over/,
      );
    });

    it("does not take over an app of another name that holds the Entity ID, even if tagged for an ended migration", async () => {
      world = await startWorld();
      const old = await world.entra.ensureMigrationApp(specFor(world, { migrationId: "m-old" }));
      world.sim.state.directory.applications.get(old.applicationObjectId)!.resource.displayName =
        "Peig SSO (production)";
      await expect(
        world.entra.ensureMigrationApp(specFor(world, { migrationId: "m-new", adoptableMigrationIds: ["m-old"] })),
      ).rejects.toBeInstanceOf(EntityIdTakenError);
      expect(world.sim.state.directory.applications.get(old.applicationObjectId)?.resource.tags).toEqual([
        migrationTag("m-old"),
      ]);
    });
  });
});
