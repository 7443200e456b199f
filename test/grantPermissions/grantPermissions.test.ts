import { spawn } from "child_process";
import { resolve } from "path";
import { VirtualClock } from "../../local/host/clocks";
import { generateTenant } from "../../local/fixtures/tenant";
import {
  MICROSOFT_GRAPH_APP_ID as SIMULATED_GRAPH_APP_ID,
  microsoftGraphAppRoles,
  startGraphSimulator,
  type GraphSimulator,
} from "../../local/graph-simulator";
import { createSimulatorGraphClient } from "../../shared/graph/client";
import { GraphCaller } from "../../shared/graph/graphCaller";
import { RequestCounter } from "../../shared/requestCounter";
import { parseGrantArguments } from "../../scripts/grantPermissions/args";
import {
  MICROSOFT_GRAPH_APP_ID,
  PrincipalNotFoundError,
  grantGraphPermissions,
  type GrantOptions,
} from "../../scripts/grantPermissions/grant";
import { features, featurePermissions } from "../../shared/graph/permissions";

const identity = { id: "7b4c3e2a-1f0d-4c8b-9a6e-5d4c3b2a1f0e", displayName: "id-peig-migration-abc123" };
const everyPermission = [
  "Application.ReadWrite.All",
  "User.Read.All",
  "GroupMember.Read.All",
  "AuditLog.Read.All",
  "Mail.Send",
  "Mail.ReadWrite",
  "Policy.Read.All",
  "MailboxSettings.Read",
];

describe("grant-permissions against the Graph simulator", () => {
  let sim: GraphSimulator;
  let clock: VirtualClock;

  beforeEach(async () => {
    clock = new VirtualClock("2026-12-01T09:00:00Z");
    sim = await startGraphSimulator({
      clock,
      tenant: generateTenant({ users: 5, seed: 1, domain: "contoso.com" }),
      managedIdentities: [identity],
    });
  });
  afterEach(async () => sim.stop());

  async function run(options: Partial<GrantOptions> = {}) {
    const graph = new GraphCaller({
      client: createSimulatorGraphClient(sim.baseUrl),
      clock,
      counter: new RequestCounter(),
      retryPolicy: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 },
    });
    const lines: string[] = [];
    const result = await grantGraphPermissions(
      graph,
      { principalId: identity.id, features, dryRun: false, ...options },
      (line) => lines.push(line),
    );
    return { result, output: lines.join("\n") };
  }
  const posts = () => sim.requestLog.filter((r) => r.method === "POST");
  const granted = () =>
    sim.state.appRoleAssignments
      .filter((a) => a.principalId === identity.id)
      .map((a) => a.appRoleId)
      .sort();

  it("prints every assignment on --dry-run and sends no POST", async () => {
    const { result, output } = await run({ dryRun: true });
    for (const permission of everyPermission)
      expect(output).toMatch(new RegExp(`would assign\\s+${permission.replace(/\./g, "\\.")}`));
    expect(output).toContain("Nothing was changed");
    expect(result.items.map((i) => i.status)).toEqual(everyPermission.map(() => "wouldAssign"));
    expect(posts()).toHaveLength(0);
    expect(sim.state.appRoleAssignments).toHaveLength(0);
  });

  it("assigns each permission once with Graph's real app role ids", async () => {
    const { result, output } = await run();
    expect(result.assigned).toBe(everyPermission.length);
    expect(granted()).toEqual(everyPermission.map((p) => microsoftGraphAppRoles[p]).sort());
    expect(posts().map((p) => p.status)).toEqual(everyPermission.map(() => 201));
    expect(output).toContain(`Assigned ${everyPermission.length} new permissions`);
  });

  it("assigns nothing new on a second run and says so", async () => {
    await run();
    const before = posts().length;
    const { result, output } = await run();
    expect(result.assigned).toBe(0);
    expect(result.items.every((i) => i.status === "alreadyAssigned")).toBe(true);
    expect(posts().length).toBe(before);
    expect(output).toContain(`Nothing new to assign: all ${everyPermission.length} permissions are already assigned.`);
  });

  it("grants only what the chosen features need", async () => {
    const { result } = await run({ features: ["users", "mail"] });
    expect(result.items.map((i) => i.permission)).toEqual(["User.Read.All", "Mail.Send", "Mail.ReadWrite"]);
    expect(granted()).toEqual(
      [
        microsoftGraphAppRoles["Mail.ReadWrite"],
        microsoftGraphAppRoles["Mail.Send"],
        microsoftGraphAppRoles["User.Read.All"],
      ].sort(),
    );
  });

  it("finds an existing grant on a later page of Graph's assignments", async () => {
    const other = (i: number) => ({
      id: `other-${i}`,
      appRoleId: microsoftGraphAppRoles["User.Read.All"],
      createdDateTime: "2026-01-01T00:00:00Z",
      deletedDateTime: null,
      principalDisplayName: `app ${i}`,
      principalId: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      principalType: "ServicePrincipal" as const,
      resourceDisplayName: "Microsoft Graph",
      resourceId: "unused",
    });
    sim.state.appRoleAssignments.push(...Array.from({ length: 150 }, (_, i) => other(i)), {
      ...other(999),
      principalId: identity.id,
      appRoleId: microsoftGraphAppRoles["Mail.Send"],
    });
    const { result } = await run({ dryRun: true });
    expect(result.items.find((i) => i.permission === "Mail.Send")?.status).toBe("alreadyAssigned");
    expect(
      sim.requestLog.filter((r) => r.path.includes("appRoleAssignedTo") && r.path.includes("$skiptoken")),
    ).toHaveLength(1);
  });

  it("completes a grant whose response was lost (504 after processing) without a duplicate", async () => {
    sim.setFaults({ scripted: [{ method: "POST", pathIncludes: "appRoleAssignedTo", status: 504, times: 1 }] });
    const { result } = await run();
    expect(result.assigned).toBe(everyPermission.length);
    expect(granted()).toHaveLength(everyPermission.length);
    // The retry of the lost one met Graph's 400 "already exists"; the re-read confirmed the grant.
    expect(posts().map((p) => p.status)).toEqual([504, 400, ...everyPermission.slice(1).map(() => 201)]);
  });

  it("explains a principal id that names no service principal", async () => {
    await expect(run({ principalId: "00000000-0000-0000-0000-000000000001" })).rejects.toThrow(PrincipalNotFoundError);
    await expect(run({ principalId: "00000000-0000-0000-0000-000000000001" })).rejects.toThrow(
      /principal \(object\) id, not its client id/,
    );
  });

  it("refuses a duplicate grant with Graph's 400", async () => {
    await run({ features: ["mail"] });
    const graphSp = (await (
      await fetch(`${sim.baseUrl}v1.0/servicePrincipals(appId='${SIMULATED_GRAPH_APP_ID}')`)
    ).json()) as { id: string };
    const again = await fetch(`${sim.baseUrl}v1.0/servicePrincipals/${graphSp.id}/appRoleAssignedTo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        principalId: identity.id,
        resourceId: graphSp.id,
        appRoleId: microsoftGraphAppRoles["Mail.Send"],
      }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({
      error: { message: "Permission being assigned already exists on the object." },
    });
  });

  it("runs as a CLI: --dry-run against the simulator prints the plan and exits 0", async () => {
    const root = resolve(__dirname, "../..");
    const child = spawn(
      process.execPath,
      [
        "-r",
        "sucrase/register/ts",
        "scripts/grantPermissions.ts",
        "--principal-id",
        identity.id,
        "--dry-run",
        "--graph-base-url",
        sim.baseUrl,
      ],
      {
        cwd: root,
        env: { ...process.env, AZURE_CLIENT_ID: "" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`Dry run: Microsoft Graph application permissions for ${identity.displayName}`);
    expect(stdout).toMatch(/would assign\s+Mail\.Send/);
    expect(posts()).toHaveLength(0);
  });
});

describe("grant-permissions: what it grants and how it is called", () => {
  it("uses Microsoft Graph's well-known appId", () => {
    expect(MICROSOFT_GRAPH_APP_ID).toBe(SIMULATED_GRAPH_APP_ID);
  });

  it("keeps the setup permission at Application.ReadWrite.All, because OwnedBy cannot finish the setup", () => {
    const setup = featurePermissions.filter((p) => p.feature === "setup");
    expect(setup.map((p) => p.permission)).toEqual(["Application.ReadWrite.All"]);
    expect(setup[0].why).toMatch(/OwnedBy is not enough/);
    expect(featurePermissions.map((p) => p.permission)).not.toContain("Directory.Read.All");
  });

  it("parses the options and rejects a missing or malformed principal id", () => {
    expect(
      parseGrantArguments([
        "--principal-id",
        identity.id.toUpperCase(),
        "--dry-run",
        "--features=users,mail",
        "--cloud",
        "usgov",
      ]),
    ).toEqual({
      ok: true,
      help: false,
      value: {
        principalId: identity.id,
        features: ["users", "mail"],
        dryRun: true,
        graphBaseUrl: undefined,
        cloud: "usgov",
      },
    });
    expect(parseGrantArguments([])).toMatchObject({ ok: false, error: expect.stringMatching(/--principal-id/) });
    expect(parseGrantArguments(["--principal-id", "not-a-guid"])).toMatchObject({ ok: false });
    expect(parseGrantArguments(["--principal-id", identity.id, "--features", "users,everything"])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unknown: everything/),
    });
    expect(parseGrantArguments(["--principal-id", identity.id, "--graph-base-url", "ftp://x"])).toMatchObject({
      ok: false,
    });
    expect(parseGrantArguments(["--principal-id", identity.id, "--bogus"])).toMatchObject({
      ok: false,
      error: "unknown option --bogus",
    });
    expect(parseGrantArguments(["--help"])).toEqual({ ok: true, help: true });
  });
});
