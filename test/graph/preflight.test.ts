/**
 * The preflight, through the admin API on the local host against the simulators: what a real tenant would refuse is
 * reported with its fix by the dry run, and a blocking finding refuses the real start before anything is created.
 */
import { defaultGrantedPermissions } from "../../local/graph-simulator/tenantAccess";
import { startBody, startScenario, type Scenario } from "../workflow/harness";
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
