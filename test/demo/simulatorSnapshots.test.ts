/** The demo saves the simulators on exit and restores them at start: a restored simulator must be the same simulator. */
import { generateTenant } from "../../local/fixtures/tenant";
import { startGraphSimulator, type GraphSimulator } from "../../local/graph-simulator";
import { VirtualClock } from "../../local/host/clocks";
import { startPeigSimulator, type PeigSimulatorHandle } from "../../local/peig-simulator";
import { PeigApiClient } from "../../shared/peig/apiClient";
import { applicationId, certificateValidFor, dayMs } from "../peig/helpers";

const tenant = generateTenant({ users: 30, seed: 5, missRate: 0.3, mismatchRate: 0.2 });
const SENDER = "migration@contoso.com";
const NON_GALLERY_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function graphSimulator(clock: VirtualClock): Promise<GraphSimulator> {
  const sim = await startGraphSimulator({ clock, tenant, mailboxes: [SENDER] });
  running.push(sim);
  return sim;
}

async function peigSimulator(clock: VirtualClock): Promise<PeigSimulatorHandle> {
  const sim = await startPeigSimulator({ clock, tenant });
  running.push(sim);
  return sim;
}

async function graph(
  sim: GraphSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.baseUrl}v1.0${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("Graph simulator snapshot", () => {
  it("restores applications (with their replication time), service principals, sign-ins, the outbox and the request log", async () => {
    const clock = new VirtualClock();
    const original = await graphSimulator(clock);
    const created = await graph(original, "POST", `/applicationTemplates/${NON_GALLERY_TEMPLATE}/instantiate`, {
      displayName: "PeigMigrationManager",
    });
    const app = created.json.application as { id: string; appId: string };
    await graph(original, "POST", `/users/${SENDER}/sendMail`, {
      message: {
        subject: "Hello",
        body: { content: "<p>hi</p>" },
        toRecipients: [{ emailAddress: { address: "cio@contoso.com" } }],
      },
    });
    original.recordSignIn(tenant.users[0].id, app.appId);
    const snapshot = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<GraphSimulator["snapshot"]>; // as it is saved to disk

    const restored = await graphSimulator(clock);
    restored.restore(snapshot);
    expect(restored.snapshot()).toEqual(original.snapshot());
    expect(restored.outbox).toHaveLength(1);

    // Still inside the replication delay: both answer 404; afterwards both find the app.
    expect((await graph(restored, "GET", `/applications/${app.id}`)).status).toBe(404);
    clock.set(new Date(clock.now().getTime() + 60_000));
    const { "@odata.context": _restoredContext, ...restoredApp } = (
      await graph(restored, "GET", `/applications/${app.id}`)
    ).json;
    const { "@odata.context": _originalContext, ...originalApp } = (
      await graph(original, "GET", `/applications/${app.id}`)
    ).json;
    expect(restoredApp).toEqual(originalApp);
    expect((await graph(restored, "GET", `/auditLogs/signIns`)).json.value).toEqual(
      (await graph(original, "GET", `/auditLogs/signIns`)).json.value,
    );
  });

  it("refuses a snapshot of an unknown version", async () => {
    const sim = await graphSimulator(new VirtualClock());
    expect(() => sim.restore({ ...sim.snapshot(), version: 2 as 1 })).toThrow(/version/);
  });
});

describe("Peig simulator snapshot", () => {
  it("restores the workspace (configuration, accounts, requests), the IdP certificate and the onboarding schedule", async () => {
    const clock = new VirtualClock();
    const original = await peigSimulator(clock);
    const client = new PeigApiClient({ baseUrl: original.baseUrl, apiKey: original.apiKey, clock });
    const config = { applicationId, idpCertificatePem: certificateValidFor(clock, -1, 365) };
    await client.validateMigrationConfiguration(config);
    await client.saveMigrationConfiguration(config);
    clock.set(new Date(clock.now().getTime() + 5 * dayMs));
    const [firstUnlinked] = (await client.listMicrosoft365Accounts()).filter((a) => a.linkStatus === "unlinked");
    await client.createPeigAccount(firstUnlinked.id);
    const snapshot = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<PeigSimulatorHandle["snapshot"]>;
    expect(snapshot.workspace.accounts.length).toBeGreaterThan(1);
    expect(snapshot.workspace.requests.length).toBeGreaterThan(0);

    const restored = await peigSimulator(clock);
    restored.restore(snapshot);
    expect(restored.snapshot()).toEqual(original.snapshot());

    // The rest of the window plays out the same in both.
    clock.set(new Date(clock.now().getTime() + 10 * dayMs));
    original.state.advance();
    restored.state.advance();
    expect(restored.state.summary()).toEqual(original.state.summary());
    expect(restored.state.users()).toEqual(original.state.users());
    const restoredClient = new PeigApiClient({ baseUrl: restored.baseUrl, apiKey: restored.apiKey, clock });
    expect((await restoredClient.getSamlIdpInfo()).idpCertificatePem).toBe(
      (await client.getSamlIdpInfo()).idpCertificatePem,
    );
    expect(await restoredClient.saveMigrationConfiguration(config)).toBe("unchanged");
  });
});
