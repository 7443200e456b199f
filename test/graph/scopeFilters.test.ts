/**
 * The OData filters a pass sends for the built-in exclusions decide exactly as the scope rules do: for every
 * combination of switches and every kind of account (member, guest, no type; enabled, disabled, not set; licensed
 * or not), the Graph simulator's filter evaluation keeps a user iff `ruleRemoving` keeps them, and the plan's
 * complement filter holds exactly the rest, so the plan's two reads see every user once.
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
    "%s: the kept filter keeps whom the rules keep, the removed filter holds the rest",
    (_label, scope) => {
      const filters = exclusionFilters(scope);
      for (const user of users) {
        const keptByRules = ruleRemoving(scopeCandidate(user), scope, new Set()) === null;
        const resource = user as unknown as Record<string, unknown>;
        if (!filters) {
          expect({ user: user.id, keptByRules }).toEqual({ user: user.id, keptByRules: true });
          continue;
        }
        const kept = matches(parseFilter(filters.kept), resource);
        const removed = matches(parseFilter(filters.removed), resource);
        expect({ user: user.id, kept, removed }).toEqual({ user: user.id, kept: keptByRules, removed: !keptByRules });
      }
    },
  );

  it("filters nothing when every built-in exclusion is off, and everything the defaults name when on", () => {
    expect(
      exclusionFilters({ excludeGuests: false, excludeUnlicensed: false, excludeDisabledAccounts: false }),
    ).toBeNull();
    expect(exclusionFilters(migrationScope({ domain: "contoso.com" }))).toEqual({
      kept: "userType eq 'Member' and assignedLicenses/$count ne 0 and accountEnabled eq true",
      removed: "userType ne 'Member' or assignedLicenses/$count eq 0 or accountEnabled ne true",
    });
  });
});
