/**
 * The preflight, through the admin API on the local host against the simulators: what a real tenant would refuse is
 * reported with its fix by the dry run, and a blocking finding refuses the real start before anything is created.
 */
import { defaultGrantedPermissions } from "../../local/graph-simulator/tenantAccess";
import { randomUUID } from "node:crypto";
import { certificateValidFor } from "../peig/helpers";
import { filledStartForm, playEveryone, startBody, startScenario, type Scenario } from "../workflow/harness";
import type { PreflightFinding } from "../../shared/graph/preflight";
import type { LocalStackOptions } from "../../local/stack";

let s: Scenario | undefined;
afterEach(async () => s?.stop());

async function post(body: Record<string, unknown>): Promise<{
  status: number;
  body: { preflight?: PreflightFinding[]; errors?: { field: string; message: string }[] };
}> {
  const res = await s!.api("migrations", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  return { status: res.status, body: (await res.json()) as { preflight?: PreflightFinding[] } };
}

/** The dry run's findings, then the real start's answer, and whether anything was written in Entra or the store. */
async function dryRunThenStart(options: {
  peigMode?: "api" | "operator";
  stack?: Partial<LocalStackOptions>;
  body?: Record<string, unknown>;
}) {
  s = await startScenario({ peigMode: options.peigMode ?? "operator", stack: options.stack });
  const dryRun = await post(startBody({ ...options.body, dryRun: true }));
  expect(dryRun.status).toBe(200);
  const start = await post(startBody(options.body));
  const writes = s.stack.graph.requestLog.filter((r) => r.method !== "GET");
  return { findings: dryRun.body.preflight ?? [], start, writes };
}

const blocking = (findings: PreflightFinding[]) => findings.filter((f) => f.severity === "blocking");

describe("preflight before anything is created", () => {
  it("finds nothing to fix in a tenant that has everything, and the start goes ahead", async () => {
    const { findings, start } = await dryRunThenStart({});
    expect(findings).toEqual([]);
    expect(start.status).toBe(202);
  });

  it("operator mode without Entra ID P1: reports that sign-in logs cannot be read, what that would mean, and the fix; the start is refused", async () => {
    const { findings, start, writes } = await dryRunThenStart({
      stack: { graph: { access: { entraIdPremium: false } } },
    });
    expect(blocking(findings)).toEqual([
      expect.objectContaining({
        check: "signInLogs",
        field: "PEIG_MODE",
        problem: expect.stringMatching(
          /Authentication_RequestFromNonPremiumTenantOrB2CTenant.*P1 or P2.*remind every user/,
        ),
        fix: expect.stringMatching(/License Entra ID P1.*or use api mode/),
      }),
    ]);
    expect(start.status).toBe(400);
    expect(start.body.errors).toEqual([
      { field: "PEIG_MODE", message: expect.stringMatching(/P1 or P2.*Fix: License Entra ID P1/) },
    ]);
    expect(writes).toEqual([]);
  });

  it("missing AuditLog.Read.All in operator mode: names the permission and the grant command; the start is refused", async () => {
    const grantedPermissions = defaultGrantedPermissions.filter((p) => p !== "AuditLog.Read.All");
    const { findings, start, writes } = await dryRunThenStart({ stack: { graph: { access: { grantedPermissions } } } });
    expect(blocking(findings).map((f) => f.check)).toEqual(["permission", "signInLogs"]);
    expect(blocking(findings)[0]).toMatchObject({
      problem: expect.stringContaining("AuditLog.Read.All"),
      fix: expect.stringContaining("--features signIns"),
    });
    expect(start.status).toBe(400);
    expect(writes).toEqual([]);
  });

  it("an identifier-URI policy that does not exempt SAML apps and a Peig host outside the verified domain: reports it with the policy fix; the start is refused", async () => {
    const { findings, start, writes } = await dryRunThenStart({
      stack: { graph: { samlExemptFromIdentifierUriPolicy: false } },
      body: { idpEntityId: "https://peig.example.net/idp/shibboleth" },
    });
    expect(blocking(findings)).toEqual([
      expect.objectContaining({
        check: "identifierUriPolicy",
        field: "idpEntityId",
        problem: expect.stringContaining("https://peig.example.net/aducid-onboard/m365/metadata"),
        fix: expect.stringContaining("excludeSaml: true"),
      }),
    ]);
    expect(start.status).toBe(400);
    expect(writes).toEqual([]);
  });

  it("the same policy with the Peig host in the migration's verified domain is no problem", async () => {
    const { findings, start } = await dryRunThenStart({
      stack: { graph: { samlExemptFromIdentifierUriPolicy: false } },
      body: { idpEntityId: "https://pap01.contoso.com/idp/shibboleth" },
    });
    expect(findings).toEqual([]);
    expect(start.status).toBe(202);
  });

  it("a sender mailbox that does not exist blocks; Mail.Send missing from the token only warns (Exchange RBAC may grant it)", async () => {
    const grantedPermissions = defaultGrantedPermissions.filter((p) => p !== "Mail.Send");
    const { findings, start } = await dryRunThenStart({
      peigMode: "api",
      stack: { settings: { MAIL_SENDER: "nobody@contoso.com" }, graph: { access: { grantedPermissions } } },
    });
    expect(findings.map((f) => [f.check, f.severity])).toEqual([
      ["permission", "warning"],
      ["senderMailbox", "blocking"],
    ]);
    expect(start.status).toBe(400);
    expect(start.body.errors).toEqual([
      { field: "MAIL_SENDERS", message: expect.stringContaining("nobody@contoso.com does not exist") },
    ]);
  });

  it("a sender that is a user without an Exchange Online mailbox blocks, read with the mail permission the app holds", async () => {
    const { findings, start, writes } = await dryRunThenStart({
      peigMode: "api",
      stack: { graph: { withoutMailbox: ["peig-migration@contoso.com"] } },
    });
    expect(blocking(findings)).toEqual([
      expect.objectContaining({
        check: "senderMailbox",
        field: "MAIL_SENDERS",
        problem: expect.stringMatching(
          /peig-migration@contoso.com is a user.*no Exchange Online mailbox.*MailboxNotEnabledForRESTAPI/,
        ),
      }),
    ]);
    expect(start.status).toBe(400);
    expect(writes).toEqual([]);
  });

  it.each(["usgov", "usgovdod", "china"])(
    "api mode in %s is refused before any app is created: the signing certificate API exists in the global service only",
    async (cloud) => {
      const { findings, start, writes } = await dryRunThenStart({
        peigMode: "api",
        stack: { settings: { GRAPH_CLOUD: cloud } },
      });
      expect(blocking(findings)).toEqual([
        expect.objectContaining({
          check: "signingCertificate",
          field: "GRAPH_CLOUD",
          problem: expect.stringMatching(/does not offer addTokenSigningCertificate/),
        }),
      ]);
      expect(start.status).toBe(400);
      expect(writes).toEqual([]);
      expect(s!.stack.graph.state.directory.applications.size).toBe(0);
    },
  );
});

describe("preflight of the workspace (api mode, against the Peig simulator)", () => {
  /** Writes to Entra and new migration rows since `mark`: a refused start makes none. */
  const changesSince = async (mark: { graph: number; migrations: number }) => ({
    graphWrites: s!.stack.graph.requestLog.slice(mark.graph).filter((r) => r.method !== "GET"),
    newMigrations: (await s!.stack.store.listMigrations()).length - mark.migrations,
  });
  const mark = async () => ({
    graph: s!.stack.graph.requestLog.length,
    migrations: (await s!.stack.store.listMigrations()).length,
  });
  const workspaceFinding = (findings: PreflightFinding[]) => findings.filter((f) => f.check === "workspace");

  it("a second migration on a finished workspace: the plan says it is over and federation is next; the start is refused (409) before Entra is touched", async () => {
    s = await startScenario({ tenant: { users: 12, missRate: 0, mismatchRate: 0 } });
    const first = await s.start();
    expect(await playEveryone(s, first)).toBe("completed");
    const before = await mark();

    const dryRun = await post(startBody({ dryRun: true, deadline: "2027-01-15T09:00:00Z" }));
    expect(dryRun.status).toBe(200);
    expect(workspaceFinding(dryRun.body.preflight ?? [])).toEqual([
      expect.objectContaining({
        severity: "blocking",
        field: "workspace",
        problem: expect.stringMatching(
          /migration configuration for this workspace was deleted on \w{3} \d+ \w{3} 2026/,
        ),
        fix: expect.stringMatching(/federation/),
      }),
    ]);
    const start = await post(startBody({ deadline: "2027-01-15T09:00:00Z" }));
    expect(start.status).toBe(409);
    expect((start.body as { message?: string }).message).toMatch(/was deleted on .*federation/);
    expect(await changesSince(before)).toEqual({ graphWrites: [], newMigrations: 0 });
  });

  it("a workspace whose migration configuration another migration saved: refused in the plan and at the start, nothing created", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const peig = s.stack.peig.state;
    const applicationId = randomUUID();
    const certificate = certificateValidFor(s.clock, -1, 365);
    expect(peig.validate(applicationId, certificate)).toEqual([]);
    peig.save(applicationId, certificate);
    const before = await mark();

    const dryRun = await post(startBody({ dryRun: true }));
    expect(workspaceFinding(dryRun.body.preflight ?? [])).toEqual([
      expect.objectContaining({
        severity: "blocking",
        problem: expect.stringContaining(`Another migration is using this Peig workspace`),
      }),
    ]);
    expect(dryRun.body.preflight?.[0].problem).toContain(applicationId);
    const start = await post(startBody());
    expect(start.status).toBe(409);
    expect(await changesSince(before)).toEqual({ graphWrites: [], newMigrations: 0 });
    expect(peig.getConfiguration().applicationId).toBe(applicationId);
  });

  it("a workspace a running migration of this app holds: the plan names that migration", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    const running = await s.start();
    const dryRun = await post(startBody({ dryRun: true }));
    expect(workspaceFinding(dryRun.body.preflight ?? [])).toEqual([
      expect.objectContaining({ severity: "blocking", problem: expect.stringContaining(running) }),
    ]);
    const start = await post(startBody());
    expect(start.status).toBe(409);
    expect(start.body).toMatchObject({ id: running });
  });

  it("the home page's plan shows the refusal and offers no Start button", async () => {
    s = await startScenario({ tenant: { users: 5 } });
    await s.start();
    // The start form as the home page offers it (its defaults), filled in.
    const home = await (await s.asAdmin("home")).text();
    const defaults = Object.fromEntries(
      [...home.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map(([, name, value]) => [name, value]),
    );
    const form = new URLSearchParams({
      ...defaults,
      phase2: "auto",
      ...filledStartForm(),
    });
    const res = await s.asAdmin("home/plan", {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("already has a migration running");
    expect(html).toContain('id="refused"');
    expect(html).not.toContain("Start the migration");
  });
});
