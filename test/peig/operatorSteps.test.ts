/** Operator mode: each Peig write is worded as the runbook's UI steps, with the exact values to use. */
import { checkConfirmation, describeOperatorStep, type OperatorStep } from "../../shared/peig/operatorSteps";

const pem = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----";

describe("operator steps", () => {
  it("words the migration configuration as Configuration > Microsoft 365 Active Provider > Migration > Validate, Save", () => {
    const { title, instructions } = describeOperatorStep({
      kind: "saveMigrationConfiguration",
      applicationId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
      idpCertificatePem: pem,
    });
    expect(title).toBe("Set the migration configuration in Peig");
    expect(instructions.slice(0, 4)).toEqual([
      "Open the Configuration app in Peig.",
      "Find your Microsoft 365 Active Provider.",
      "Open the Migration section.",
      "Enter the Application ID: 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    ]);
    expect(instructions).toContain("Click Validate, then Save.");
  });

  it("sends the Peig admin to the Microsoft 365 Accounts tab of MS365 Identifiers for the accounts the page lists", () => {
    const step: OperatorStep = {
      kind: "createPeigAccounts",
      accounts: [
        { microsoft365UserId: "u1", userPrincipalName: "jane.smith@contoso.com", displayName: "Jane Smith" },
        { microsoft365UserId: "u2", userPrincipalName: "soren.odegard@contoso.com", displayName: "Søren Ødegård" },
      ],
    };
    const { title, instructions } = describeOperatorStep(step);
    expect(title).toBe("Create 2 Peig accounts for users who did not onboard");
    expect(instructions.slice(0, 2)).toEqual([
      "Open MS365 Identifiers in Peig.",
      "Go to the Microsoft 365 Accounts tab.",
    ]);
    expect(instructions).toContain(
      "For each of the 2 Microsoft 365 users listed under Accounts below, find the user and click Create Peig Account. Skip anyone who already shows a linked Peig account.",
    );
  });

  it("says why the accounts step is asked again, for an expired round and for one confirmed with failures", () => {
    const accounts = [{ microsoft365UserId: "u1", userPrincipalName: "jane.smith@contoso.com", displayName: "Jane" }];
    const expired = describeOperatorStep({
      kind: "createPeigAccounts",
      accounts,
      again: { round: 2, earlier: "expired" },
    });
    expect(expired.title).toBe("Create 1 Peig account for users who did not onboard, asked again (round 2)");
    expect(expired.instructions[0]).toBe(
      "This task is asked again: round 1 expired before anyone confirmed it, so the accounts may not exist yet.",
    );
    const incomplete = describeOperatorStep({
      kind: "createPeigAccounts",
      accounts,
      again: { round: 3, earlier: "incomplete", failed: 4 },
    });
    expect(incomplete.instructions[0]).toBe(
      "This task is asked again: round 2 was confirmed with 4 Create Peig Account failures, so some listed users still have no Peig account.",
    );
    expect(incomplete.instructions[1]).toContain('listed under "Still without a Peig account" below');
    const noneReported = describeOperatorStep({
      kind: "createPeigAccounts",
      accounts,
      again: { round: 2, earlier: "incomplete", failed: 0 },
    });
    expect(noneReported.instructions[0]).toBe(
      "This task is asked again: round 1 was confirmed, but the checklist still finds users without a Peig account.",
    );
    // Then the usual steps.
    expect(incomplete.instructions[2]).toBe("Open MS365 Identifiers in Peig.");
  });

  it("words the accounts step in a size that does not grow with the tenant (the task row has a size limit)", () => {
    const accounts = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        microsoft365UserId: `u${i}`,
        userPrincipalName: `user${i}@contoso.com`,
        displayName: `User ${i}`,
      }));
    const size = (n: number) =>
      describeOperatorStep({ kind: "createPeigAccounts", accounts: accounts(n) }).instructions.join("\n").length;
    expect(size(30_000) - size(2)).toBeLessThan(10);
  });

  it("suggests Merge for a mistyped request with a known owner, and Approve or Deny otherwise", () => {
    const { instructions } = describeOperatorStep({
      kind: "resolvePendingRequests",
      requests: [
        {
          email: "jsmith@contoso.com",
          displayName: "Jane Smith",
          submittedAt: "2026-12-02T10:00:00.000Z",
          suggestedMergeTarget: { userPrincipalName: "jane.smith@contoso.com", displayName: "Jane Smith" },
        },
        { email: "who@gmail.com", displayName: "Unknown Person" },
      ],
    });
    expect(instructions[0]).toBe("Open Users & Access in Peig. Pending requests are at the top of the dashboard.");
    expect(instructions).toContain(
      "Request from Jane Smith typed as jsmith@contoso.com, submitted 2026-12-02T10:00:00.000Z: verify the person, then click Merge and choose the existing account of Jane Smith <jane.smith@contoso.com>.",
    );
    expect(instructions).toContain(
      "Request from Unknown Person typed as who@gmail.com: verify the person, then click Approve, or Deny if you cannot confirm who they are.",
    );
  });

  it("asks to check Not Onboarded users and unlinked accounts before confirming completion", () => {
    const { instructions } = describeOperatorStep({
      kind: "confirmOnboardingComplete",
      usersToCheck: [{ userPrincipalName: "a@contoso.com", displayName: "A" }],
    });
    expect(instructions.join("\n")).toMatch(/Not Onboarded/);
    expect(instructions).toContain("Check A <a@contoso.com>.");
    expect(
      describeOperatorStep({ kind: "confirmOnboardingComplete", usersToCheck: [] }).instructions.join("\n"),
    ).not.toMatch(/could not see/);
  });

  it("tells the Peig admin to merge requests typed with another e-mail by hand before confirming, since operator mode cannot list them", () => {
    const { instructions } = describeOperatorStep({ kind: "confirmOnboardingComplete", usersToCheck: [] });
    const merge = instructions.findIndex((line) => /click Merge and choose the existing account/.test(line));
    expect(merge).toBeGreaterThan(-1);
    expect(instructions[merge]).toMatch(/Do not Approve it/);
    expect(instructions[merge + 1]).toMatch(/Create Peig Account .* then Merge/);
    expect(merge).toBeLessThan(instructions.findIndex((line) => /^Confirm this task/.test(line)));
  });

  it("words the deletion as the runbook's Close the migration steps and warns that it cannot be undone", () => {
    const { instructions } = describeOperatorStep({ kind: "deleteMigrationConfiguration" });
    expect(instructions.slice(0, 4)).toEqual([
      "Open the Configuration app in Peig.",
      "Find your Microsoft 365 Active Provider.",
      "Open the Migration section.",
      "Delete the migration configuration. This cannot be undone: afterwards nobody can onboard with their Microsoft credentials.",
    ]);
  });
});

describe("checkConfirmation", () => {
  const known = {
    applicationId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    listedForPhase2: 112,
    inScope: 120,
    awaitingFirstSignIn: 79,
  };
  const entered = (figures: Record<string, string>) => (name: string) => figures[name] ?? null;

  it("accepts Phase 2 figures that add up to the users listed, 409s counted as already linked", () => {
    expect(
      checkConfirmation("createPeigAccounts", entered({ created: "85", alreadyLinked: "27", failed: "0" }), known),
    ).toEqual({ ok: true, figures: { created: 85, alreadyLinked: 27, failed: 0 } });
  });

  it("refuses Phase 2 figures that do not add up, naming the sum and the list", () => {
    expect(
      checkConfirmation("createPeigAccounts", entered({ created: "112", alreadyLinked: "27", failed: "0" }), known),
    ).toEqual({
      ok: false,
      problems: [
        {
          field: "created",
          message:
            "112 created + 27 already linked + 0 failed = 139, but the task listed 112 users: each listed user is exactly one of the three",
        },
      ],
    });
  });

  it("refuses a checklist confirmation with requests pending, too many Not Onboarded or too few linked, one line each", () => {
    const result = checkConfirmation(
      "confirmOnboardingComplete",
      entered({ pendingRequests: "13", notOnboarded: "85", linkedAccounts: "110" }),
      known,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual([
      "pendingRequests",
      "notOnboarded",
      "linkedAccounts",
    ]);
    expect(!result.ok && result.problems[0].message).toMatch(
      /^Users & Access shows 13 pending requests, and the checklist needs none/,
    );
    expect(!result.ok && result.problems[1].message).toMatch(
      /the app counts 79 with a Phase 2 account awaiting their first sign-in: 6 more/,
    );
    expect(!result.ok && result.problems[2].message).toMatch(
      /but 120 users are in scope: at least 10 of them are not linked/,
    );
    expect(
      checkConfirmation(
        "confirmOnboardingComplete",
        entered({ pendingRequests: "0", notOnboarded: "70", linkedAccounts: "121" }),
        known,
      ).ok,
    ).toBe(true);
  });

  it("asks for a whole number where a figure is missing or not one, and for this migration's Application ID", () => {
    const missing = checkConfirmation("confirmOnboardingComplete", entered({ pendingRequests: "x" }), known);
    expect(!missing.ok && missing.problems.map((p) => p.field)).toEqual([
      "pendingRequests",
      "notOnboarded",
      "linkedAccounts",
    ]);
    const other = checkConfirmation(
      "saveMigrationConfiguration",
      entered({ applicationId: "00000000-0000-0000-0000-000000000000" }),
      known,
    );
    expect(!other.ok && other.problems[0].message).toContain(
      `this migration's app PeigMigrationManager is ${known.applicationId}`,
    );
    expect(
      checkConfirmation(
        "saveMigrationConfiguration",
        entered({ applicationId: known.applicationId.toUpperCase() }),
        known,
      ).ok,
    ).toBe(true);
    expect(checkConfirmation("deleteMigrationConfiguration", entered({ configurationsShown: "1" }), known).ok).toBe(
      false,
    );
  });
});
