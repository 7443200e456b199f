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
  /** The users no built-in exclusion that is switched on removes. */
  kept: string;
  /** Its exact complement: the users some switched-on built-in exclusion removes. */
  removed: string;
}

/** The query options and header every filtered user read sends (the filters below are advanced queries). */
export const advancedQuery = { params: { $count: "true" }, headers: { ConsistencyLevel: "eventual" } } as const;

/**
 * `kept` and `removed` for the switched-on exclusions, or null when all three are off (nothing to filter). Each
 * exclusion is a pair of clauses, one the negation of the other; `kept` joins the keep clauses with `and`, `removed`
 * joins the remove clauses with `or` (De Morgan), so every user is in exactly one of the two reads. `ne` rather than
 * a second `eq`, so a user whose property is null falls on one side only.
 */
export function exclusionFilters(
  scope: Pick<MigrationScope, "excludeGuests" | "excludeUnlicensed" | "excludeDisabledAccounts">,
): ExclusionFilters | null {
  const clauses: { keep: string; remove: string }[] = [];
  if (scope.excludeGuests) clauses.push({ keep: "userType eq 'Member'", remove: "userType ne 'Member'" });
  if (scope.excludeUnlicensed)
    // Members only (guests rarely hold a licence of this tenant); with guests excluded, every kept user is a member.
    clauses.push(
      scope.excludeGuests
        ? { keep: "assignedLicenses/$count ne 0", remove: "assignedLicenses/$count eq 0" }
        : {
            keep: "(userType ne 'Member' or assignedLicenses/$count ne 0)",
            remove: "(userType eq 'Member' and assignedLicenses/$count eq 0)",
          },
    );
  if (scope.excludeDisabledAccounts) clauses.push({ keep: "accountEnabled eq true", remove: "accountEnabled ne true" });
  if (clauses.length === 0) return null;
  return {
    kept: clauses.map((c) => c.keep).join(" and "),
    removed: clauses.map((c) => c.remove).join(" or "),
  };
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
