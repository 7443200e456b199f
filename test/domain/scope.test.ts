import { applyScope, migrationScope, scopeRules, type ScopeCandidate } from "../../shared/domain/scope";

const person = (id: string, over: Partial<ScopeCandidate> = {}): ScopeCandidate => ({
  id,
  displayName: `Person ${id}`,
  userPrincipalName: `${id}@contoso.com`,
  mail: `${id}@contoso.com`,
  proxyAddresses: [`SMTP:${id}@contoso.com`],
  accountEnabled: true,
  userType: "Member",
  licenceCount: 1,
  ...over,
});

const everyone = [
  person("ann"),
  person("bob", {
    userType: "Guest",
    userPrincipalName: "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    mail: "bob@fabrikam.com",
    proxyAddresses: ["SMTP:bob@fabrikam.com"],
  }),
  person("cat", { accountEnabled: false }),
  // A shared mailbox: no licence and sign-in blocked; told as a mailbox without a licence.
  person("info", { accountEnabled: false, licenceCount: 0 }),
  person("svc", { licenceCount: 0, mail: null, proxyAddresses: [] }),
  person("dan", { userPrincipalName: "dan@labs.contoso.com", mail: "dan@labs.contoso.com", proxyAddresses: [] }),
  // Only an alias in the domain still counts.
  person("eve", {
    userPrincipalName: "eve@contoso.onmicrosoft.com",
    mail: null,
    proxyAddresses: ["smtp:eve@CONTOSO.com"],
  }),
  person("fay"),
];

describe("who is in scope", () => {
  it("counts each left-out user under the first rule that removes them, in the documented order", () => {
    const decision = applyScope(everyone, migrationScope({ domain: "contoso.com" }), new Set(["fay"]));
    expect(decision.users.map((u) => u.id)).toEqual(["ann", "eve"]);
    expect(decision.removed.map((r) => [r.rule, r.count])).toEqual([
      ["excludeGroups", 1],
      ["guests", 1],
      ["unlicensed", 2],
      ["disabledAccounts", 1],
      ["outsideDomain", 1],
    ]);
    expect(decision.removed.map((r) => r.rule)).toEqual([...scopeRules]);
    expect(decision.removed.find((r) => r.rule === "unlicensed")?.sample).toEqual([
      "Person info (info@contoso.com)",
      "Person svc (svc@contoso.com)",
    ]);
  });

  it("keeps guests, disabled and unlicensed accounts when the admin switches the built-in exclusions off", () => {
    const scope = migrationScope({
      domain: "contoso.com",
      excludeGuests: false,
      excludeDisabledAccounts: false,
      excludeUnlicensed: false,
    });
    const decision = applyScope(everyone, scope, new Set());
    // The guest has no address in the domain: the domain rule still leaves them out.
    expect(decision.users.map((u) => u.id)).toEqual(["ann", "cat", "info", "svc", "eve", "fay"]);
    expect(decision.removed.filter((r) => r.count > 0).map((r) => r.rule)).toEqual(["outsideDomain"]);
  });

  it("keeps an unlicensed guest when only the guest exclusion is switched off (the licence rule is for members)", () => {
    const guest = person("gus", { userType: "Guest", licenceCount: 0 });
    const scope = migrationScope({ domain: "contoso.com", excludeGuests: false });
    expect(applyScope([guest], scope, new Set()).users.map((u) => u.id)).toEqual(["gus"]);
  });

  it("decides each user once, however many include groups list them", () => {
    const decision = applyScope(
      [person("ann"), person("ann"), person("cat", { accountEnabled: false })],
      migrationScope({ domain: "contoso.com" }),
      new Set(),
    );
    expect(decision.users).toHaveLength(1);
    expect(decision.removed.find((r) => r.rule === "disabledAccounts")?.count).toBe(1);
  });

  it("keeps at most five names per rule", () => {
    const guests = Array.from({ length: 8 }, (_, i) => person(`g${i}`, { userType: "Guest" }));
    const removal = applyScope(guests, migrationScope({ domain: "contoso.com" }), new Set()).removed[1];
    expect([removal.count, removal.sample.length]).toEqual([8, 5]);
  });

  it("reads a migration started with the older single scope group as one include group", () => {
    expect(migrationScope({ domain: "contoso.com", scopeGroupId: "g-1" }).includeGroups).toEqual(["g-1"]);
    expect(migrationScope({ domain: "contoso.com", includeGroups: ["a", "b"] }).includeGroups).toEqual(["a", "b"]);
  });
});
