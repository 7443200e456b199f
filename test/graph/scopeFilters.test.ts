/**
 * The OData filters a pass sends for the built-in exclusions decide exactly as the scope rules do: for every
 * combination of switches and every kind of account (member, guest, no type; enabled, disabled, not set; licensed
 * or not), the Graph simulator's filter evaluation puts a user in exactly one kept read iff `ruleRemoving` keeps them,
 * and in some removed read otherwise, so a pass reads whom the rules keep and the plan's reads see every user.
 */
import { matches, parseFilter } from "../../local/graph-simulator/odata";
import { migrationScope, ruleRemoving, type MigrationScope } from "../../shared/domain/scope";
import { exclusionFilters, scopeCandidate } from "../../shared/entra/scopeFilters";
import type { GraphUser } from "../../shared/entra/graphReads";

const switches = [false, true];
const scopes: MigrationScope[] = switches.flatMap((excludeGuests) =>
  switches.flatMap((excludeUnlicensed) =>
    switches.map((excludeDisabledAccounts) =>
      migrationScope({ domain: "contoso.com", excludeGuests, excludeUnlicensed, excludeDisabledAccounts }),
    ),
  ),
);

const users: GraphUser[] = ["Member", "Guest", null].flatMap((userType) =>
  [true, false, null].flatMap((accountEnabled) =>
    [0, 1].map((licences) => ({
      id: `${userType}-${accountEnabled}-${licences}`,
      displayName: "Someone",
      userPrincipalName: "someone@contoso.com",
      mail: "someone@contoso.com",
      proxyAddresses: ["SMTP:someone@contoso.com"],
      otherMails: [],
      userType,
      accountEnabled,
      assignedLicenses: licences ? [{ skuId: "c7df2760-2c81-4ef7-b578-5b5392b571df", disabledPlans: [] }] : [],
    })),
  ),
);

const label = (s: MigrationScope) =>
  `guests ${s.excludeGuests ? "out" : "in"}, unlicensed ${s.excludeUnlicensed ? "out" : "in"}, disabled ${s.excludeDisabledAccounts ? "out" : "in"}`;

describe("the built-in exclusions as Graph filters", () => {
  it.each(scopes.map((scope) => [label(scope), scope] as const))(
    "%s: the kept reads hold whom the rules keep, once each; the removed reads hold the rest",
    (_label, scope) => {
      const filters = exclusionFilters(scope);
      for (const user of users) {
        const keptByRules = ruleRemoving(scopeCandidate(user), scope, new Set()) === null;
        const resource = user as unknown as Record<string, unknown>;
        if (!filters) {
          expect({ user: user.id, keptByRules }).toEqual({ user: user.id, keptByRules: true });
          continue;
        }
        const keptReads = filters.kept.filter((filter) => matches(parseFilter(filter), resource)).length;
        const removedReads = filters.removed.filter((filter) => matches(parseFilter(filter), resource)).length;
        expect({ user: user.id, keptReads, removed: removedReads > 0 }).toEqual({
          user: user.id,
          keptReads: keptByRules ? 1 : 0,
          removed: !keptByRules,
        });
      }
    },
  );

  it("never joins clauses with or, which Graph refuses beside assignedLicenses", () => {
    const all = scopes.flatMap((scope) => {
      const filters = exclusionFilters(scope);
      return filters ? [...filters.kept, ...filters.removed] : [];
    });
    expect(all.filter((filter) => / or /i.test(filter))).toEqual([]);
  });

  it("filters nothing when every built-in exclusion is off, and everything the defaults name when on", () => {
    expect(
      exclusionFilters({ excludeGuests: false, excludeUnlicensed: false, excludeDisabledAccounts: false }),
    ).toBeNull();
    expect(exclusionFilters(migrationScope({ domain: "contoso.com" }))).toEqual({
      kept: ["userType eq 'Member' and assignedLicenses/$count ne 0 and accountEnabled eq true"],
      removed: [
        "userType ne 'Member'",
        "userType eq 'Member' and assignedLicenses/$count eq 0",
        "accountEnabled ne true",
      ],
    });
  });
});
