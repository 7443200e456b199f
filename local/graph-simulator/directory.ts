/**
 * Applications and service principals: the non-gallery SAML app flow of
 * https://learn.microsoft.com/en-us/graph/application-saml-sso-configure-api with Microsoft's status codes
 * (201 instantiate, 204 PATCH/DELETE, 200 addTokenSigningCertificate), replication delay after instantiate
 * and the identifier-URI policy.
 */
import { randomUUID } from "crypto";
import type { Clock } from "../../shared/clock";
import type { GraphCloud } from "../../shared/graph/cloud";
import { createSelfSignedCertificate } from "../selfSignedCertificate";
import {
  GraphHttpError,
  badRequest,
  empty,
  isStringArray,
  notFound,
  ok,
  requireObject,
  type SimRequest,
  type SimResponse,
} from "./http";
import { page, parseQuery, parseSelect, project, type CollectionRules } from "./odata";
import { identifierUriPolicyError, policyRefuses, type SimIdentifierUriPolicy } from "./policies";

/** https://learn.microsoft.com/en-us/graph/api/resources/keycredential?view=graph-rest-1.0 */
export interface SimKeyCredential {
  customKeyIdentifier: string;
  displayName: string;
  startDateTime: string;
  endDateTime: string;
  key: string | null;
  keyId: string;
  type: "AsymmetricX509Cert";
  usage: "Sign" | "Verify";
}

export interface SimApplication extends Record<string, unknown> {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string;
  createdDateTime: string;
  identifierUris: string[];
  tags: string[];
  notes: string | null;
  web: { homePageUrl: string | null; logoutUrl: string | null; redirectUris: string[] };
}

export interface SimServicePrincipal extends Record<string, unknown> {
  id: string;
  appId: string;
  displayName: string;
  preferredSingleSignOnMode: string | null;
  preferredTokenSigningKeyThumbprint: string | null;
  tags: string[];
  keyCredentials: SimKeyCredential[];
  passwordCredentials: Record<string, unknown>[];
}

/**
 * An object and the times (ms on the simulator's clock) from which each kind of request sees it. Directory
 * replicas catch up independently: a list can trail a single read, and a write routed to another replica can
 * answer 404 right after a successful GET ("provisioning is not instant", the SAML tutorial; terraform-provider-azuread#581: an application "returned by
 * the API" a second before a follow-up call failed; #1802 and #1811: 404 Request_ResourceNotFound on a new service
 * principal; the provider waits on replication since PR #86).
 */
export interface Replicated<T> {
  resource: T;
  /** GET of the single object. */
  visibleFrom: number;
  /** Collections (GET /applications?$filter=…); absent: as visibleFrom. */
  listedFrom?: number;
  /** PATCH, DELETE and actions (addTokenSigningCertificate); absent: as visibleFrom. */
  writableFrom?: number;
}

/** What a request does with an object: each kind sees it after its own replication delay. */
export type ReplicaUse = "read" | "list" | "write";

/** How long after instantiate each kind of request still answers as if the new objects did not exist. */
export interface ReplicationDelays {
  readMs: number;
  listMs: number;
  writeMs: number;
}

export interface DirectorySnapshot {
  applications: Replicated<SimApplication>[];
  servicePrincipals: Replicated<SimServicePrincipal>[];
}

export interface DirectoryOptions {
  clock: Clock;
  baseUrl: () => string;
  /** Hosts (and their subdomains) allowed in https identifier URIs. */
  verifiedDomains: string[];
  replication: ReplicationDelays;
  identifierUriPolicy: SimIdentifierUriPolicy;
  /**
   * How long after `preferredSingleSignOnMode` becomes saml the identifier-URI checks still see a non-SAML app:
   * "synchronization isn't immediate" (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-update?view=graph-rest-1.0);
   * terraform-provider-azuread issues 797 and 1392 (a second apply succeeds).
   */
  samlExemptionDelayMs: number;
  /** The national cloud this Graph is: some APIs exist in the global service only. */
  cloud: GraphCloud;
}

/** Non-gallery template ids of the global, US Government and China clouds (instantiate page). */
const nonGalleryTemplateIds = [
  "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
  "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
  "5a532e38-1581-4918-9658-008dc27c1d68",
];

const applicationRules: CollectionRules = {
  typeName: "microsoft.graph.application",
  filterable: ["displayName", "appId", "applicationTemplateId", "id"],
  properties: [
    "id",
    "appId",
    "displayName",
    "applicationTemplateId",
    "createdDateTime",
    "deletedDateTime",
    "description",
    "identifierUris",
    "tags",
    "notes",
    "signInAudience",
    "web",
    "defaultRedirectUri",
    "keyCredentials",
    "passwordCredentials",
    "publisherDomain",
  ],
  defaultTop: 100,
  maxTop: 999,
  advancedQueries: true,
};

const servicePrincipalProperties = [
  "id",
  "appId",
  "appDisplayName",
  "displayName",
  "accountEnabled",
  "applicationTemplateId",
  "appRoleAssignmentRequired",
  "preferredSingleSignOnMode",
  "preferredTokenSigningKeyThumbprint",
  "loginUrl",
  "notificationEmailAddresses",
  "replyUrls",
  "servicePrincipalNames",
  "servicePrincipalType",
  "tags",
  "notes",
  "samlSingleSignOnSettings",
  "keyCredentials",
  "passwordCredentials",
];

const servicePrincipalRules: CollectionRules = {
  typeName: "microsoft.graph.servicePrincipal",
  filterable: ["displayName", "appId", "id", "servicePrincipalType"],
  properties: servicePrincipalProperties,
  defaultTop: 100,
  maxTop: 999,
  advancedQueries: true,
};

/**
 * preferredSingleSignOnMode values "password, saml, notSupported, oidc, and external"
 * (https://learn.microsoft.com/en-us/graph/api/resources/serviceprincipal?view=graph-rest-1.0).
 */
const singleSignOnModes = ["password", "saml", "notSupported", "oidc", "external"];
const instantiatePath = /^\/applicationTemplates\/([^/]+)\/instantiate$/;
const applicationPath = /^\/applications(?:\/([^/()]+)|\(appId='([^']*)'\))$/;
const servicePrincipalPath = /^\/servicePrincipals(?:\/([^/()]+)|\(appId='([^']*)'\))(\/addTokenSigningCertificate)?$/;

export function methodNotAllowed(request: SimRequest): GraphHttpError {
  return new GraphHttpError(
    405,
    "Request_BadRequest",
    `The HTTP method '${request.method}' is not allowed for this resource.`,
  );
}

export class DirectorySimulator {
  readonly applications = new Map<string, Replicated<SimApplication>>();
  readonly servicePrincipals = new Map<string, Replicated<SimServicePrincipal>>();
  /** When each service principal's SAML mode reaches the identifier-URI checks (ms on the clock). */
  private readonly samlEffectiveFrom = new Map<string, number>();

  constructor(private readonly options: DirectoryOptions) {}

  /** undefined when the path is not a directory route. */
  handle(request: SimRequest): SimResponse | undefined {
    const { method, path } = request;
    const instantiate = instantiatePath.exec(path);
    if (instantiate)
      return method === "POST" ? this.instantiate(instantiate[1], request.body) : raise(methodNotAllowed(request));
    if (path === "/applications")
      return method === "GET"
        ? this.list(this.applications, applicationRules, request, "applications")
        : raise(methodNotAllowed(request));
    if (path === "/servicePrincipals") {
      return method === "GET"
        ? this.list(this.servicePrincipals, servicePrincipalRules, request, "servicePrincipals")
        : raise(methodNotAllowed(request));
    }
    const app = applicationPath.exec(path);
    if (app) {
      const application = this.findApplication(app[1], app[2], method === "GET" ? "read" : "write");
      if (method === "GET") return ok(this.single(application, applicationRules, request, "applications"));
      if (method === "PATCH") return this.patchApplication(application, request.body);
      if (method === "DELETE") return this.deleteApplication(application);
      throw methodNotAllowed(request);
    }
    const sp = servicePrincipalPath.exec(path);
    if (sp) {
      const servicePrincipal = this.findServicePrincipal(sp[1], sp[2], method === "GET" ? "read" : "write");
      if (sp[3])
        return method === "POST"
          ? this.addTokenSigningCertificate(servicePrincipal, request.body)
          : raise(methodNotAllowed(request));
      if (method === "GET")
        return ok(this.single(servicePrincipal, servicePrincipalRules, request, "servicePrincipals"));
      if (method === "PATCH") return this.patchServicePrincipal(servicePrincipal, request.body);
      if (method === "DELETE") return this.deleteServicePrincipal(servicePrincipal);
      throw methodNotAllowed(request);
    }
    return undefined;
  }

  /** A deep copy of the applications and service principals, for a simulator that is saved and restored. */
  snapshot(): DirectorySnapshot {
    return structuredClone({
      applications: [...this.applications.values()],
      servicePrincipals: [...this.servicePrincipals.values()],
    });
  }

  /** Replaces every application and service principal with the snapshot's. */
  restore(snapshot: DirectorySnapshot): void {
    this.applications.clear();
    this.servicePrincipals.clear();
    for (const entry of structuredClone(snapshot.applications)) this.applications.set(entry.resource.id, entry);
    for (const entry of structuredClone(snapshot.servicePrincipals))
      this.servicePrincipals.set(entry.resource.id, entry);
  }

  summary(): Record<string, unknown> {
    const now = this.now();
    return {
      applications: [...this.applications.values()].map(({ resource: a, visibleFrom }) => ({
        id: a.id,
        appId: a.appId,
        displayName: a.displayName,
        identifierUris: a.identifierUris,
        redirectUris: a.web.redirectUris,
        tags: a.tags,
        replicated: now >= visibleFrom,
      })),
      servicePrincipals: [...this.servicePrincipals.values()].map(({ resource: s, visibleFrom }) => ({
        id: s.id,
        appId: s.appId,
        preferredSingleSignOnMode: s.preferredSingleSignOnMode,
        preferredTokenSigningKeyThumbprint: s.preferredTokenSigningKeyThumbprint,
        keyCredentials: s.keyCredentials.length,
        replicated: now >= visibleFrom,
      })),
    };
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  /** POST /applicationTemplates/{id}/instantiate → 201 applicationServicePrincipal (instantiate page). */
  private instantiate(templateId: string, rawBody: unknown): SimResponse {
    if (!nonGalleryTemplateIds.includes(templateId)) throw notFound(templateId);
    const body = requireObject(rawBody);
    const displayName = body.displayName;
    if (typeof displayName !== "string" || !displayName.trim() || displayName.length > 256) {
      throw badRequest("Invalid value specified for property 'displayName' of resource 'ApplicationServicePrincipal'.");
    }
    const now = this.options.clock.now();
    // Provisioning "is not instant": requests answer 404 until replication (the SAML tutorial), each kind on its own.
    const { readMs, listMs, writeMs } = this.options.replication;
    const replicated = {
      visibleFrom: now.getTime() + readMs,
      listedFrom: now.getTime() + listMs,
      writableFrom: now.getTime() + writeMs,
    };
    const appId = randomUUID();
    const application: SimApplication = {
      id: randomUUID(),
      appId,
      applicationTemplateId: templateId,
      createdDateTime: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      deletedDateTime: null,
      description: null,
      displayName,
      identifierUris: [],
      tags: [],
      notes: null,
      signInAudience: "AzureADMyOrg",
      publisherDomain: this.options.verifiedDomains[0] ?? null,
      defaultRedirectUri: null,
      web: { homePageUrl: null, logoutUrl: null, redirectUris: [] },
      keyCredentials: [],
      passwordCredentials: [],
    };
    const servicePrincipal: SimServicePrincipal = {
      id: randomUUID(),
      appId,
      accountEnabled: true,
      appDisplayName: displayName,
      displayName,
      applicationTemplateId: templateId,
      appRoleAssignmentRequired: true,
      preferredSingleSignOnMode: null,
      preferredTokenSigningKeyThumbprint: null,
      loginUrl: null,
      notificationEmailAddresses: [],
      replyUrls: [],
      servicePrincipalNames: [appId],
      servicePrincipalType: "Application",
      tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
      notes: null,
      samlSingleSignOnSettings: null,
      keyCredentials: [],
      passwordCredentials: [],
    };
    this.applications.set(application.id, { resource: application, ...replicated });
    this.servicePrincipals.set(servicePrincipal.id, { resource: servicePrincipal, ...replicated });
    return ok(
      {
        "@odata.context": `${this.options.baseUrl()}v1.0/$metadata#microsoft.graph.applicationServicePrincipal`,
        application,
        servicePrincipal,
      },
      201,
    );
  }

  private list<T extends Record<string, unknown>>(
    store: Map<string, Replicated<T>>,
    rules: CollectionRules,
    request: SimRequest,
    context: string,
  ): SimResponse {
    const parsed = parseQuery(request, rules);
    // keyCredential.key is "returned only on $select for a single object"; in lists it is null (keyCredential page).
    const items = this.visible(store, "list").map((resource) => withoutKeys(resource));
    return ok(page(items, parsed, request, { baseUrl: this.options.baseUrl(), context }));
  }

  private single<T extends Record<string, unknown>>(
    resource: T,
    rules: CollectionRules,
    request: SimRequest,
    context: string,
  ): Record<string, unknown> {
    const select = parseSelect(request, rules);
    const explicitKeys = request.query.get("$select")?.includes("keyCredentials") ?? false;
    return {
      "@odata.context": `${this.options.baseUrl()}v1.0/$metadata#${context}/$entity`,
      ...project(explicitKeys ? resource : withoutKeys(resource), select),
    };
  }

  private visible<T>(store: Map<string, Replicated<T>>, use: ReplicaUse = "read"): T[] {
    const now = this.now();
    return [...store.values()].filter((entry) => now >= seenFrom(entry, use)).map((entry) => entry.resource);
  }

  private findApplication(id: string | undefined, appId: string | undefined, use: ReplicaUse): SimApplication {
    const found = this.visible(this.applications, use).find((a) =>
      id !== undefined ? a.id === id.toLowerCase() : a.appId === appId?.toLowerCase(),
    );
    if (!found) throw notFound(id ?? appId ?? "");
    return found;
  }

  private findServicePrincipal(
    id: string | undefined,
    appId: string | undefined,
    use: ReplicaUse,
  ): SimServicePrincipal {
    const found = this.visible(this.servicePrincipals, use).find((s) =>
      id !== undefined ? s.id === id.toLowerCase() : s.appId === appId?.toLowerCase(),
    );
    if (!found) throw notFound(id ?? appId ?? "");
    return found;
  }

  /** PATCH /applications/{id} → 204 (https://learn.microsoft.com/en-us/graph/api/application-update?view=graph-rest-1.0). */
  private patchApplication(application: SimApplication, rawBody: unknown): SimResponse {
    const body = requireObject(rawBody);
    const allowed = ["identifierUris", "web", "tags", "notes", "displayName", "defaultRedirectUri", "description"];
    for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(`Invalid property '${key}'.`);
    if (body.identifierUris !== undefined) {
      if (!isStringArray(body.identifierUris))
        throw badRequest("Invalid value specified for property 'identifierUris' of resource 'Application'.");
      this.checkIdentifierUris(application, body.identifierUris);
    }
    let web = application.web;
    if (body.web !== undefined) {
      const patch = requireObject(body.web);
      if (patch.redirectUris !== undefined) checkRedirectUris(patch.redirectUris);
      web = { ...web, ...(patch as Partial<SimApplication["web"]>) };
    }
    if (body.tags !== undefined && !isStringArray(body.tags))
      throw badRequest("Invalid value specified for property 'tags' of resource 'Application'.");
    Object.assign(application, body, { web });
    if (typeof body.displayName === "string") {
      for (const sp of this.visible(this.servicePrincipals))
        if (sp.appId === application.appId) sp.appDisplayName = body.displayName;
    }
    return empty(204);
  }

  /**
   * Identifier URI rules (https://learn.microsoft.com/en-us/entra/identity-platform/identifier-uri-restrictions):
   * no trailing slash, unique in the tenant. An https host that is not a verified domain is refused with 400
   * HostNameNotOnVerifiedDomain (https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes)
   * unless the app is a SAML app, and by the tenant's app management policy with its own text unless that
   * excludes SAML apps. "SAML app" is the service principal's mode as the policy sees it, after the sync delay.
   */
  private checkIdentifierUris(application: SimApplication, uris: string[]): void {
    const servicePrincipal = this.visible(this.servicePrincipals).find((s) => s.appId === application.appId);
    const saml =
      servicePrincipal?.preferredSingleSignOnMode === "saml" &&
      this.now() >= (this.samlEffectiveFrom.get(servicePrincipal.id) ?? Number.NEGATIVE_INFINITY);
    for (const uri of uris) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        throw badRequest(
          `Invalid value specified for property 'identifierUris' of resource 'Application': '${uri}' is not a URI.`,
        );
      }
      if (uri.endsWith("/")) throw badRequest(`Values of identifierUris property must not end with a slash: '${uri}'.`);
      if (url.protocol === "https:") {
        const verifiedHost = this.isVerifiedHost(url.hostname);
        if (!verifiedHost && !saml) {
          throw new GraphHttpError(
            400,
            "HostNameNotOnVerifiedDomain",
            `Values of identifierUris property must use a verified domain of the organization or its subdomain: '${uri}'`,
          );
        }
        if (
          policyRefuses(
            this.options.identifierUriPolicy,
            { verifiedHost },
            { createdDateTime: application.createdDateTime, saml },
          )
        )
          throw identifierUriPolicyError(uri);
      }
      const taken = this.visible(this.applications).some(
        (other) => other.id !== application.id && other.identifierUris.includes(uri),
      );
      if (taken) throw badRequest("Another object with the same value for property identifierUris already exists.");
    }
  }

  private isVerifiedHost(host: string): boolean {
    const lower = host.toLowerCase();
    return this.options.verifiedDomains.some(
      (domain) => lower === domain.toLowerCase() || lower.endsWith(`.${domain.toLowerCase()}`),
    );
  }

  /**
   * Deleting an app registration in its home tenant also deletes its service principal
   * (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/restore-application).
   */
  private deleteApplication(application: SimApplication): SimResponse {
    this.applications.delete(application.id);
    for (const [id, entry] of this.servicePrincipals)
      if (entry.resource.appId === application.appId) this.servicePrincipals.delete(id);
    return empty(204);
  }

  /**
   * A service principal made from an application template and set to SAML cannot be deleted on its own:
   * Graph answers 400 DeletingSamlSpNotAllowed "Property appId is invalid"
   * (https://github.com/hashicorp/terraform-provider-azuread/issues/1388). Deleting its application deletes it
   * (https://learn.microsoft.com/en-us/graph/application-saml-sso-configure-api, "Step 7: Clean up resources").
   */
  private deleteServicePrincipal(servicePrincipal: SimServicePrincipal): SimResponse {
    if (servicePrincipal.applicationTemplateId && servicePrincipal.preferredSingleSignOnMode === "saml") {
      throw badRequest("Property appId is invalid.", "DeletingSamlSpNotAllowed");
    }
    this.servicePrincipals.delete(servicePrincipal.id);
    return empty(204);
  }

  /** PATCH /servicePrincipals/{id} → 204 (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-update?view=graph-rest-1.0). */
  private patchServicePrincipal(servicePrincipal: SimServicePrincipal, rawBody: unknown): SimResponse {
    const body = requireObject(rawBody);
    const allowed = [
      "preferredSingleSignOnMode",
      "preferredTokenSigningKeyThumbprint",
      "tags",
      "notes",
      "appRoleAssignmentRequired",
      "loginUrl",
      "notificationEmailAddresses",
    ];
    for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(`Invalid property '${key}'.`);
    const mode = body.preferredSingleSignOnMode;
    if (mode !== undefined && mode !== null && !singleSignOnModes.includes(String(mode))) {
      throw badRequest(
        `Invalid value specified for property 'preferredSingleSignOnMode' of resource 'ServicePrincipal': '${String(mode)}'.`,
      );
    }
    const thumbprint = body.preferredTokenSigningKeyThumbprint;
    if (thumbprint !== undefined && thumbprint !== null) {
      // Simulator rule [D]: the thumbprint must name one of the SP's signing keys, or SAML responses could not be signed.
      const known = servicePrincipal.keyCredentials.some((k) => thumbprintOf(k) === String(thumbprint).toUpperCase());
      if (!known)
        throw badRequest(`No key credential of this service principal has the thumbprint '${String(thumbprint)}'.`);
    }
    if (body.tags !== undefined && !isStringArray(body.tags))
      throw badRequest("Invalid value specified for property 'tags' of resource 'ServicePrincipal'.");
    if (mode === "saml" && servicePrincipal.preferredSingleSignOnMode !== "saml")
      this.samlEffectiveFrom.set(servicePrincipal.id, this.now() + this.options.samlExemptionDelayMs);
    Object.assign(servicePrincipal, body);
    return empty(204);
  }

  /**
   * POST …/addTokenSigningCertificate → 200 selfSignedCertificate; adds a Sign key, a Verify key and a
   * password that share customKeyIdentifier (the Sign key and the password share keyId)
   * (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-addtokensigningcertificate?view=graph-rest-1.0).
   */
  private addTokenSigningCertificate(servicePrincipal: SimServicePrincipal, rawBody: unknown): SimResponse {
    // The page's national cloud table ticks the global service only; elsewhere the action does not exist, and Graph
    // answers an unknown segment with 400 BadRequest [D: the exact text in a national cloud is our conclusion].
    if (this.options.cloud !== "global")
      throw badRequest("Resource not found for the segment 'addTokenSigningCertificate'.", "BadRequest");
    const body = requireObject(rawBody);
    const displayName = body.displayName;
    if (typeof displayName !== "string" || !displayName.startsWith("CN=")) {
      throw badRequest("The displayName must start with 'CN=' (it becomes the certificate subject).");
    }
    const now = this.options.clock.now();
    const latest = new Date(now);
    latest.setUTCFullYear(latest.getUTCFullYear() + 3);
    const end = body.endDateTime === undefined ? latest : new Date(String(body.endDateTime));
    if (Number.isNaN(end.getTime()) || end <= now || end > latest) {
      throw badRequest("endDateTime must be in the future and at most 3 years after the certificate is created.");
    }
    const cert = createSelfSignedCertificate({ subject: displayName, notBefore: now, notAfter: end });
    const customKeyIdentifier = Buffer.from(cert.thumbprint, "hex").toString("base64");
    const signKeyId = randomUUID();
    const verifyKeyId = randomUUID();
    const common = {
      customKeyIdentifier,
      displayName,
      startDateTime: cert.notBefore.toISOString(),
      endDateTime: cert.notAfter.toISOString(),
      type: "AsymmetricX509Cert" as const,
    };
    servicePrincipal.keyCredentials.push(
      { ...common, key: null, keyId: signKeyId, usage: "Sign" },
      { ...common, key: cert.derBase64, keyId: verifyKeyId, usage: "Verify" },
    );
    servicePrincipal.passwordCredentials.push({
      customKeyIdentifier,
      displayName,
      startDateTime: common.startDateTime,
      endDateTime: common.endDateTime,
      hint: null,
      keyId: signKeyId,
      secretText: null,
    });
    return ok({
      "@odata.context": `${this.options.baseUrl()}v1.0/$metadata#microsoft.graph.selfSignedCertificate`,
      ...common,
      key: cert.derBase64,
      keyId: verifyKeyId,
      thumbprint: cert.thumbprint,
      usage: "Verify",
    });
  }
}

/** Both examples of the addTokenSigningCertificate page have customKeyIdentifier = base64(SHA-1 thumbprint bytes). */
function thumbprintOf(key: SimKeyCredential): string {
  return Buffer.from(key.customKeyIdentifier, "base64").toString("hex").toUpperCase();
}

function seenFrom(entry: Replicated<unknown>, use: ReplicaUse): number {
  if (use === "list") return entry.listedFrom ?? entry.visibleFrom;
  if (use === "write") return entry.writableFrom ?? entry.visibleFrom;
  return entry.visibleFrom;
}

function withoutKeys<T extends Record<string, unknown>>(resource: T): T {
  const keys = resource.keyCredentials;
  if (!Array.isArray(keys)) return resource;
  return { ...resource, keyCredentials: keys.map((k: SimKeyCredential) => ({ ...k, key: null })) };
}

/** Reply URL rules: https (http only for localhost), ≤ 256 characters, ≤ 256 URIs (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url). */
function checkRedirectUris(value: unknown): void {
  if (!isStringArray(value) || value.length > 256)
    throw badRequest("Invalid value specified for property 'web.redirectUris' of resource 'Application'.");
  for (const uri of value) {
    const localHttp = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(uri);
    if ((!uri.startsWith("https://") && !localHttp) || uri.length > 256 || /[!$'(),;]/.test(uri)) {
      throw badRequest(`Invalid value specified for property 'web.redirectUris' of resource 'Application': '${uri}'.`);
    }
  }
}

function raise(error: GraphHttpError): never {
  throw error;
}
