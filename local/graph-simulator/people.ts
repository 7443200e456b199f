/**
 * Users, group transitive members and sign-in logs, read from the tenant fixture. Users never carry the
 * fixture's `behaviour` (simulation only); properties outside the default set need $select, as in Graph
 * (https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0).
 */
import { randomUUID } from "crypto";
import type { Clock } from "../../shared/clock";
import { signInLogReadLimit, type RollingLimit } from "../../shared/graph/serviceLimits";
import type { Tenant, TenantUser } from "../fixtures/tenant";
import { GraphHttpError, notFound, ok, type SimRequest, type SimResponse } from "./http";
import { methodNotAllowed } from "./directory";
import { lowerDateBound, page, parseQuery, type CollectionRules, type Sequence } from "./odata";

/** https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-1.0 */
export interface SimSignIn extends Record<string, unknown> {
  id: string;
  createdDateTime: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  appId: string;
  appDisplayName: string;
  status: Readonly<{ errorCode: number; failureReason: string | null; additionalDetails: string | null }>;
  /** Beta only: "interactiveUser" or "nonInteractiveUser" for user sign-ins (signIn resource, beta). */
  signInEventTypes: readonly string[];
  /** Beta only. */
  isInteractive: boolean;
}

const userProperties = [
  "id",
  "displayName",
  "givenName",
  "surname",
  "userPrincipalName",
  "mail",
  "proxyAddresses",
  "otherMails",
  "accountEnabled",
  "userType",
  "businessPhones",
  "jobTitle",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "assignedLicenses",
];

/** Default user properties without $select (user-list page). */
const defaultUserProperties = [
  "businessPhones",
  "displayName",
  "givenName",
  "id",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
];

const userRules: CollectionRules = {
  typeName: "microsoft.graph.user",
  // The properties the adapter filters on, as the user filter table allows (aad-advanced-queries; the licence count
  // as an empty-collection test, an advanced query).
  filterable: [
    "id",
    "accountEnabled",
    "userType",
    "mail",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "assignedLicenses/$count",
  ],
  properties: userProperties,
  defaultProperties: defaultUserProperties,
  // $top 1–999 for users, default page 100 (user-list page).
  defaultTop: 100,
  maxTop: 999,
  advancedQueries: true,
  notBesideOr: ["assignedLicenses"],
};

/** Signins: "The maximum and default page size is 1,000 objects", most recent first (https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-1.0). */
const signInRules: CollectionRules = {
  typeName: "microsoft.graph.signIn",
  filterable: ["appId", "userId", "userPrincipalName", "createdDateTime", "status/errorCode", "appDisplayName"],
  properties: [
    "id",
    "createdDateTime",
    "userId",
    "userPrincipalName",
    "userDisplayName",
    "appId",
    "appDisplayName",
    "status",
  ],
  defaultTop: 1000,
  maxTop: 1000,
  advancedQueries: false,
};

/**
 * beta adds the sign-in's kind: `signInEventTypes` (filter with `any`) and `isInteractive`
 * (https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-beta).
 */
const betaSignInRules: CollectionRules = {
  ...signInRules,
  filterable: [...signInRules.filterable, "signInEventTypes", "isInteractive"],
  properties: [...signInRules.properties, "signInEventTypes", "isInteractive"],
};

/**
 * How Entra keeps its sign-in log. Entries arrive minutes late
 * (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-latencies), are kept 30 days
 * with Entra ID P1 or P2 and 7 days without
 * (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-data-retention), and reads are
 * limited to five requests per 10 seconds per app per tenant (shared/graph/serviceLimits.ts, the figure the Graph
 * adapter paces itself by).
 */
export interface SignInLogOptions {
  latencyMs: number;
  retentionMs: (premium: boolean) => number;
  readLimit: RollingLimit;
}

const dayMs = 24 * 60 * 60_000;
export const defaultSignInLog: SignInLogOptions = {
  latencyMs: 0,
  retentionMs: (premium) => (premium ? 30 : 7) * dayMs,
  readLimit: signInLogReadLimit,
};

/** Index of the first entry created at or after `iso` (the log is in clock order). */
function firstAtOrAfter(log: readonly SimSignIn[], iso: string): number {
  let low = 0;
  for (let high = log.length; low < high;) {
    const middle = (low + high) >>> 1;
    if (log[middle].createdDateTime < iso) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first entry created after `iso`. */
function firstAfter(log: readonly SimSignIn[], iso: string): number {
  let low = 0;
  for (let high = log.length; low < high;) {
    const middle = (low + high) >>> 1;
    if (log[middle].createdDateTime <= iso) low = middle + 1;
    else high = middle;
  }
  return low;
}

const transitiveMembersPath = /^\/groups\/([^/]+)\/transitiveMembers(\/microsoft\.graph\.user)?$/;
const groupPath = /^\/groups\/([^/]+)$/;

function asGraphUser(user: TenantUser): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.user",
    id: user.id,
    displayName: user.displayName,
    givenName: user.givenName,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail,
    proxyAddresses: user.proxyAddresses,
    otherMails: user.otherMails,
    accountEnabled: user.accountEnabled,
    userType: user.userType,
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    // Returned only on $select (user resource, "Returned only on $select"); a list of { skuId, disabledPlans }.
    assignedLicenses: user.assignedLicenses,
  };
}

/** Shared by every entry that has them (most of a 100,000-user log): the log is read, never changed in place. */
const SUCCEEDED: SimSignIn["status"] = Object.freeze({ errorCode: 0, failureReason: null, additionalDetails: null });
const INTERACTIVE = Object.freeze(["interactiveUser"]);
const NON_INTERACTIVE = Object.freeze(["nonInteractiveUser"]);

/**
 * A sign-in's id as one flat string. Node's randomUUID concatenates 20 pieces (lib/internal/crypto/random.js,
 * serializeUUID), which V8 keeps as a tree of pieces, ~7× the memory of the 36 characters; the log holds one per
 * onboarded user (~60,000 at 100,000 users). Split and join copy it into a single string.
 */
const flatUuid = () => randomUUID().split("-").join("-");

export class PeopleSimulator {
  readonly signIns: SimSignIn[] = [];
  /** What v1.0 shows: interactive sign-ins only, kept apart so that a listing stays linear. */
  private readonly interactiveSignIns: SimSignIn[] = [];
  /** Each onboarding records a sign-in: a look-up by id, not a scan of the tenant per sign-in. */
  private readonly usersById: Map<string, TenantUser>;

  /** When the recent sign-in log requests came (ms on the clock), for the per-app-per-tenant limit. */
  private readonly logRequests: number[] = [];

  constructor(
    private readonly tenant: Tenant,
    private readonly clock: Clock,
    private readonly baseUrl: () => string,
    /** Whether the tenant has Entra ID P1 or P2 (the log's retention). */
    private readonly premium: () => boolean = () => true,
    private readonly log: SignInLogOptions = defaultSignInLog,
  ) {
    this.usersById = new Map(tenant.users.map((u) => [u.id, u]));
  }

  handle(request: SimRequest): SimResponse | undefined {
    if (request.path === "/users") return this.onlyGet(request, () => this.listUsers(request));
    const members = transitiveMembersPath.exec(request.path);
    if (members)
      return this.onlyGet(request, () => this.listTransitiveMembers(request, members[1], members[2] !== undefined));
    const group = groupPath.exec(request.path);
    if (group) return this.onlyGet(request, () => this.getGroup(group[1]));
    if (request.path === "/auditLogs/signIns") return this.onlyGet(request, () => this.listSignIns(request));
    return undefined;
  }

  /** Replaces the sign-in log (a snapshot's), in place: the handle shares the array. */
  restoreSignIns(signIns: SimSignIn[]): void {
    this.signIns.length = 0;
    this.interactiveSignIns.length = 0;
    for (const signIn of signIns) {
      this.signIns.push(signIn);
      if (signIn.isInteractive !== false) this.interactiveSignIns.push(signIn);
    }
  }

  /** A successful (errorCode 0) or failed, interactive or not, sign-in of a tenant user to an app, at the simulator's current time. */
  recordSignIn(userId: string, appId: string, appDisplayName: string, errorCode = 0, interactive = true): SimSignIn {
    const user = this.usersById.get(userId);
    if (!user) throw new Error(`No user ${userId} in the simulated tenant`);
    const signIn: SimSignIn = {
      id: flatUuid(),
      createdDateTime: this.clock.now().toISOString(),
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      userDisplayName: user.displayName,
      appId,
      appDisplayName,
      status: errorCode === 0 ? SUCCEEDED : { errorCode, failureReason: "Other.", additionalDetails: null },
      signInEventTypes: interactive ? INTERACTIVE : NON_INTERACTIVE,
      isInteractive: interactive,
    };
    this.signIns.push(signIn);
    if (interactive) this.interactiveSignIns.push(signIn);
    return signIn;
  }

  findUser(idOrAddress: string): TenantUser | undefined {
    const key = idOrAddress.toLowerCase();
    return this.tenant.users.find(
      (u) => u.id === key || u.userPrincipalName.toLowerCase() === key || u.mail?.toLowerCase() === key,
    );
  }

  private onlyGet(request: SimRequest, handler: () => SimResponse): SimResponse {
    if (request.method !== "GET") throw methodNotAllowed(request);
    return handler();
  }

  private listUsers(request: SimRequest): SimResponse {
    const parsed = parseQuery(request, userRules);
    return ok(page(this.tenant.users, parsed, request, { baseUrl: this.baseUrl(), context: "users" }, asGraphUser));
  }

  /**
   * Users of nested groups included, each once. A $filter on the microsoft.graph.user cast is an advanced
   * query (https://learn.microsoft.com/en-us/graph/aad-advanced-queries).
   */
  /**
   * GET /groups/{id}: the group, or 404 Request_ResourceNotFound when no group has that id
   * (https://learn.microsoft.com/en-us/graph/api/group-get). Answers id and displayName, what `$select` asks for here.
   */
  private getGroup(groupId: string): SimResponse {
    const group = this.tenant.groups.find((g) => g.id === groupId.toLowerCase());
    if (!group) throw notFound(groupId);
    return ok({
      "@odata.context": `${this.baseUrl()}/$metadata#groups/$entity`,
      id: group.id,
      displayName: group.displayName,
    });
  }

  private listTransitiveMembers(request: SimRequest, groupId: string, usersOnly: boolean): SimResponse {
    const groups = new Map(this.tenant.groups.map((g) => [g.id, g]));
    if (!groups.has(groupId.toLowerCase())) throw notFound(groupId);
    const userIds = new Set<string>();
    const groupIds: string[] = [];
    const pending = [groupId.toLowerCase()];
    while (pending.length > 0) {
      const group = groups.get(pending.pop() as string);
      if (!group || groupIds.includes(group.id)) continue;
      groupIds.push(group.id);
      group.memberIds.forEach((id) => userIds.add(id));
      pending.push(...group.nestedGroupIds);
    }
    const users = this.tenant.users.filter((u) => userIds.has(u.id)).map(asGraphUser);
    const nestedGroups = groupIds
      .slice(1)
      .map((id) => groups.get(id))
      .map((g) => ({ "@odata.type": "#microsoft.graph.group", id: g?.id, displayName: g?.displayName }));
    const items = usersOnly ? users : [...users, ...nestedGroups];
    const parsed = parseQuery(request, { ...userRules, filterNeedsAdvanced: usersOnly });
    return ok(
      page(items, parsed, request, { baseUrl: this.baseUrl(), context: usersOnly ? "users" : "directoryObjects" }),
    );
  }

  /** Five requests per 10 seconds per app per tenant, then 429 with the seconds until the oldest leaves the window. */
  private throttleLogRequests(): void {
    const { requests, windowMs } = this.log.readLimit;
    const now = this.clock.now().getTime();
    while (this.logRequests.length > 0 && this.logRequests[0] <= now - windowMs) this.logRequests.shift();
    if (this.logRequests.length >= requests) {
      const retryAfter = Math.max(1, Math.ceil((this.logRequests[0] + windowMs - now) / 1000));
      throw new GraphHttpError(429, "TooManyRequests", "Too many requests to the sign-in logs.", {
        "Retry-After": String(retryAfter),
      });
    }
    this.logRequests.push(now);
  }

  /**
   * v1.0 lists interactive sign-ins only; so does beta unless the filter names signInEventTypes: single sign-on
   * without a new factor (an Entra-joined PC) is a non-interactive sign-in, read with
   * `signInEventTypes/any(t: t eq 'nonInteractiveUser')` on beta
   * (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/concept-noninteractive-sign-ins,
   * https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-analyze-sign-in).
   */
  private listSignIns(request: SimRequest): SimResponse {
    this.throttleLogRequests();
    const beta = request.version === "beta";
    const parsed = parseQuery(request, beta ? betaSignInRules : signInRules);
    const byType = beta && (request.query.get("$filter") ?? "").includes("signInEventTypes");
    // Recorded in clock order, so newest first is the log read backwards; a `createdDateTime ge …`
    // filter (an incremental reader) stops where older entries begin instead of reading the whole log.
    // Entries older than the retention are gone; entries newer than the latency have not arrived yet.
    const now = this.clock.now().getTime();
    const kept = new Date(now - this.log.retentionMs(this.premium())).toISOString();
    const requested = lowerDateBound(parsed.filter, "createdDateTime")?.toISOString();
    const since = requested !== undefined && requested > kept ? requested : kept;
    const arrived = new Date(now - this.log.latencyMs).toISOString();
    const log = byType ? this.signIns : this.interactiveSignIns;
    const oldest = firstAtOrAfter(log, since);
    const end = firstAfter(log, arrived);
    const newestFirst: Sequence<SimSignIn> = { length: Math.max(0, end - oldest), at: (i) => log[end - 1 - i] };
    return ok(page(newestFirst, parsed, request, { baseUrl: this.baseUrl(), context: "auditLogs/signIns" }));
  }
}
