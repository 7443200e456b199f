/**
 * EntraPort over Microsoft Graph v1.0. The migration app is set up in the order of
 * https://learn.microsoft.com/en-us/graph/application-saml-sso-configure-api:
 * instantiate → wait for replication → SAML mode → identifier/reply URLs → signing certificate → activate it.
 * Every step first checks whether it is already done, so a rerun completes a half-made app instead of
 * creating another.
 */
import { parseCertificate } from "../certificates";
import { RetriesExhaustedError } from "../retry";
import type { ExplainedFailure } from "../stepFailure";
import type { TokenCredential } from "@azure/core-auth";
import type { TenantAppManagementPolicy } from "@microsoft/microsoft-graph-types";
import { graphScope } from "../graph/client";
import { graphClouds, type GraphCloud } from "../graph/cloud";
import { signInLogReadLimit } from "../graph/serviceLimits";
import { RatePacer } from "../pacer";
import {
  GraphCaller,
  describeGraphError,
  notFoundPollMs,
  graphErrorCode,
  graphStatus,
  isTransientGraphError,
  odataString,
  queryPath,
  type GraphAdapterDeps,
} from "../graph/graphCaller";
import { ScopeSorter, type MigrationScope, type ScopeDecision } from "../domain/scope";
import { migrationEntityId, migrationReplyUrl } from "./entityIds";
import { advancedQuery, exclusionFilters, scopeCandidate } from "./scopeFilters";
import {
  applicationRead,
  servicePrincipalRead,
  userRead,
  type Application,
  type GraphApplication,
  type GraphServicePrincipal,
  type GraphSignIn,
  type GraphUser,
  type KeyCredential,
  type SelfSignedCertificate,
  type ServicePrincipal,
} from "./graphReads";
import type { ApplicationServicePrincipal } from "@microsoft/microsoft-graph-types";
import type {
  DeleteMigrationAppResult,
  DirectoryUser,
  EntraPort,
  IdentifierUriRestrictionRead,
  InstantiatedApp,
  MigrationApp,
  MigrationAppSpec,
  MigrationSignIn,
  TenantReadiness,
} from "./port";

/**
 * The identifier-URI policy still refused the Peig Entity ID after the SAML exemption had time to arrive: an
 * admin must act.
 */
export class HostNameNotOnVerifiedDomainError extends Error implements ExplainedFailure {
  override readonly name = "HostNameNotOnVerifiedDomainError";
  readonly explained: ExplainedFailure["explained"];
  constructor(
    readonly entityId: string,
    graphMessage: string,
  ) {
    super(
      `Entra refused the Entity ID ${entityId} (${graphMessage}). The tenant's identifier-URI policy blocks hosts that are not ` +
        `verified domains, and the SAML exemption has not reached this app (or the policy does not exempt SAML apps).`,
    );
    this.explained = {
      service: "graph",
      status: 400,
      code: "HostNameNotOnVerifiedDomain",
      fix:
        `Entra refuses the Peig Entity ID ${entityId}. Verify the Peig server's domain in Entra (Settings > Domain names), or allow ` +
        `the URI in the tenant's app-management policy: set excludeSaml: true on its identifierUris restrictions ` +
        `(PATCH /policies/defaultAppManagementPolicy, https://learn.microsoft.com/en-us/entra/identity-platform/identifier-uri-restrictions). ` +
        `Then resume: setup goes on with the same app.`,
      patienceMs: identifierUriPatienceMs,
    };
  }
}

/**
 * Another application holds the Peig server's Entity ID (identifierUris are unique in a tenant) and it is not
 * one we may take over: not named like ours, made from another template, or tagged for a migration that has
 * not ended. Retrying cannot help; an admin must look at that app.
 */
export class EntityIdTakenError extends Error {
  override readonly name = "EntityIdTakenError";
  constructor(readonly entityId: string) {
    super(
      `Another Entra application already uses the Entity ID ${entityId} (identifierUris must be unique in the tenant), and it is not ` +
        `a PeigMigrationManager left by a cancelled or failed migration of this app, so it is not taken over. Find it in Entra ` +
        `(App registrations, search by the Entity ID), then delete it or remove that identifier URI if it is not needed, and start again.`,
    );
  }
}

/**
 * The two texts of an identifier-URI refusal: the 2021 rule's code and the 2025 policy's message
 * (https://learn.microsoft.com/en-us/entra/identity-platform/identifier-uri-restrictions, "Policy behavior").
 */
export function isIdentifierUriRefusal(error: unknown): boolean {
  return (
    graphErrorCode(error) === "HostNameNotOnVerifiedDomain" ||
    (graphStatus(error) === 400 &&
      error instanceof Error &&
      error.message.includes("All newly added URIs must contain a tenant verified domain, tenant ID, or app ID"))
  );
}

/**
 * Marks the app as this migration's in `application.tags` ("Custom strings that can be used to categorize and
 * identify the application", filterable, https://learn.microsoft.com/en-us/graph/api/resources/application?view=graph-rest-1.0),
 * since displayName is not unique.
 */
const migrationTagPrefix = "peig-migration:";
export function migrationTag(migrationId: string): string {
  return `${migrationTagPrefix}${migrationId}`;
}

/**
 * "provisioning is not instant … poll every 5–10 seconds" (the SAML tutorial above). Every request on a new app
 * (reads, each PATCH, addTokenSigningCertificate) may answer 404 meanwhile, each replica on its own time
 * (terraform-provider-azuread#581, #1802); we give it 2 minutes from creation (or from a rerun that found the app
 * by its stored ids). A 404 after that fails the step, and the step's retry starts a new window.
 */
const replicationWindowMs = 2 * 60_000;
/**
 * The SAML mode that exempts the app from the identifier-URI policy reaches it with a delay ("synchronization
 * isn't immediate", https://learn.microsoft.com/en-us/graph/api/serviceprincipal-update?view=graph-rest-1.0;
 * terraform-provider-azuread issues 797 and 1392: a second apply succeeds), so a refusal is retried this long.
 */
const samlExemptionWindowMs = 5 * 60_000;
const samlExemptionPollMs = 15_000;
/**
 * How long the step keeps being retried (without needing attention) while the Entity ID is refused: no Microsoft page
 * says how long the SAML mode takes to reach the policy, and the tools above report success minutes later, so we
 * allow an hour before asking an admin (docs/graph-facts.md#identifier-uri-policy).
 */
export const identifierUriPatienceMs = 60 * 60_000;
/** A kept certificate may end up to this much before the requested end (Graph stores whole seconds). */
const certificateEndToleranceMs = 24 * 60 * 60_000;

interface SigningKey {
  thumbprint: string;
  derBase64: string;
  notAfter: Date;
}

interface AppRef {
  applicationObjectId: string;
  appId: string;
  servicePrincipalId?: string;
}

export interface GraphEntraDeps extends GraphAdapterDeps {
  cloud: GraphCloud;
  /** The identity Graph is called as; the preflight reads its token's roles. */
  credential?: TokenCredential;
}

export class GraphEntra implements EntraPort {
  private readonly graph: GraphCaller;
  private readonly templateId: string;
  private readonly credential: TokenCredential | undefined;
  private readonly scope: string;
  /**
   * Sign-in log reads keep under Graph's limit for them (five per 10 seconds per app per tenant) instead of
   * learning it from 429s. The process has one adapter, so one pacer for the app's reads; a 429 that still
   * comes (another instance reading at the same time) is waited out by the retry layer.
   */
  private readonly signInLogPacer: RatePacer;

  constructor(deps: GraphEntraDeps) {
    this.graph = new GraphCaller(deps);
    this.signInLogPacer = new RatePacer(deps.clock, signInLogReadLimit.requests, signInLogReadLimit.windowMs);
    this.templateId = graphClouds[deps.cloud].nonGalleryTemplateId;
    this.credential = deps.credential;
    this.scope = graphScope(deps.cloud);
  }

  async readTenantReadiness(query: { senders: string[]; signInLogs: boolean }): Promise<TenantReadiness> {
    const [token, identifierUriPolicy, signInLogs, senders] = await Promise.all([
      this.tokenRoles(),
      this.readIdentifierUriPolicy(),
      query.signInLogs ? this.probeSignInLogs() : Promise.resolve("notChecked" as const),
      Promise.all(query.senders.map((address) => this.probeSender(address))),
    ]);
    return { ...token, identifierUriPolicy, signInLogs, senders };
  }

  /**
   * Application permissions arrive as the `roles` claim of the app-only token
   * (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference); the token is only
   * decoded to read them, never checked: Graph checks it.
   */
  private async tokenRoles(): Promise<Pick<TenantReadiness, "roles" | "rolesError">> {
    if (!this.credential) return { roles: null, rolesError: "no credential was given to the adapter" };
    try {
      const token = await this.credential.getToken(this.scope);
      if (!token) return { roles: null, rolesError: "the credential returned no token" };
      const payload = JSON.parse(Buffer.from(token.token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
        roles?: unknown;
      };
      return { roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [] };
    } catch (error) {
      return { roles: null, rolesError: error instanceof Error ? error.message : String(error) };
    }
  }

  /** https://learn.microsoft.com/en-us/graph/api/tenantappmanagementpolicy-get?view=graph-rest-1.0 (Policy.Read.All). */
  private async readIdentifierUriPolicy(): Promise<TenantReadiness["identifierUriPolicy"]> {
    try {
      const policy = await this.graph.call<TenantAppManagementPolicy>("getAppManagementPolicy", () =>
        this.graph.client.api("/policies/defaultAppManagementPolicy").get(),
      );
      // identifierUris (identifierUriConfiguration) is newer than @microsoft/microsoft-graph-types 2.43.
      const restrictionsRead = policy.applicationRestrictions as
        { identifierUris?: Record<string, Partial<IdentifierUriRestrictionRead> | null> } | null | undefined;
      const uris = restrictionsRead?.identifierUris ?? {};
      const names = ["uriAdditionWithoutUniqueTenantIdentifier", "nonDefaultUriAddition"] as const;
      const restrictions = names.flatMap((name): IdentifierUriRestrictionRead[] => {
        const r = uris[name];
        return r
          ? [
              {
                name,
                state: r.state ?? null,
                excludeSaml: r.excludeSaml ?? null,
                restrictForAppsCreatedAfterDateTime: r.restrictForAppsCreatedAfterDateTime ?? null,
              },
            ]
          : [];
      });
      return { readable: true, isEnabled: policy.isEnabled !== false, restrictions };
    } catch (error) {
      if (graphStatus(error) === 403 || graphStatus(error) === 404)
        return { readable: false, error: describeGraphError(error) };
      throw error;
    }
  }

  /**
   * The sender's user object, then its mailbox: one Inbox message read with the Mail.ReadWrite the app holds anyway.
   * A user without an Exchange Online mailbox answers 404 MailboxNotEnabledForRESTAPI
   * (mail APIs need a mailbox in Exchange Online, https://learn.microsoft.com/en-us/graph/api/resources/mail-api-overview?view=graph-rest-1.0;
   * the code for a user without one: microsoft-graph-docs-contrib#405, msgraph-sdk-javascript#1756).
   */
  private async probeSender(address: string): Promise<TenantReadiness["senders"][number]> {
    const user = encodeURIComponent(address);
    const exists = (await this.getOrNull("getUser", queryPath(`/users/${user}`, { $select: "id" }))) !== null;
    if (!exists) return { address, exists, mailbox: "none" };
    try {
      await this.graph.call("listInbox", () =>
        this.graph.client
          .api(queryPath(`/users/${user}/mailFolders/inbox/messages`, { $select: "id", $top: "1" }))
          .get(),
      );
      return { address, exists, mailbox: "yes" };
    } catch (error) {
      const status = graphStatus(error);
      if (status === 404) return { address, exists, mailbox: "none", mailboxError: describeGraphError(error) };
      if (status === 403) return { address, exists, mailbox: "unknown", mailboxError: describeGraphError(error) };
      throw error;
    }
  }

  /** One sign-in, to learn whether the logs can be read at all (403 without a licence or the permission). */
  private async probeSignInLogs(): Promise<TenantReadiness["signInLogs"]> {
    try {
      await this.graph.call(
        "listSignIns",
        () =>
          this.graph.client
            .api(queryPath("/auditLogs/signIns", { $top: "1" }))
            .version("beta")
            .get(),
        { pacer: this.signInLogPacer },
      );
      return "readable";
    } catch (error) {
      if (graphErrorCode(error) === "Authentication_RequestFromNonPremiumTenantOrB2CTenant") return "notLicensed";
      if (graphStatus(error) === 403) return "forbidden";
      if (graphStatus(error) !== undefined && graphStatus(error)! >= 400 && graphStatus(error)! < 500)
        return { error: describeGraphError(error) };
      throw error;
    }
  }

  async ensureMigrationApp(spec: MigrationAppSpec): Promise<MigrationApp> {
    const certificateEnd = this.checkCertificateEnd(spec.certificateEndDateTime);
    const entityId = migrationEntityId(spec.server);
    const replyUrl = migrationReplyUrl(spec.server);

    // The app an earlier run made is looked up by its stored ids, never through a list that may not show it yet.
    const made = spec.instantiated ? await this.awaitInstantiated(spec.instantiated) : null;
    const existing = made ?? (await this.locate(spec, { adoptUnclaimed: true, entityId }));
    let ref: AppRef;
    if (existing) {
      ref = { applicationObjectId: existing.id, appId: existing.appId };
      if (made) ref.servicePrincipalId = spec.instantiated?.servicePrincipalId;
    } else {
      ref = await this.instantiate(spec);
      // The first durable write after instantiate: a run that dies from here on finds this app again.
      await spec.onInstantiated?.({ ...ref });
    }
    const created = made !== null || existing === null;
    // Every request on a new app may answer 404 while replicas catch up, writes included (replicationWindowMs).
    const notFoundUntil = created ? new Date(this.graph.clock.now().getTime() + replicationWindowMs) : undefined;
    const application = await this.getApplication(ref.applicationObjectId, notFoundUntil);
    const servicePrincipal = await this.getServicePrincipal(ref, notFoundUntil);

    const tag = migrationTag(spec.migrationId);
    const adoptedFrom = application.tags.includes(tag)
      ? undefined
      : endedOwner(application, spec.adoptableMigrationIds ?? []);
    if (!application.tags.includes(tag)) {
      // Taking over an ended migration's app: its tag goes, so the app is one migration's at a time.
      const kept = application.tags.filter((t) => adoptedFrom === undefined || t !== migrationTag(adoptedFrom));
      await this.patchApplication(application.id, { tags: [...kept, tag] }, notFoundUntil);
    }
    // SAML mode first: it exempts the app from the identifier-URI policy (identifier-uri-restrictions page). In the same
    // PATCH: every user in scope signs in to this app to onboard, and with assignment required (the
    // default of a new non-gallery app) they would be refused with AADSTS50105 (the tutorial's optional user assignment step).
    const spChanges: ServicePrincipal = {};
    if (servicePrincipal.preferredSingleSignOnMode !== "saml") spChanges.preferredSingleSignOnMode = "saml";
    if (servicePrincipal.appRoleAssignmentRequired !== false) spChanges.appRoleAssignmentRequired = false;
    if (Object.keys(spChanges).length > 0)
      await this.patchServicePrincipal(servicePrincipal.id, spChanges, notFoundUntil);
    if (!application.identifierUris.includes(entityId) || !(application.web?.redirectUris ?? []).includes(replyUrl)) {
      await this.setSamlUrls(application.id, entityId, replyUrl, notFoundUntil);
    }
    const signingKey =
      this.usableSigningKey(servicePrincipal, spec.displayName, certificateEnd) ??
      (await this.addSigningCertificate(servicePrincipal, spec.displayName, certificateEnd, notFoundUntil));
    if (servicePrincipal.preferredTokenSigningKeyThumbprint?.toUpperCase() !== signingKey.thumbprint) {
      await this.patchServicePrincipal(
        servicePrincipal.id,
        { preferredTokenSigningKeyThumbprint: signingKey.thumbprint },
        notFoundUntil,
      );
    }
    return {
      ...this.describe({
        application,
        servicePrincipalId: servicePrincipal.id,
        entityId,
        replyUrl,
        signingKey,
        created,
      }),
      ...(adoptedFrom ? { adoptedFrom } : {}),
    };
  }

  async findMigrationApp(
    spec: Pick<MigrationAppSpec, "displayName" | "knownAppId" | "migrationId">,
  ): Promise<MigrationApp | null> {
    const application = await this.locate(spec, { adoptUnclaimed: false, entityId: undefined });
    if (!application) return null;
    const servicePrincipal = await this.findServicePrincipal(application.appId);
    const signingKey = servicePrincipal ? this.activeSigningKey(servicePrincipal) : undefined;
    return this.describe({
      application,
      servicePrincipalId: servicePrincipal?.id ?? "",
      entityId: application.identifierUris[0] ?? "",
      replyUrl: application.web?.redirectUris?.[0] ?? "",
      signingKey,
      created: false,
    });
  }

  /**
   * One DELETE of the application, which deletes its service principal in the home tenant; deleting a
   * template-made SAML service principal directly is refused (400 DeletingSamlSpNotAllowed,
   * https://github.com/hashicorp/terraform-provider-azuread/issues/1388), and Microsoft's SAML tutorial deletes only
   * the application (https://learn.microsoft.com/en-us/graph/application-saml-sso-configure-api). Then a check that
   * the service principal is gone. 404 on either means already gone.
   */
  async deleteMigrationApp(ref: { appId: string }): Promise<DeleteMigrationAppResult> {
    const key = `(appId=${odataString(ref.appId)})`;
    const application = await this.deleteIfPresent("deleteApplication", `/applications${key}`);
    const until = new Date(this.graph.clock.now().getTime() + replicationWindowMs);
    for (;;) {
      const remaining = await this.findServicePrincipal(ref.appId);
      if (!remaining) return { application, servicePrincipal: application === "deleted" ? "deleted" : "alreadyGone" };
      if (this.graph.clock.now() >= until) {
        throw new Error(
          `The application ${ref.appId} is deleted but its enterprise app (service principal ${remaining.id}) is still there. ` +
            `Delete the enterprise app PeigMigrationManager in the Entra admin center (Enterprise applications > Properties > Delete).`,
        );
      }
      await this.graph.clock.sleep(notFoundPollMs);
    }
  }

  /**
   * The users in scope, for a reconciliation pass: only the users no built-in exclusion removes are read
   * (`exclusionFilters`, filtered on the server), so a pass pages through the people a migration may cover, not
   * every guest and disabled account; the exclude groups and the domain are applied here.
   */
  async listUsersInScope(scope: MigrationScope): Promise<DirectoryUser[]> {
    return (await this.sortScope(scope, { tallyBuiltIns: false })).users;
  }

  /**
   * The users in scope with how many each rule left out and a few of their names (the dry-run plan): the same reads
   * as a pass, then one read per switched-on built-in exclusion of the users it removes, each user decided by
   * `shared/domain/scope.ts` like every other (once, by id, under the first rule that removes them, exclude groups
   * first), so the counts and samples are exact. The extra reads cost ⌈removed / 999⌉ pages each, once per plan.
   */
  async readScope(scope: MigrationScope): Promise<ScopeDecision<DirectoryUser>> {
    return this.sortScope(scope, { tallyBuiltIns: true });
  }

  /**
   * The transitive members of the include groups (or every user), less the exclude groups' transitive members,
   * less the built-in exclusions and anyone outside the domain. `assignedLicenses` needs $select. Keyed by id (the
   * sorter admits each id once): a page boundary that moves while paging may repeat a user, and include groups
   * overlap. Mapped page by page, so a pass at 100,000 users holds the users in scope only.
   */
  private async sortScope(
    scope: MigrationScope,
    options: { tallyBuiltIns: boolean },
  ): Promise<ScopeDecision<DirectoryUser>> {
    const excluded = new Set<string>();
    for (const groupId of scope.excludeGroups)
      await this.forEachGroupUser(groupId, { $select: "id" }, (page) => page.forEach((user) => excluded.add(user.id)));
    const sorter = new ScopeSorter(scope, excluded);
    const inScope: DirectoryUser[] = [];
    const keep = (page: GraphUser[]) => {
      for (const user of page) {
        const candidate = scopeCandidate(user);
        if (sorter.admits(candidate))
          inScope.push({
            id: candidate.id,
            displayName: candidate.displayName,
            userPrincipalName: candidate.userPrincipalName,
            mail: candidate.mail,
            proxyAddresses: candidate.proxyAddresses,
            otherMails: user.otherMails ?? [],
          });
      }
    };
    const filters = exclusionFilters(scope);
    const reads = !filters ? [undefined] : options.tallyBuiltIns ? [...filters.kept, ...filters.removed] : filters.kept;
    for (const filter of reads) await this.forEachCandidate(scope, filter, keep);
    return { users: inScope, removed: sorter.removed() };
  }

  async listGroupUserIds(groupId: string): Promise<string[]> {
    const ids = new Set<string>();
    await this.forEachGroupUser(groupId, { $select: "id" }, (page) => page.forEach((user) => ids.add(user.id)));
    return [...ids];
  }

  async readGroupNames(groupIds: readonly string[]): Promise<Map<string, string | null>> {
    const names = new Map<string, string | null>();
    for (const id of new Set(groupIds)) {
      try {
        const group = await this.graph.call<{ displayName?: string | null }>("getGroup", () =>
          this.graph.client.api(queryPath(`/groups/${encodeURIComponent(id)}`, { $select: "id,displayName" })).get(),
        );
        if (group.displayName) names.set(id, group.displayName);
      } catch (error) {
        const status = graphStatus(error);
        if (status === 404) names.set(id, null);
        else if (status !== 403) throw error;
      }
    }
    return names;
  }

  /** The include groups' users (or every user) matching `filter`, page by page; a filter makes it an advanced query. */
  private async forEachCandidate(
    scope: MigrationScope,
    filter: string | undefined,
    onPage: (page: GraphUser[]) => void,
  ): Promise<void> {
    const query = { $select: userRead.$select, ...(filter ? { $filter: filter } : {}) };
    if (scope.includeGroups.length === 0)
      await this.graph.forEachPage<GraphUser>(
        "listUsers",
        queryPath("/users", { ...query, $top: "999", ...(filter ? advancedQuery.params : {}) }),
        onPage,
        filter ? advancedQuery.headers : {},
      );
    for (const groupId of scope.includeGroups) await this.forEachGroupUser(groupId, query, onPage);
  }

  /**
   * The users among a group's transitive members (nested groups followed), page by page. A list on an OData cast is
   * an advanced query (https://learn.microsoft.com/en-us/graph/aad-advanced-queries).
   */
  private async forEachGroupUser(
    groupId: string,
    query: { $select: string; $filter?: string },
    onPage: (page: GraphUser[]) => void,
  ): Promise<void> {
    await this.graph.forEachPage<GraphUser>(
      "listGroupMembers",
      queryPath(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, {
        ...query,
        $top: "999",
        ...advancedQuery.params,
      }),
      onPage,
      advancedQuery.headers,
    );
  }

  /**
   * Successful sign-ins to the migration app, interactive and non-interactive: single sign-on from an Entra-joined
   * PC without a new factor is logged as non-interactive
   * (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/concept-noninteractive-sign-ins), and v1.0
   * lists interactive sign-ins only. The beta endpoint returns both kinds when the filter names them
   * (https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-beta, signInEventTypes on
   * https://learn.microsoft.com/en-us/graph/api/resources/signin?view=graph-rest-beta). AuditLog.Read.All; page size ≤ 1,000.
   */
  async listMigrationSignIns(query: { appId: string; since?: string }): Promise<MigrationSignIn[]> {
    const clauses = [`appId eq ${odataString(query.appId)}`, "status/errorCode eq 0"];
    if (query.since !== undefined) {
      const since = new Date(query.since);
      if (Number.isNaN(since.getTime()))
        throw new Error(`since must be an ISO 8601 date-time, got ${JSON.stringify(query.since)}`);
      clauses.push(`createdDateTime ge ${since.toISOString()}`);
    }
    clauses.push("(signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser'))");
    const signIns = await this.graph.listAll<GraphSignIn>(
      "listSignIns",
      queryPath("/auditLogs/signIns", { $filter: clauses.join(" and "), $top: "1000" }),
      {},
      { version: "beta", pacer: this.signInLogPacer },
    );
    const byId = new Map(signIns.map((s) => [s.id, s]));
    return [...byId.values()].map((s) => ({
      id: s.id,
      userId: s.userId,
      userPrincipalName: s.userPrincipalName ?? "",
      createdDateTime: s.createdDateTime,
    }));
  }

  /** Graph caps endDateTime at 3 years after creation (addTokenSigningCertificate page). */
  private checkCertificateEnd(end: Date): Date {
    const now = this.graph.clock.now();
    const latest = new Date(now);
    latest.setUTCFullYear(latest.getUTCFullYear() + 3);
    if (Number.isNaN(end.getTime()) || end <= now || end > latest) {
      throw new Error(
        `certificateEndDateTime must be after ${now.toISOString()} and at most 3 years ahead (${latest.toISOString()}); got ${String(end)}`,
      );
    }
    return end;
  }

  /**
   * By the remembered appId, else by displayName: an app tagged for this migration, else (when adopting)
   * the app of an ended migration that holds our Entity ID, else an untagged non-gallery app of that
   * name — e.g. ours whose instantiate response was lost, or one an admin made by hand from the runbook.
   * Apps tagged for another migration that has not ended are never touched.
   */
  private async locate(
    spec: Pick<MigrationAppSpec, "displayName" | "knownAppId" | "migrationId" | "adoptableMigrationIds">,
    options: { adoptUnclaimed: boolean; entityId: string | undefined },
  ): Promise<GraphApplication | null> {
    if (spec.knownAppId) {
      const path = queryPath(`/applications(appId=${odataString(spec.knownAppId)})`, {
        $select: applicationRead.$select,
      });
      const known = await this.getOrNull<GraphApplication>("getApplication", path);
      if (known) return known;
    }
    const candidates = await this.graph.listAll<GraphApplication>(
      "findApplications",
      queryPath("/applications", {
        $filter: `displayName eq ${odataString(spec.displayName)}`,
        $select: applicationRead.$select,
      }),
    );
    const tag = migrationTag(spec.migrationId);
    const ours = candidates.filter((app) => app.tags.includes(tag));
    const unclaimed = candidates.filter(
      (app) => app.applicationTemplateId === this.templateId && !app.tags.some((t) => t.startsWith(migrationTagPrefix)),
    );
    const ended = candidates.filter(
      (app) =>
        app.applicationTemplateId === this.templateId &&
        options.entityId !== undefined &&
        app.identifierUris.includes(options.entityId) &&
        endedOwner(app, spec.adoptableMigrationIds ?? []) !== undefined,
    );
    const pool = ours.length > 0 ? ours : !options.adoptUnclaimed ? [] : ended.length > 0 ? ended : unclaimed;
    return oldestFirst(pool)[0] ?? null;
  }

  /**
   * instantiate is not idempotent, so it is never resent blindly: after a failure whose outcome is unknown
   * (5xx, no response) we look for the app through the replication window and only create again if it
   * never appears. A 429 was refused before processing, so it is simply retried after Retry-After.
   */
  private async instantiate(spec: MigrationAppSpec): Promise<AppRef> {
    for (let attempt = 1; ; attempt++) {
      try {
        const body: Pick<Application, "displayName"> = { displayName: spec.displayName };
        const created = await this.graph.once<ApplicationServicePrincipal>("instantiate", () =>
          this.graph.client.api(`/applicationTemplates/${this.templateId}/instantiate`).post(body),
        );
        const { application, servicePrincipal } = created;
        if (!application?.id || !application.appId)
          throw new Error("instantiate answered 201 without the application's id and appId");
        return {
          applicationObjectId: application.id,
          appId: application.appId,
          servicePrincipalId: servicePrincipal?.id ?? undefined,
        };
      } catch (error) {
        if (!isTransientGraphError(error)) throw error;
        if (attempt >= this.graph.policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
        await this.graph.pauseAfter(error, attempt);
        if (graphStatus(error) === 429) continue;
        const appeared = await this.awaitLostApp(spec);
        if (appeared) return { applicationObjectId: appeared.id, appId: appeared.appId };
      }
    }
  }

  /**
   * The app this migration instantiated before: read by its object id, a 404 waited out through the replication
   * window. null when it is still missing after that (deleted since): the caller then looks for it as usual.
   */
  private async awaitInstantiated(made: InstantiatedApp): Promise<GraphApplication | null> {
    const path = queryPath(`/applications/${made.applicationObjectId}`, { $select: applicationRead.$select });
    const until = new Date(this.graph.clock.now().getTime() + replicationWindowMs);
    return this.getOrNull<GraphApplication>("getApplication", path, until);
  }

  private async awaitLostApp(spec: MigrationAppSpec): Promise<GraphApplication | null> {
    const until = this.graph.clock.now().getTime() + replicationWindowMs;
    for (;;) {
      const found = await this.locate(spec, { adoptUnclaimed: true, entityId: undefined });
      if (found || this.graph.clock.now().getTime() >= until) return found;
      await this.graph.clock.sleep(notFoundPollMs);
    }
  }

  private getApplication(id: string, notFoundUntil: Date | undefined): Promise<GraphApplication> {
    const path = queryPath(`/applications/${id}`, { $select: applicationRead.$select });
    return this.graph.call("getApplication", () => this.graph.client.api(path).get(), { notFoundUntil });
  }

  /** A single-object read, so keyCredentials include their `key` (keyCredential resource page). */
  private async getServicePrincipal(
    ref: Pick<AppRef, "appId" | "servicePrincipalId">,
    notFoundUntil: Date | undefined,
  ): Promise<GraphServicePrincipal> {
    const target = ref.servicePrincipalId
      ? `/servicePrincipals/${ref.servicePrincipalId}`
      : `/servicePrincipals(appId=${odataString(ref.appId)})`;
    const path = queryPath(target, { $select: servicePrincipalRead.$select });
    try {
      return await this.graph.call("getServicePrincipal", () => this.graph.client.api(path).get(), { notFoundUntil });
    } catch (error) {
      if (graphStatus(error) !== 404) throw error;
      throw new Error(
        `The application ${ref.appId} has no service principal (enterprise app). Delete the app registration or restore its ` +
          `enterprise app in Entra, then run the setup again.`,
      );
    }
  }

  private findServicePrincipal(appId: string): Promise<GraphServicePrincipal | null> {
    const path = queryPath(`/servicePrincipals(appId=${odataString(appId)})`, {
      $select: servicePrincipalRead.$select,
    });
    return this.getOrNull<GraphServicePrincipal>("getServicePrincipal", path);
  }

  private async getOrNull<T>(kind: string, path: string, notFoundUntil?: Date): Promise<T | null> {
    try {
      return await this.graph.call<T>(kind, () => this.graph.client.api(path).get(), { notFoundUntil });
    } catch (error) {
      if (graphStatus(error) === 404) return null;
      throw error;
    }
  }

  private async deleteIfPresent(kind: string, path: string): Promise<"deleted" | "alreadyGone"> {
    try {
      await this.graph.call(kind, () => this.graph.client.api(path).delete());
      return "deleted";
    } catch (error) {
      if (graphStatus(error) === 404) return "alreadyGone";
      throw error;
    }
  }

  /** A PATCH is idempotent, so a 404 before `notFoundUntil` (replication of a new app) is simply sent again. */
  private async patchApplication(id: string, body: Application, notFoundUntil: Date | undefined): Promise<void> {
    await this.graph.call("patchApplication", () => this.graph.client.api(`/applications/${id}`).patch(body), {
      notFoundUntil,
    });
  }

  private async patchServicePrincipal(
    id: string,
    body: ServicePrincipal,
    notFoundUntil: Date | undefined,
  ): Promise<void> {
    await this.graph.call(
      "patchServicePrincipal",
      () => this.graph.client.api(`/servicePrincipals/${id}`).patch(body),
      { notFoundUntil },
    );
  }

  private async setSamlUrls(
    applicationObjectId: string,
    entityId: string,
    replyUrl: string,
    notFoundUntil: Date | undefined,
  ): Promise<void> {
    const until = this.graph.clock.now().getTime() + samlExemptionWindowMs;
    for (;;) {
      try {
        await this.patchApplication(
          applicationObjectId,
          { identifierUris: [entityId], web: { redirectUris: [replyUrl] } },
          notFoundUntil,
        );
        return;
      } catch (error) {
        if (
          graphStatus(error) === 400 &&
          /identifierUris already exists/i.test(error instanceof Error ? error.message : String(error))
        ) {
          throw new EntityIdTakenError(entityId);
        }
        if (!isIdentifierUriRefusal(error)) throw error;
        if (this.graph.clock.now().getTime() >= until)
          throw new HostNameNotOnVerifiedDomainError(entityId, describeGraphError(error));
        await this.graph.clock.sleep(samlExemptionPollMs);
      }
    }
  }

  /**
   * addTokenSigningCertificate adds a key each time it succeeds, so after a failure with unknown outcome we
   * re-read the service principal and take the certificate if it was created.
   */
  private async addSigningCertificate(
    servicePrincipal: GraphServicePrincipal,
    appDisplayName: string,
    end: Date,
    notFoundUntil: Date | undefined,
  ): Promise<SigningKey> {
    const body: Pick<SelfSignedCertificate, "displayName" | "endDateTime"> = {
      displayName: `CN=${appDisplayName}`,
      endDateTime: end.toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const cert = await this.graph.once<SelfSignedCertificate>("addTokenSigningCertificate", () =>
          this.graph.client.api(`/servicePrincipals/${servicePrincipal.id}/addTokenSigningCertificate`).post(body),
        );
        if (!cert.key) throw new Error("addTokenSigningCertificate answered without the certificate (key)");
        return signingKeyFromDer(cert.key);
      } catch (error) {
        // 404 on a new service principal: this replica has not seen it yet, so nothing was added; send again.
        if (graphStatus(error) === 404 && notFoundUntil && this.graph.clock.now() < notFoundUntil) {
          attempt--;
          await this.graph.clock.sleep(notFoundPollMs);
          continue;
        }
        if (!isTransientGraphError(error)) throw error;
        if (attempt >= this.graph.policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
        await this.graph.pauseAfter(error, attempt);
        if (graphStatus(error) === 429) continue;
        const reread = await this.getServicePrincipal(
          { appId: servicePrincipal.appId, servicePrincipalId: servicePrincipal.id },
          undefined,
        );
        const made = this.usableSigningKey(reread, appDisplayName, end);
        if (made) return made;
      }
    }
  }

  /** The key named after the app that stays valid until the requested end; the active one first. */
  private usableSigningKey(
    servicePrincipal: GraphServicePrincipal,
    appDisplayName: string,
    end: Date,
  ): SigningKey | undefined {
    const now = this.graph.clock.now().getTime();
    const preferred = servicePrincipal.preferredTokenSigningKeyThumbprint?.toUpperCase();
    const keys = verifyKeys(servicePrincipal)
      .filter(({ credential }) => credential.displayName === `CN=${appDisplayName}`)
      .map(({ signingKey }) => signingKey)
      .filter(
        (key) => key.notAfter.getTime() > now && key.notAfter.getTime() >= end.getTime() - certificateEndToleranceMs,
      )
      .sort(
        (a, b) =>
          Number(b.thumbprint === preferred) - Number(a.thumbprint === preferred) ||
          b.notAfter.getTime() - a.notAfter.getTime(),
      );
    return keys[0];
  }

  private activeSigningKey(servicePrincipal: GraphServicePrincipal): SigningKey | undefined {
    const preferred = servicePrincipal.preferredTokenSigningKeyThumbprint?.toUpperCase();
    return verifyKeys(servicePrincipal).find(({ signingKey }) => signingKey.thumbprint === preferred)?.signingKey;
  }

  private describe(parts: {
    application: GraphApplication;
    servicePrincipalId: string;
    entityId: string;
    replyUrl: string;
    signingKey: SigningKey | undefined;
    created: boolean;
  }): MigrationApp {
    const { application, signingKey } = parts;
    return {
      appId: application.appId,
      applicationObjectId: application.id,
      servicePrincipalId: parts.servicePrincipalId,
      entityId: parts.entityId,
      replyUrl: parts.replyUrl,
      thumbprint: signingKey?.thumbprint ?? "",
      certificateNotAfter: signingKey?.notAfter.toISOString() ?? "",
      certificatePem: signingKey ? parseCertificate(signingKey.derBase64).pem : "",
      created: parts.created,
    };
  }
}

/** The public halves (usage "Verify") that carry their certificate. */
function verifyKeys(servicePrincipal: GraphServicePrincipal): { credential: KeyCredential; signingKey: SigningKey }[] {
  return servicePrincipal.keyCredentials
    .filter(
      (credential): credential is KeyCredential & { key: string } =>
        credential.usage === "Verify" && typeof credential.key === "string",
    )
    .map((credential) => ({ credential, signingKey: signingKeyFromDer(credential.key) }));
}

function signingKeyFromDer(derBase64: string): SigningKey {
  const info = parseCertificate(derBase64);
  return { thumbprint: info.thumbprint, derBase64: info.derBase64, notAfter: info.notAfter };
}

/** The ended migration (one of `adoptable`) the app is tagged for, if any. */
function endedOwner(application: GraphApplication, adoptable: string[]): string | undefined {
  return adoptable.find((id) => application.tags.includes(migrationTag(id)));
}

function oldestFirst(apps: GraphApplication[]): GraphApplication[] {
  return [...apps].sort(
    (a, b) => (a.createdDateTime ?? "").localeCompare(b.createdDateTime ?? "") || a.id.localeCompare(b.id),
  );
}
