/**
 * The built-in scope exclusions (`shared/domain/scope.ts`, `ruleRemoving`) as the OData filters Graph evaluates on
 * the directory, so that each reconciliation pass pages through the users a migration may cover instead of every
 * guest and disabled account. Graph's filter support on users
 * (https://learn.microsoft.com/en-us/graph/aad-advanced-queries, "Support for filter by properties of Microsoft
 * Entra ID (directory) objects"): `accountEnabled` and `userType` take `eq` by default and `ne` in advanced queries
 * only; an empty collection (`assignedLicenses/$count eq 0`, `ne 0`) is an advanced query only. Advanced queries
 * need the header `ConsistencyLevel: eventual` and `$count=true`, or Graph refuses them (same page, "Error handling
 * for advanced queries").
 */
import type { MigrationScope, ScopeCandidate } from "../domain/scope";
import type { GraphUser } from "./graphReads";

export interface ExclusionFilters {
  /** Reads whose users no switched-on built-in exclusion removes: disjoint, and together exactly those users. */
  kept: string[];
  /** One read per switched-on exclusion, of the users it removes (they may overlap: a disabled guest is in two). */
  removed: string[];
}

/** The query options and header every filtered user read sends (the filters below are advanced queries). */
export const advancedQuery = { params: { $count: "true" }, headers: { ConsistencyLevel: "eventual" } } as const;

const member = "userType eq 'Member'";
const notMember = "userType ne 'Member'";
const licensed = "assignedLicenses/$count ne 0";
const enabled = "accountEnabled eq true";

/**
 * The filters for the switched-on exclusions, or null when all three are off (nothing to filter). Each filter joins
 * its clauses with `and` only: Graph refuses `or` beside a clause on `assignedLicenses` ("Complex query on property
 * assignedLicenses is not supported", https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/3289),
 * so a set that needs `or` is read as two disjoint filters. `ne` rather than a second `eq`, so a user whose property
 * is null falls on one side only.
 */
export function exclusionFilters(
  scope: Pick<MigrationScope, "excludeGuests" | "excludeUnlicensed" | "excludeDisabledAccounts">,
): ExclusionFilters | null {
  const { excludeGuests, excludeUnlicensed, excludeDisabledAccounts } = scope;
  if (!excludeGuests && !excludeUnlicensed && !excludeDisabledAccounts) return null;
  // The unlicensed rule removes members only (guests rarely hold a licence of this tenant): with guests kept, the
  // kept users are the guests and the licensed members, two reads.
  const byType: string[][] = excludeGuests
    ? [[member, ...(excludeUnlicensed ? [licensed] : [])]]
    : excludeUnlicensed
      ? [[notMember], [member, licensed]]
      : [[]];
  const kept = byType.map((clauses) => [...clauses, ...(excludeDisabledAccounts ? [enabled] : [])].join(" and "));
  const removed = [
    ...(excludeGuests ? [notMember] : []),
    ...(excludeUnlicensed ? [`${member} and assignedLicenses/$count eq 0`] : []),
    ...(excludeDisabledAccounts ? ["accountEnabled ne true"] : []),
  ];
  return { kept, removed };
}

/**
 * A Graph user as the scope rules see it. A null `userType` is not a member: Graph's `userType eq 'Member'` does not
 * match it, and the rules must decide as the filter does.
 */
export function scopeCandidate(user: GraphUser): ScopeCandidate {
  return {
    id: user.id,
    displayName: user.displayName ?? "",
    userPrincipalName: user.userPrincipalName ?? "",
    mail: user.mail ?? null,
    proxyAddresses: user.proxyAddresses ?? [],
    accountEnabled: user.accountEnabled === true,
    userType: user.userType ?? "",
    licenceCount: user.assignedLicenses?.length ?? 0,
  };
}
