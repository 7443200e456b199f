/** The preflight's decisions from the facts read in a tenant (pure). */
import type { IdentifierUriRestrictionRead, TenantReadiness } from "../../shared/entra/port";
import { preflightFindings, type PreflightInput } from "../../shared/graph/preflight";
import { defaultGrantedPermissions } from "../../local/graph-simulator/tenantAccess";

const now = new Date("2026-12-01T09:00:00Z");
const restriction = (overrides: Partial<IdentifierUriRestrictionRead> = {}): IdentifierUriRestrictionRead => ({
  name: "uriAdditionWithoutUniqueTenantIdentifier",
  state: "enabled",
  excludeSaml: false,
  restrictForAppsCreatedAfterDateTime: null,
  ...overrides,
});
const readiness = (overrides: Partial<TenantReadiness> = {}): TenantReadiness => ({
  roles: defaultGrantedPermissions,
  identifierUriPolicy: { readable: true, isEnabled: true, restrictions: [] },
  signInLogs: "readable",
  senders: [{ address: "migration@contoso.com", exists: true, mailbox: "yes" }],
  ...overrides,
});
const input = (overrides: Partial<PreflightInput> = {}): PreflightInput => ({
  readiness: readiness(),
  peigMode: "operator",
  scopeGroup: false,
  peigHost: "peig.example.net",
  domain: "contoso.com",
  now,
  cloud: "global",
  ...overrides,
});
const checks = (i: PreflightInput) => preflightFindings(i).map((f) => `${f.severity} ${f.check}`);

describe("preflight rules", () => {
  it("accepts a broader permission that includes the one a feature needs", () => {
    const roles = [
      "Application.ReadWrite.All",
      "Directory.Read.All",
      "AuditLog.Read.All",
      "Mail.Send",
      "Mail.ReadWrite",
      "Policy.Read.All",
    ];
    expect(checks(input({ readiness: readiness({ roles }), scopeGroup: true }))).toEqual([]);
  });

  it("needs GroupMember.Read.All only for a group scope, and AuditLog.Read.All only in operator mode", () => {
    const roles = ["Application.ReadWrite.All", "User.Read.All", "Mail.Send", "Mail.ReadWrite", "Policy.Read.All"];
    expect(checks(input({ readiness: readiness({ roles }), peigMode: "api" }))).toEqual([]);
    expect(checks(input({ readiness: readiness({ roles }), peigMode: "api", scopeGroup: true }))).toEqual([
      "blocking permission",
    ]);
    expect(checks(input({ readiness: readiness({ roles }) }))).toEqual(["blocking permission"]);
  });

  it("warns, without blocking, when the token cannot be read", () => {
    expect(checks(input({ readiness: readiness({ roles: null, rolesError: "no managed identity" }) }))).toEqual([
      "warning permission",
    ]);
  });

  it("blocks on an identifier-URI restriction only when it covers SAML apps, is in force and the host is not verified", () => {
    const policy = (r: IdentifierUriRestrictionRead, isEnabled = true) =>
      input({ readiness: readiness({ identifierUriPolicy: { readable: true, isEnabled, restrictions: [r] } }) });
    expect(checks(policy(restriction()))).toEqual(["blocking identifierUriPolicy"]);
    expect(checks(policy(restriction({ excludeSaml: true })))).toEqual([]);
    expect(checks(policy(restriction({ state: "disabled" })))).toEqual([]);
    expect(checks(policy(restriction(), false))).toEqual([]);
    expect(checks(policy(restriction({ restrictForAppsCreatedAfterDateTime: "2027-01-01T00:00:00Z" })))).toEqual([]);
    expect(checks({ ...policy(restriction()), peigHost: "pap01.contoso.com" })).toEqual([]);
    // nonDefaultUriAddition allows only api://{appId}-style URIs: a verified host does not help.
    expect(
      checks({ ...policy(restriction({ name: "nonDefaultUriAddition" })), peigHost: "pap01.contoso.com" }),
    ).toEqual(["blocking identifierUriPolicy"]);
  });

  it("warns when the policy cannot be read, and skips the host check when the Peig host is not known yet", () => {
    expect(
      checks(
        input({
          readiness: readiness({ identifierUriPolicy: { readable: false, error: "403 Authorization_RequestDenied" } }),
        }),
      ),
    ).toEqual(["warning identifierUriPolicy"]);
    expect(
      checks(
        input({
          peigHost: undefined,
          readiness: readiness({
            identifierUriPolicy: { readable: true, isEnabled: true, restrictions: [restriction()] },
          }),
        }),
      ),
    ).toEqual([]);
  });

  it("blocks operator mode on unreadable sign-in logs, and says what operator mode would do without them", () => {
    const [finding] = preflightFindings(input({ readiness: readiness({ signInLogs: "notLicensed" }) }));
    expect(finding).toMatchObject({
      severity: "blocking",
      check: "signInLogs",
      problem: expect.stringMatching(/remind every user until the deadline and plan a Phase 2 account/),
    });
    expect(checks(input({ readiness: readiness({ signInLogs: { error: "400 BadRequest" } }) }))).toEqual([
      "blocking signInLogs",
    ]);
  });
});
