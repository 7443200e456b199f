/**
 * Who a migration covers: the users of include groups (or the whole directory), less the users of exclude groups,
 * less the built-in exclusions an admin may switch off (guests, disabled accounts, accounts without a licence),
 * less anyone outside the corporate domain. Pure: the Graph adapter reads the directory, this decides, and the
 * dry-run plan shows how many each rule removed, with a few names.
 */
import { scopeGroupsOfWaves, type Wave } from "./waves";

/** A directory user as the scope rules need it (Graph's user resource, the properties read with $select). */
export interface ScopeCandidate {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[];
  accountEnabled: boolean;
  userType: "Member" | "Guest" | string;
  /** How many licences are assigned (Graph `assignedLicenses`); shared mailboxes and service accounts have none. */
  licenceCount: number;
}

/** The scope a start request asks for; the built-in exclusions are on unless switched off. */
export interface MigrationScope {
  domain: string;
  /** Entra groups whose transitive members are in scope; none: the whole directory. */
  includeGroups: string[];
  /** Entra groups whose transitive members are left out, even when an include group holds them. */
  excludeGroups: string[];
  excludeGuests: boolean;
  excludeDisabledAccounts: boolean;
  excludeUnlicensed: boolean;
}

/** The rules in the order they are applied; a user left out is counted under the first rule that removes them. */
export const scopeRules = ["excludeGroups", "guests", "unlicensed", "disabledAccounts", "outsideDomain"] as const;
export type ScopeRule = (typeof scopeRules)[number];

/** What each rule means, in the words the plan page and the JSON API show. */
export const scopeRuleInWords: Record<ScopeRule, string> = {
  excludeGroups: "members of an exclude group",
  guests: "guests (B2B accounts of other organisations)",
  disabledAccounts: "disabled accounts (sign-in blocked)",
  unlicensed: "accounts without a licence (shared and room mailboxes, service accounts)",
  outsideDomain: "accounts with no address in the corporate domain",
};

export interface ScopeRemoval {
  rule: ScopeRule;
  /** The rule in words. */
  description: string;
  count: number;
  /** Up to SAMPLE_SIZE of them, "Display Name (upn)", in directory order. */
  sample: string[];
}

export interface ScopeDecision<U> {
  users: U[];
  /** Every rule, in order, with how many it removed (0 included: the plan shows that a rule found nobody). */
  removed: ScopeRemoval[];
}

export const SAMPLE_SIZE = 5;

/** Whether the part of `address` after its first "@" (up to any second one) is `domain`, case-insensitively. */
function hasDomain(address: string, domain: string): boolean {
  const at = address.indexOf("@");
  if (at < 0) return false;
  const end = address.indexOf("@", at + 1);
  return address.slice(at + 1, end < 0 ? undefined : end).toLowerCase() === domain;
}

/**
 * Whether the user's UPN, mail or an SMTP proxy address is in `domain` (compared case-insensitively). Each address
 * in turn, stopping at the first in the domain (usually the UPN): every pass asks this of every user in the directory.
 */
export function isInDomain(
  user: Pick<ScopeCandidate, "userPrincipalName" | "mail" | "proxyAddresses">,
  domain: string,
) {
  const wanted = domain.trim().toLowerCase();
  if (hasDomain(user.userPrincipalName, wanted) || hasDomain(user.mail ?? "", wanted)) return true;
  return user.proxyAddresses.some((p) => p.slice(0, 5).toLowerCase() === "smtp:" && hasDomain(p.slice(5), wanted));
}

/** The first rule that removes `user`, or null when the user is in scope. */
export function ruleRemoving(
  user: ScopeCandidate,
  scope: MigrationScope,
  excludedIds: ReadonlySet<string>,
): ScopeRule | null {
  if (excludedIds.has(user.id)) return "excludeGroups";
  if (scope.excludeGuests && user.userType !== "Member") return "guests";
  // Before disabled accounts: a shared mailbox's account is disabled too, and it is better told as what it is.
  // Members only: guests rarely hold a licence of this tenant, and keeping guests must not need this switched off too.
  if (scope.excludeUnlicensed && user.userType === "Member" && user.licenceCount === 0) return "unlicensed";
  if (scope.excludeDisabledAccounts && !user.accountEnabled) return "disabledAccounts";
  if (!isInDomain(user, scope.domain)) return "outsideDomain";
  return null;
}

/**
 * Sorts candidates one at a time (a directory page at a time, so a pass over 100,000 users keeps only those in
 * scope): each id is decided once, the first occurrence counts; each rule keeps its count and a short sample.
 */
export class ScopeSorter {
  private readonly seen = new Set<string>();
  private readonly tally = new Map<ScopeRule, ScopeRemoval>(
    scopeRules.map((rule) => [rule, { rule, description: scopeRuleInWords[rule], count: 0, sample: [] }]),
  );

  constructor(
    private readonly scope: MigrationScope,
    private readonly excludedIds: ReadonlySet<string>,
  ) {}

  /** True when `user` is in scope and seen for the first time. */
  admits(user: ScopeCandidate): boolean {
    if (this.seen.has(user.id)) return false;
    this.seen.add(user.id);
    const rule = ruleRemoving(user, this.scope, this.excludedIds);
    if (rule === null) return true;
    const entry = this.tally.get(rule) as ScopeRemoval;
    entry.count += 1;
    if (entry.sample.length < SAMPLE_SIZE) entry.sample.push(`${user.displayName} (${user.userPrincipalName})`);
    return false;
  }

  /** Every rule, in order, with how many it removed (0 included: the plan shows that a rule found nobody). */
  removed(): ScopeRemoval[] {
    return [...this.tally.values()].map((entry) => ({ ...entry, sample: [...entry.sample] }));
  }
}

/** Decides for every candidate at once (what the sorter does page by page). */
export function applyScope<U extends ScopeCandidate>(
  candidates: Iterable<U>,
  scope: MigrationScope,
  excludedIds: ReadonlySet<string>,
): ScopeDecision<U> {
  const sorter = new ScopeSorter(scope, excludedIds);
  const users = [...candidates].filter((user) => sorter.admits(user));
  return { users, removed: sorter.removed() };
}

/** The scope fields of a start request as stored; rows written before include/exclude groups carry `scopeGroupId`. */
export interface ScopeFields {
  domain: string;
  includeGroups?: string[];
  excludeGroups?: string[];
  /** The single scope group of migrations started before include groups existed. */
  scopeGroupId?: string;
  excludeGuests?: boolean;
  excludeDisabledAccounts?: boolean;
  excludeUnlicensed?: boolean;
  /** Waves that all name a group: their groups are the include groups (shared/domain/waves.ts). */
  waves?: Wave[];
}

/** The scope a stored request stands for: absent switches are on (the built-in exclusions are the default). */
export function migrationScope(request: ScopeFields): MigrationScope {
  const includeGroups =
    scopeGroupsOfWaves(request) ?? request.includeGroups ?? (request.scopeGroupId ? [request.scopeGroupId] : []);
  return {
    domain: request.domain,
    includeGroups,
    excludeGroups: request.excludeGroups ?? [],
    excludeGuests: request.excludeGuests ?? true,
    excludeDisabledAccounts: request.excludeDisabledAccounts ?? true,
    excludeUnlicensed: request.excludeUnlicensed ?? true,
  };
}
