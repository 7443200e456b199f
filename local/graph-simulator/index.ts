/**
 * A local Microsoft Graph v1.0 for tests, the local host and the demo: plain node:http on 127.0.0.1,
 * a free port, the real SDK pointed at it through `baseUrl`. Time comes from the Clock it is given, so
 * replication delays and mail limits follow the virtual clock. Control routes live under /_sim/ (README.md).
 */
import { createHash, randomUUID } from "crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "http";
import type { AddressInfo } from "net";
import type { Clock } from "../../shared/clock";
import type { GraphCloud } from "../../shared/graph/cloud";
import type { Tenant } from "../fixtures/tenant";
import { AppRoleAssignmentSimulator, type SimAppRoleAssignment, type SimManagedIdentity } from "./appRoleAssignments";
import { DirectorySimulator, methodNotAllowed, type DirectorySnapshot, type ReplicationDelays } from "./directory";
import { FaultInjector, type GraphFaults, type InjectedFault } from "./faults";
import {
  GraphHttpError,
  badRequest,
  errorResponse,
  notFound,
  ok,
  requireObject,
  type SimRequest,
  type SimResponse,
} from "./http";
import {
  MailboxSimulator,
  exchangeOnlineLimits,
  type MailLimits,
  type SentMail,
  type SimAutomaticReplies,
  type UndeliverableCause,
} from "./mailbox";
import { PeopleSimulator, defaultSignInLog, type SimSignIn } from "./people";
import { defaultIdentifierUriPolicy, handlePolicies, type SimIdentifierUriPolicy } from "./policies";
import { TenantAccess, type TenantAccessOptions } from "./tenantAccess";

export type { GraphFaults, ScriptedFault } from "./faults";
export type { MailLimits, SentMail, SimAutomaticReplies, UndeliverableCause } from "./mailbox";
export type { SimSignIn } from "./people";
export type { TenantAccessOptions } from "./tenantAccess";
export type { SimIdentifierUriPolicy, SimIdentifierUriRestriction } from "./policies";
export { defaultIdentifierUriPolicy } from "./policies";
export {
  MICROSOFT_GRAPH_APP_ID,
  microsoftGraphAppRoles,
  type SimAppRoleAssignment,
  type SimManagedIdentity,
} from "./appRoleAssignments";
export type { SimApplication, SimServicePrincipal, SimKeyCredential, DirectorySnapshot, Replicated } from "./directory";

export interface GraphSimulatorOptions {
  clock: Clock;
  tenant: Tenant;
  /** Domains allowed as https identifier-URI hosts; default the tenant's domain and its initial .onmicrosoft.com domain. */
  verifiedDomains?: string[];
  /** Time after instantiate during which single reads of the new objects answer 404; default 20 s. */
  replicationDelayMs?: number;
  /** Time after instantiate before lists (`$filter=displayName eq …`) show the new objects; default replicationDelayMs. */
  listReplicationDelayMs?: number;
  /** Time after instantiate during which writes (PATCH, addTokenSigningCertificate) answer 404; default replicationDelayMs. */
  writeReplicationDelayMs?: number;
  faults?: GraphFaults;
  mailLimits?: Partial<MailLimits>;
  /** Sender mailboxes besides the tenant's users (e.g. a shared "migration@…" mailbox). */
  mailboxes?: string[];
  /**
   * How long after a sign-in its entry appears in the sign-in log (Entra's is minutes, reference-reports-latencies);
   * default 0. The log also keeps 30 days (7 without Entra ID P1) and allows 5 reads per 10 seconds (people.ts).
   */
  signInLogLatencyMs?: number;
  /** Users (addresses) whose user object exists but who have no Exchange Online mailbox. */
  withoutMailbox?: string[];
  /**
   * Until this time (ISO, on the clock) Exchange refuses the app on every mailbox with 403: its RBAC for Applications
   * grant was just made, and "changes to app permissions are subject to cache maintenance that varies between 30 minutes
   * and 2 hours" (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac).
   */
  exchangeGrantEffectiveAt?: string;
  /** Addresses Exchange bounces, and why (the tenant fixture does not say which mailboxes are full or gone). */
  undeliverable?: Record<string, UndeliverableCause>;
  /** Whether the identifier-URI policy exempts SAML apps (its `excludeSaml`); default true. */
  samlExemptFromIdentifierUriPolicy?: boolean;
  /** The tenant's identifier-URI policy; default Microsoft's, with `excludeSaml` from the option above. */
  identifierUriPolicy?: SimIdentifierUriPolicy;
  /** Which national cloud's Graph this is (APIs missing there answer as Graph does there); default global. */
  cloud?: GraphCloud;
  /** Time after the PATCH to SAML mode before the identifier-URI checks see a SAML app; default 0. */
  samlExemptionDelayMs?: number;
  /**
   * Called before each request is served: lets a world that changes lazily (the Peig simulator's
   * onboardings, which land in the sign-in log) catch up with the clock before Graph answers.
   */
  beforeRequest?: () => void;
  /** User-assigned managed identities in the tenant (principals that can be granted Graph permissions). */
  managedIdentities?: SimManagedIdentity[];
  /** The app's own permissions (its token's roles) and the tenant's licences; default: all granted, Entra ID P1. */
  access?: TenantAccessOptions;
}

export interface RequestLogEntry {
  method: string;
  /** Path without version, with the query string. */
  path: string;
  status: number;
  /** ISO time on the simulator's clock. */
  at: string;
  /** Set for requests that arrived inside a JSON batch. */
  via?: "$batch";
}

export interface SimulatorState {
  directory: DirectorySimulator;
  signIns: SimSignIn[];
  /** App role assignments to Microsoft Graph (application permissions granted). */
  appRoleAssignments: SimAppRoleAssignment[];
  summary(): Record<string, unknown>;
}

/**
 * Everything the simulator accumulates, JSON-safe (the users and groups come from the seeded tenant, so
 * they are not in it): the demo saves it on exit and restores it at start, so a restart resumes.
 */
export interface GraphSimulatorSnapshot extends DirectorySnapshot {
  version: 1;
  signIns: SimSignIn[];
  outbox: SentMail[];
  requestLog: RequestLogEntry[];
}

export interface GraphSimulator {
  /** "http://127.0.0.1:<port>/" — give it to the SDK as baseUrl. */
  baseUrl: string;
  state: SimulatorState;
  outbox: SentMail[];
  requestLog: RequestLogEntry[];
  /** `interactive: false` records a non-interactive sign-in (e.g. SSO from an Entra-joined PC). */
  recordSignIn(userId: string, appId: string, errorCode?: number, options?: { interactive?: boolean }): SimSignIn;
  setFaults(faults: GraphFaults): void;
  /** From now on mail to `address` bounces for `cause` (undefined: delivered again). */
  setUndeliverable(address: string, cause: UndeliverableCause | undefined): void;
  /** From now on `address`'s automatic replies ("out of office") are `setting`; undefined turns them off. */
  setAutomaticReplies(address: string, setting: SimAutomaticReplies | undefined): void;
  /** A deep copy of the simulator's state. */
  snapshot(): GraphSimulatorSnapshot;
  /** Replaces the simulator's state with a snapshot's (faults and the tenant stay as started). */
  restore(snapshot: GraphSimulatorSnapshot): void;
  stop(): Promise<void>;
}

const maxBatchRequests = 20;
/**
 * Outlook runs at most 4 requests per mailbox at once (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits),
 * and Graph hands the items of a $batch to Outlook in parallel unless dependsOn orders them, so a fifth
 * independent item for one mailbox gets 429 "Application is over its MailboxConcurrency limit."
 * (Microsoft Q&A 1660054 and 734143).
 */
const mailboxConcurrency = 4;

class GraphSimulatorServer {
  baseUrl = "";
  readonly requestLog: RequestLogEntry[] = [];
  readonly faults: FaultInjector;
  readonly directory: DirectorySimulator;
  readonly people: PeopleSimulator;
  readonly mailbox: MailboxSimulator;
  readonly appRoleAssignments: AppRoleAssignmentSimulator;

  readonly identifierUriPolicy: SimIdentifierUriPolicy;
  readonly access: TenantAccess;
  private readonly extraMailboxes: string[];

  constructor(private readonly options: GraphSimulatorOptions) {
    const { clock, tenant } = options;
    this.identifierUriPolicy =
      options.identifierUriPolicy ?? defaultIdentifierUriPolicy(options.samlExemptFromIdentifierUriPolicy ?? true);
    this.access = new TenantAccess(options.access ?? {});
    const baseUrl = () => this.baseUrl;
    this.faults = new FaultInjector(options.faults);
    this.directory = new DirectorySimulator({
      clock,
      baseUrl,
      verifiedDomains: options.verifiedDomains ?? [tenant.domain, tenant.initialDomain],
      replication: replicationDelays(options),
      identifierUriPolicy: this.identifierUriPolicy,
      samlExemptionDelayMs: options.samlExemptionDelayMs ?? 0,
      cloud: options.cloud ?? "global",
    });
    this.people = new PeopleSimulator(tenant, clock, baseUrl, () => this.access.premium, {
      ...defaultSignInLog,
      ...(options.signInLogLatencyMs !== undefined ? { latencyMs: options.signInLogLatencyMs } : {}),
    });
    this.appRoleAssignments = new AppRoleAssignmentSimulator({
      clock,
      baseUrl,
      managedIdentities: options.managedIdentities ?? [],
      otherServicePrincipal: (id) => this.directory.servicePrincipals.get(id)?.resource.displayName,
    });
    const extraMailboxes = (this.extraMailboxes = (options.mailboxes ?? []).map((m) => m.toLowerCase()));
    const withoutMailbox = new Set((options.withoutMailbox ?? []).map((m) => m.toLowerCase()));
    this.mailbox = new MailboxSimulator(
      clock,
      { ...exchangeOnlineLimits, ...options.mailLimits },
      (idOrUpn) => {
        const address = extraMailboxes.includes(idOrUpn.toLowerCase())
          ? idOrUpn.toLowerCase()
          : this.people.findUser(idOrUpn)?.mail?.toLowerCase();
        return address !== undefined && !withoutMailbox.has(address) ? address : undefined;
      },
      baseUrl,
      (idOrUpn) => extraMailboxes.includes(idOrUpn.toLowerCase()) || this.people.findUser(idOrUpn) !== undefined,
    );
    for (const [address, cause] of Object.entries(options.undeliverable ?? {}))
      this.mailbox.setUndeliverable(address, cause);
  }

  recordSignIn(userId: string, appId: string, errorCode = 0, options: { interactive?: boolean } = {}): SimSignIn {
    const app = [...this.directory.applications.values()].find((entry) => entry.resource.appId === appId);
    return this.people.recordSignIn(
      userId,
      appId,
      app?.resource.displayName ?? "",
      errorCode,
      options.interactive ?? true,
    );
  }

  snapshot(): GraphSimulatorSnapshot {
    return structuredClone({
      version: 1 as const,
      ...this.directory.snapshot(),
      signIns: this.people.signIns,
      outbox: this.mailbox.outbox,
      requestLog: this.requestLog,
    });
  }

  restore(snapshot: GraphSimulatorSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`Unknown Graph simulator snapshot version ${String(snapshot.version)}`);
    this.directory.restore(snapshot);
    // The arrays are shared with the handle (outbox, requestLog): refill them in place.
    const copy = structuredClone(snapshot);
    this.people.restoreSignIns(copy.signIns);
    refill(this.mailbox.outbox, copy.outbox);
    refill(this.requestLog, copy.requestLog);
  }

  summary(): Record<string, unknown> {
    return {
      ...this.directory.summary(),
      signIns: this.people.signIns.length,
      outbox: this.mailbox.outbox.length,
      requests: this.requestLog.length,
      faults: this.faults.current(),
    };
  }

  async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers[name.toLowerCase()] = value;
    const method = (req.method ?? "GET").toUpperCase();
    let response: SimResponse;
    try {
      if (method === "POST" && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) {
        // A form-encoded client-credentials request; its fields do not change what the simulated identity holds.
        response = ok(this.access.token(this.options.clock.now()));
      } else if (url.pathname.startsWith("/_sim/")) {
        response = this.control(method, url.pathname, raw.trim() ? parseJson(raw) : undefined);
      } else {
        const body = raw.trim() ? parseJson(raw) : undefined;
        const versioned = /^\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
        if (!versioned)
          throw badRequest(`Invalid version: the path must start with /v1.0/ (got '${url.pathname}').`, "BadRequest");
        const version = versioned[1] as SimRequest["version"];
        response = this.dispatch({
          method,
          path: decodeURIComponent(versioned[2]),
          version,
          query: url.searchParams,
          headers,
          body,
        });
      }
    } catch (error) {
      response = this.toErrorResponse(error);
    }
    write(res, response, headers["client-request-id"]);
  }

  /** One Graph request (top level or a batch item): faults, routing, request log. */
  private dispatch(request: SimRequest, via?: "$batch"): SimResponse {
    const fault = this.faults.decide(request.method, request.path);
    let response: SimResponse;
    if (fault && !fault.afterProcessing) {
      response = this.faultResponse(fault);
    } else {
      try {
        response = this.route(request);
      } catch (error) {
        response = this.toErrorResponse(error);
      }
      if (fault) response = this.faultResponse(fault);
    }
    return this.logged(request, response, via);
  }

  private logged(request: SimRequest, response: SimResponse, via?: "$batch"): SimResponse {
    const query = [...request.query.entries()].map(([key, value]) => `${key}=${value}`).join("&");
    this.requestLog.push({
      method: request.method,
      path: query ? `${request.path}?${query}` : request.path,
      status: response.status,
      at: this.options.clock.now().toISOString(),
      ...(via ? { via } : {}),
    });
    return response;
  }

  private route(request: SimRequest): SimResponse {
    if (request.path === "/$batch") return this.batch(request);
    this.access.check(request);
    const response =
      this.singleUser(request) ??
      handlePolicies(request, this.identifierUriPolicy, this.baseUrl) ??
      this.appRoleAssignments.handle(request) ??
      this.directory.handle(request) ??
      this.people.handle(request) ??
      this.mailboxRequest(request);
    if (response) return response;
    throw badRequest(`Resource not found for the segment '${request.path.split("/")[1] ?? ""}'.`, "BadRequest");
  }

  private mailboxRequest(request: SimRequest): SimResponse | undefined {
    const grantAt = this.options.exchangeGrantEffectiveAt;
    if (
      grantAt !== undefined &&
      this.options.clock.now().getTime() < Date.parse(grantAt) &&
      this.mailbox.mailboxOf(request.path) !== undefined
    )
      throw new GraphHttpError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    return this.mailbox.handle(request);
  }

  /**
   * GET /users/{id | userPrincipalName} (https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0):
   * a tenant user, or a sender mailbox given as an option (a shared mailbox is a user object too); 404 otherwise.
   */
  private singleUser(request: SimRequest): SimResponse | undefined {
    const match = /^\/users\/([^/]+)$/.exec(request.path);
    if (!match || request.method !== "GET") return undefined;
    const key = match[1].toLowerCase();
    const user = this.people.findUser(key);
    if (user)
      return ok({
        id: user.id,
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        mail: user.mail,
      });
    if (this.extraMailboxes.includes(key))
      return ok({ id: mailboxId(key), displayName: key, userPrincipalName: key, mail: key });
    throw notFound(match[1]);
  }

  /**
   * JSON batching (https://learn.microsoft.com/en-us/graph/json-batching): ≤ 20 requests, else 400; each item
   * evaluated (and throttled) on its own and answered inside a 200 envelope; a failed dependency gives 424;
   * response order is not guaranteed, so the simulator returns them reversed.
   */
  private batch(request: SimRequest): SimResponse {
    if (request.method !== "POST") throw methodNotAllowed(request);
    const requests = requireObject(request.body).requests;
    if (!Array.isArray(requests) || requests.length === 0)
      throw badRequest("The batch request must contain at least one request.", "BadRequest");
    if (requests.length > maxBatchRequests)
      throw badRequest(`The batch has ${requests.length} requests; the limit is ${maxBatchRequests}.`, "BadRequest");
    const items = requests.map((entry) => batchItem(entry, request.version));
    if (new Set(items.map((i) => i.id)).size !== items.length)
      throw badRequest("Batch request ids must be unique.", "BadRequest");

    const statuses = new Map<string, number>();
    const concurrent = new Map<string, number>();
    const responses = items.map((item) => {
      const mailbox = item.dependsOn.length === 0 ? this.mailbox.mailboxOf(item.request.path) : undefined;
      if (mailbox !== undefined) concurrent.set(mailbox, (concurrent.get(mailbox) ?? 0) + 1);
      const overConcurrency = mailbox !== undefined && concurrent.get(mailbox)! > mailboxConcurrency;
      const failedDependency = item.dependsOn.some((id) => {
        const status = statuses.get(id);
        return status === undefined || status < 200 || status >= 300;
      });
      const response = failedDependency
        ? this.toErrorResponse(new GraphHttpError(424, "FailedDependency", "A request this request depends on failed."))
        : overConcurrency
          ? this.logged(
              item.request,
              this.toErrorResponse(
                new GraphHttpError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
                  "Retry-After": "1",
                }),
              ),
              "$batch",
            )
          : this.dispatch(item.request, "$batch");
      statuses.set(item.id, response.status);
      const headers =
        response.body === undefined ? response.headers : { "Content-Type": "application/json", ...response.headers };
      return {
        id: item.id,
        status: response.status,
        headers,
        ...(response.body === undefined ? {} : { body: response.body }),
      };
    });
    return ok({ responses: responses.reverse() });
  }

  private control(method: string, path: string, body: unknown): SimResponse {
    if (path === "/_sim/state" && method === "GET") return ok(this.summary());
    if (path === "/_sim/outbox" && method === "GET") return ok({ value: this.mailbox.outbox });
    if (path === "/_sim/undeliverable" && method === "POST") {
      const { address, cause } = requireObject(body);
      if (
        typeof address !== "string" ||
        (cause !== undefined && cause !== "recipientNotFound" && cause !== "mailboxFull")
      )
        throw badRequest("address is required; cause is recipientNotFound, mailboxFull or absent.");
      this.mailbox.setUndeliverable(address, cause);
      return ok({ address, cause: cause ?? null });
    }
    if (path === "/_sim/faults" && method === "POST") {
      this.faults.set(requireObject(body) as GraphFaults);
      return ok(this.faults.current());
    }
    if (path === "/_sim/signIns" && method === "POST") {
      const { userId, appId, errorCode, interactive } = requireObject(body);
      if (typeof userId !== "string" || typeof appId !== "string")
        throw badRequest("userId and appId are required strings.");
      try {
        return ok(
          this.recordSignIn(userId, appId, typeof errorCode === "number" ? errorCode : 0, {
            interactive: interactive !== false,
          }),
          201,
        );
      } catch (error) {
        throw badRequest(error instanceof Error ? error.message : String(error));
      }
    }
    throw new GraphHttpError(404, "NotFound", `No simulator control route ${method} ${path}.`);
  }

  /** Throttling/outage responses as Graph sends them (https://learn.microsoft.com/en-us/graph/throttling). */
  private faultResponse(fault: InjectedFault): SimResponse {
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
    const [code, message] =
      // A missing application permission: 403 Authorization_RequestDenied (https://learn.microsoft.com/en-us/graph/errors).
      fault.status === 403
        ? ["Authorization_RequestDenied", "Insufficient privileges to complete the operation."]
        : fault.status === 404
          ? // A replica that has not caught up with a new object (terraform-provider-azuread#1802).
            [
              "Request_ResourceNotFound",
              "Resource does not exist or one of its queried reference-property objects are not present.",
            ]
          : fault.status === 429
            ? ["TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header."]
            : fault.status === 503
              ? ["serviceNotAvailable", "The service is temporarily unavailable. Please retry later."]
              : ["GatewayTimeout", "The gateway did not receive a response in time."];
    return this.toErrorResponse(new GraphHttpError(fault.status, code, message, headers));
  }

  private toErrorResponse(error: unknown): SimResponse {
    const graphError =
      error instanceof GraphHttpError
        ? error
        : new GraphHttpError(500, "generalException", error instanceof Error ? error.message : String(error));
    return errorResponse(graphError, this.options.clock.now());
  }
}

function replicationDelays(options: GraphSimulatorOptions): ReplicationDelays {
  const readMs = options.replicationDelayMs ?? 20_000;
  return {
    readMs,
    listMs: options.listReplicationDelayMs ?? readMs,
    writeMs: options.writeReplicationDelayMs ?? readMs,
  };
}

/** A stable object id for a mailbox given by address. */
function mailboxId(address: string): string {
  const hex = createHash("sha1").update(address).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** In place, and without spreading (a long request log would overflow the argument list). */
function refill<T>(target: T[], items: T[]): void {
  target.length = 0;
  for (const item of items) target.push(item);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest(
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      "BadRequest",
    );
  }
}

interface BatchItem {
  id: string;
  dependsOn: string[];
  request: SimRequest;
}

function batchItem(entry: unknown, version: SimRequest["version"]): BatchItem {
  const item = requireObject(entry);
  const { id, method, url, body } = item;
  if (typeof id !== "string" || typeof method !== "string" || typeof url !== "string") {
    throw badRequest("Each batch request needs string 'id', 'method' and 'url' properties.", "BadRequest");
  }
  if (/^https?:/i.test(url)) throw badRequest(`Batch request urls must be relative: '${url}'.`, "BadRequest");
  const headers: Record<string, string> = {};
  if (item.headers !== undefined) {
    for (const [name, value] of Object.entries(requireObject(item.headers)))
      headers[name.toLowerCase()] = String(value);
  }
  if (body !== undefined && headers["content-type"] === undefined) {
    throw badRequest(`Batch request '${id}' has a body but no Content-Type header.`, "BadRequest");
  }
  const parsed = new URL(url.startsWith("/") ? url : `/${url}`, "http://127.0.0.1");
  const dependsOn = Array.isArray(item.dependsOn) ? item.dependsOn.map(String) : [];
  return {
    id,
    dependsOn,
    request: {
      method: method.toUpperCase(),
      path: decodeURIComponent(parsed.pathname),
      version,
      query: parsed.searchParams,
      headers,
      body,
    },
  };
}

function write(res: ServerResponse, response: SimResponse, clientRequestId: string | undefined): void {
  const headers: Record<string, string> = { ...response.headers, "request-id": randomUUID() };
  if (clientRequestId) headers["client-request-id"] = clientRequestId;
  if (response.body === undefined) {
    res.writeHead(response.status, { ...headers, "Content-Length": "0" });
    res.end();
    return;
  }
  // Encoded once: a string would be measured for Content-Length and then encoded again on the socket, and a page of
  // 999 users is some 400 KB (the 30,000-user scenarios send hundreds of them).
  const bytes = Buffer.from(JSON.stringify(response.body));
  res.writeHead(response.status, {
    ...headers,
    "Content-Type":
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    "Content-Length": String(bytes.length),
  });
  res.end(bytes);
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  const simulator = new GraphSimulatorServer(options);
  const server = createServer((req, res) => {
    options.beforeRequest?.();
    simulator.onHttp(req, res).catch((error: unknown) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  simulator.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    baseUrl: simulator.baseUrl,
    state: {
      directory: simulator.directory,
      signIns: simulator.people.signIns,
      appRoleAssignments: simulator.appRoleAssignments.assignments,
      summary: () => simulator.summary(),
    },
    outbox: simulator.mailbox.outbox,
    requestLog: simulator.requestLog,
    recordSignIn: (userId, appId, errorCode, signInOptions) =>
      simulator.recordSignIn(userId, appId, errorCode, signInOptions),
    setFaults: (faults) => simulator.faults.set(faults),
    setUndeliverable: (address, cause) => simulator.mailbox.setUndeliverable(address, cause),
    setAutomaticReplies: (address, setting) => simulator.mailbox.setAutomaticReplies(address, setting),
    snapshot: () => simulator.snapshot(),
    restore: (snapshot) => simulator.restore(snapshot),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
