/**
 * The Peig simulator: plain node:http on 127.0.0.1 serving the admin API contract
 * (docs/peig-admin-api.md, docs/peig-admin-api.openapi.yaml) as its reference implementation, plus
 * control routes under /_sim/ (README.md). Peig publishes no admin API
 * (https://docs.peig.io/welcome-to-peig-documentation/admin-guide): each route stands for the UI action
 * named next to it, and the behaviour follows the runbook
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/user-migration).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../shared/clock";
import {
  defaultPageSize,
  maxPageSize,
  peigApiPathPrefix,
  peigOperations,
  type HttpMethod,
  type Page,
  type PeigOperationId,
  type SamlIdpInfoBody,
} from "../../shared/peig/contract";
import type { Tenant, TenantUser } from "../fixtures/tenant";
import { createSelfSignedCertificate } from "../selfSignedCertificate";
import { PeigSimulatorError, PeigWorkspace, type OnboardOutcome, type PeigWorkspaceSnapshot } from "./workspace";
import { RateLimiter, type PeigRateLimit } from "./rateLimit";
import { createPeigConsole, peigConsolePathPrefix } from "./console";

export { PeigSimulatorError, PeigWorkspace, type OnboardOutcome, type PeigWorkspaceSnapshot } from "./workspace";
export { contractRateLimit, type PeigRateLimit } from "./rateLimit";

export interface PeigFaults {
  /** Share of API requests refused with 429 + Retry-After before doing anything. */
  throttleRate?: number;
  /** Share of API requests refused with 503 + Retry-After before doing anything. */
  serverErrorRate?: number;
  /** Share of API requests that take effect but whose response is lost (connection dropped). */
  responseLossRate?: number;
  /** Retry-After sent with 429 and 503. Default 1. */
  retryAfterSeconds?: number;
  /** Seed of the fault dice; the same seed and the same requests give the same faults. Default 1. */
  seed?: number;
}

export interface PeigSimulatorOptions {
  clock: Clock;
  tenant: Tenant;
  /** The [SERVER] of https://[SERVER]/idp/shibboleth. Default `pap01.<tenant domain>`. */
  server?: string;
  /** Expected in `Authorization: Bearer <key>`. Default "peig-simulator-key". */
  apiKey?: string;
  /** Default 14 days, measured from when the migration configuration is first saved. */
  onboardingWindowMs?: number;
  /** Default true: a request whose e-mail is the Microsoft 365 account's address is approved at once. */
  autoApproveMatched?: boolean;
  faults?: PeigFaults;
  /** The contract's per-API-key rate limit (`contractRateLimit`); omitted = unlimited. */
  rateLimit?: PeigRateLimit;
  /** A user signed in through the Entra migration app (wired to the Graph simulator's sign-in log). */
  onMigrationSignIn?: (user: TenantUser, applicationId: string) => void;
}

export interface PeigRequestLogEntry {
  /** Clock time, ISO 8601. */
  at: string;
  method: string;
  path: string;
  operationId: PeigOperationId | null;
  status: number;
  fault?: "throttled" | "serverError" | "responseLost" | "rateLimited";
}

/** The simulator's state, JSON-safe: the demo saves it on exit and restores it at start, so a restart resumes. */
export interface PeigSimulatorSnapshot {
  version: 1;
  workspace: PeigWorkspaceSnapshot;
  requestLog: PeigRequestLogEntry[];
  /** The workspace's own IdP certificate (Configuration > SAML IDP Info), which a restart must not change. */
  idpCertificatePem: string;
}

export interface PeigSimulatorHandle {
  /** The contract's base URL (what PEIG_API_BASE_URL would hold): `http://127.0.0.1:<port>/admin-api/v1`. */
  baseUrl: string;
  /** `http://127.0.0.1:<port>`; control routes live under `/_sim/`. */
  origin: string;
  /** The admin console's home page (`<origin>/console/`): the screens a Peig admin uses in operator mode. */
  consoleUrl: string;
  apiKey: string;
  state: PeigWorkspace;
  requestLog: PeigRequestLogEntry[];
  setFaults(faults: PeigFaults): void;
  /** Turns the per-API-key rate limit on (fresh buckets) or off (`undefined`). */
  setRateLimit(limit: PeigRateLimit | undefined): void;
  onboardUser(microsoft365UserId: string): OnboardOutcome;
  /** A deep copy of the simulator's state. */
  snapshot(): PeigSimulatorSnapshot;
  /** Replaces the simulator's state with a snapshot's (faults and the tenant stay as started). */
  restore(snapshot: PeigSimulatorSnapshot): void;
  stop(): Promise<void>;
}

interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  idempotencyKey: string | undefined;
}

interface RouteResponse {
  status: number;
  body?: unknown;
}

type RouteHandler = (request: RouteRequest) => RouteResponse;

export interface PeigSimulatorRoute {
  operationId: PeigOperationId;
  method: HttpMethod;
  /** Template relative to the base URL, OpenAPI style (`/onboarding-requests/{requestId}/approve`). */
  path: string;
}

const dayMs = 24 * 60 * 60 * 1000;

function invalid(message: string): PeigSimulatorError {
  return new PeigSimulatorError(400, "invalidRequest", message);
}

function stringField(body: unknown, name: string): string {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== "string" || value.trim() === "")
    throw invalid(`The JSON body needs a non-empty string "${name}".`);
  return value;
}

/**
 * Keyset paging by id: stable while items are added, which offset paging is not. `itemsAfter` yields in
 * id order from just after the cursor, so a page reads only its own items (and one more, to know
 * whether another page follows).
 */
export function pageOf<T extends { id: string }>(
  itemsAfter: (after: string) => Iterator<T>,
  query: URLSearchParams,
): Page<T> {
  const sizeText = query.get("pageSize");
  const pageSize = sizeText === null ? defaultPageSize : Number(sizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize)
    throw invalid(`pageSize must be an integer from 1 to ${maxPageSize}.`);
  const cursor = query.get("cursor");
  let after = "";
  if (cursor !== null) {
    try {
      const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { after?: unknown };
      if (typeof decoded.after !== "string") throw new Error("no position");
      after = decoded.after;
    } catch {
      throw new PeigSimulatorError(
        400,
        "invalidCursor",
        "The cursor is not one this API returned; start again without a cursor.",
      );
    }
  }
  const items = itemsAfter(after);
  const pageItems: T[] = [];
  for (let next = items.next(); !next.done; next = items.next()) {
    if (pageItems.length === pageSize) {
      const last = pageItems[pageItems.length - 1];
      return { items: pageItems, nextCursor: Buffer.from(JSON.stringify({ after: last.id })).toString("base64url") };
    }
    pageItems.push(next.value);
  }
  return { items: pageItems, nextCursor: null };
}

function handlersFor(workspace: PeigWorkspace, samlIdpInfo: SamlIdpInfoBody): Record<PeigOperationId, RouteHandler> {
  return {
    // Configuration > SAML IDP Info (docs/peig-ui.md: entity id, sign-in/out URLs, certificate).
    getSamlIdpInfo: () => ({ status: 200, body: samlIdpInfo }),
    // Configuration > Microsoft 365 Active Provider > Migration: what the section shows.
    getMigrationConfiguration: () => ({ status: 200, body: workspace.getConfiguration() }),
    // ... > Migration > Validate.
    validateMigrationConfiguration: ({ body }) => {
      const problems = workspace.validate(stringField(body, "applicationId"), stringField(body, "idpCertificate"));
      return { status: 200, body: { valid: problems.length === 0, problems } };
    },
    // ... > Migration > Save.
    saveMigrationConfiguration: ({ body }) => {
      const result = workspace.save(stringField(body, "applicationId"), stringField(body, "idpCertificate"));
      return {
        status: result.created ? 201 : 200,
        body: { changed: result.changed, configuration: result.configuration },
      };
    },
    // ... > Migration > delete ("This action cannot be undone", runbook "Close the migration").
    deleteMigrationConfiguration: () => {
      workspace.delete();
      return { status: 204 };
    },
    // Users & Access: the user list with status.
    listUsers: ({ query }) => ({ status: 200, body: pageOf((after) => workspace.usersAfter(after), query) }),
    // Users & Access: pending requests at the top of the dashboard (admin-guide/managing-users).
    listOnboardingRequests: ({ query }) => ({
      status: 200,
      body: pageOf((after) => workspace.pendingRequestsAfter(after), query),
    }),
    approveOnboardingRequest: ({ params }) => ({ status: 200, body: workspace.approve(params.requestId) }),
    denyOnboardingRequest: ({ params }) => ({ status: 200, body: workspace.deny(params.requestId) }),
    mergeOnboardingRequest: ({ params, body }) => ({
      status: 200,
      body: workspace.merge(params.requestId, stringField(body, "targetUserId")),
    }),
    // MS365 Identifiers > Peig Accounts / Microsoft 365 Accounts tabs (deployment-guides/microsoft-365/managing-identifiers).
    listPeigAccounts: ({ query }) => ({
      status: 200,
      body: pageOf((after) => workspace.peigAccountsAfter(after), query),
    }),
    listMicrosoft365Accounts: ({ query }) => ({
      status: 200,
      body: pageOf((after) => workspace.microsoft365AccountsAfter(after), query),
    }),
    getMicrosoft365Account: ({ params }) => ({
      status: 200,
      body: workspace.microsoft365Account(params.microsoft365UserId),
    }),
    // MS365 Identifiers > Microsoft 365 Accounts > Create Peig Account.
    createPeigAccount: ({ params, idempotencyKey }) => ({
      status: 201,
      body: workspace.createPeigAccount(params.microsoft365UserId, idempotencyKey),
    }),
  };
}

/** The (method, path) pairs the simulator serves, for the contract test against the OpenAPI file. */
export const peigSimulatorRoutes: PeigSimulatorRoute[] = (Object.keys(peigOperations) as PeigOperationId[]).map(
  (operationId) => ({
    operationId,
    ...peigOperations[operationId],
  }),
);

interface CompiledRoute extends PeigSimulatorRoute {
  pattern: RegExp;
  handler: RouteHandler;
}

function compile(prefix: string, template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
  return new RegExp(`^${prefix}${escaped}$`);
}

/** mulberry32: seeded so that a fault run can be repeated exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const maxBodyBytes = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) reject(invalid("The request body is larger than 1 MB."));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid("The request body is not valid JSON.");
  }
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  // Encoded once, as bytes: Node measures a string for Content-Length and then encodes it again on the socket.
  res
    .writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers })
    .end(Buffer.from(JSON.stringify(body)));
}

function sendError(res: ServerResponse, error: PeigSimulatorError, headers: Record<string, string> = {}): void {
  send(res, error.status, { error: { code: error.code, message: error.message, ...error.extra } }, headers);
}

/** A workspace keeps its IdP certificate for years, so one per server is both realistic and fast (RSA is slow). */
const idpCertificates = new Map<string, string>();

function idpCertificateFor(server: string, now: Date): string {
  let pem = idpCertificates.get(server);
  if (!pem) {
    pem = createSelfSignedCertificate({
      subject: `CN=${server}`,
      notBefore: new Date(now.getTime() - dayMs),
      notAfter: new Date(now.getTime() + 3 * 365 * dayMs),
    }).pem;
    idpCertificates.set(server, pem);
  }
  return pem;
}

export async function startPeigSimulator(options: PeigSimulatorOptions): Promise<PeigSimulatorHandle> {
  const { clock, tenant } = options;
  const server = options.server ?? `pap01.${tenant.domain}`;
  const apiKey = options.apiKey ?? "peig-simulator-key";
  const workspace = new PeigWorkspace({
    clock,
    tenant,
    onboardingWindowMs: options.onboardingWindowMs ?? 14 * dayMs,
    autoApproveMatched: options.autoApproveMatched ?? true,
    onMigrationSignIn: options.onMigrationSignIn,
  });
  const samlIdpInfo: SamlIdpInfoBody = {
    idpEntityId: `https://${server}/idp/shibboleth`,
    signInUrl: `https://${server}/idp/profile/SAML2/POST/SSO`,
    signOutUrl: `https://${server}/idp/profile/Logout`,
    idpCertificate: idpCertificateFor(server, clock.now()),
  };
  const handlers = handlersFor(workspace, samlIdpInfo);
  const adminConsole = createPeigConsole({ workspace, samlIdpInfo, workspaceName: tenant.domain });
  const routes: CompiledRoute[] = peigSimulatorRoutes.map((route) => ({
    ...route,
    pattern: compile(peigApiPathPrefix, route.path),
    handler: handlers[route.operationId],
  }));

  let faults: PeigFaults = {};
  let dice = seededRandom(1);
  const setFaults = (next: PeigFaults): void => {
    faults = { ...next };
    dice = seededRandom(next.seed ?? 1);
  };
  setFaults(options.faults ?? {});

  let rateLimiter: RateLimiter | undefined;
  const setRateLimit = (limit: PeigRateLimit | undefined): void => {
    rateLimiter = limit && new RateLimiter(clock, limit);
  };
  setRateLimit(options.rateLimit);

  const requestLog: PeigRequestLogEntry[] = [];
  // A full migration at 100,000 users logs some 50,000 requests: entries made at the same clock time (a whole
  // pass, on a virtual clock) share one copy of its text.
  let lastAt = { ms: NaN, iso: "" };
  const logTime = (): string => {
    const ms = clock.now().getTime();
    if (ms !== lastAt.ms) lastAt = { ms, iso: new Date(ms).toISOString() };
    return lastAt.iso;
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    workspace.advance();
    if (req.method === "GET" && path === "/_sim/state") {
      send(res, 200, { ...workspace.summary(), faults, requests: requestLog.length });
      return;
    }
    if (req.method === "PUT" && path === "/_sim/faults") {
      const body = parseJson(await readBody(req));
      if (typeof body !== "object" || body === null) throw invalid("The body must be a JSON object of fault settings.");
      setFaults(body as PeigFaults);
      send(res, 200, faults);
      return;
    }
    const onboard = /^\/_sim\/users\/([^/]+)\/onboard$/.exec(path);
    if (req.method === "POST" && onboard) {
      send(res, 200, { outcome: workspace.onboardNow(decodeURIComponent(onboard[1])) });
      return;
    }
    throw new PeigSimulatorError(404, "notFound", `No control route ${req.method} ${path}.`);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL, log: PeigRequestLogEntry): Promise<void> => {
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    if (matching.length === 0) throw new PeigSimulatorError(404, "notFound", `No operation at ${url.pathname}.`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      const allow = matching.map((r) => r.method).join(", ");
      sendError(
        res,
        new PeigSimulatorError(405, "methodNotAllowed", `${req.method} is not allowed here; use ${allow}.`),
        { Allow: allow },
      );
      log.status = 405;
      return;
    }
    log.operationId = route.operationId;
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      throw new PeigSimulatorError(401, "unauthorized", "Send the workspace API key as Authorization: Bearer <key>.");
    }
    const token = rateLimiter?.take(req.headers.authorization);
    if (token && !token.allowed) {
      log.fault = "rateLimited";
      log.status = 429;
      sendError(
        res,
        new PeigSimulatorError(
          429,
          "throttled",
          "Rate limit exceeded for this API key; retry after the Retry-After interval.",
        ),
        { "Retry-After": String(token.retryAfterSeconds) },
      );
      return;
    }
    const retryAfter = { "Retry-After": String(faults.retryAfterSeconds ?? 1) };
    if (dice() < (faults.throttleRate ?? 0)) {
      log.fault = "throttled";
      log.status = 429;
      sendError(
        res,
        new PeigSimulatorError(429, "throttled", "Too many requests; retry after the Retry-After interval."),
        retryAfter,
      );
      return;
    }
    if (dice() < (faults.serverErrorRate ?? 0)) {
      log.fault = "serverError";
      log.status = 503;
      sendError(
        res,
        new PeigSimulatorError(
          503,
          "serviceUnavailable",
          "The workspace is temporarily unavailable; retry after the Retry-After interval.",
        ),
        retryAfter,
      );
      return;
    }
    const body = parseJson(await readBody(req));
    workspace.advance();
    const params = Object.fromEntries(
      Object.entries(route.pattern.exec(url.pathname)?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
    );
    const idempotencyKey = req.headers["idempotency-key"];
    const result = route.handler({
      params,
      query: url.searchParams,
      body,
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
    });
    log.status = result.status;
    if (dice() < (faults.responseLossRate ?? 0)) {
      // The change is made; only the answer never arrives, as when a connection drops mid-response.
      log.fault = "responseLost";
      req.socket.destroy();
      return;
    }
    send(res, result.status, result.body);
  };

  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === peigConsolePathPrefix || url.pathname.startsWith(`${peigConsolePathPrefix}/`)) {
      // The console is Peig's UI, not its API: no API key, no faults, not in the API request log.
      adminConsole(req, res, url).catch((error: unknown) => {
        const known = error instanceof PeigSimulatorError ? error : undefined;
        if (!known) console.error("peig simulator console:", error);
        if (!res.headersSent)
          res
            .writeHead(known?.status ?? 500, { "Content-Type": "text/plain; charset=utf-8" })
            .end(known?.message ?? "The simulator failed.");
      });
      return;
    }
    const log: PeigRequestLogEntry = {
      at: logTime(),
      method: req.method ?? "",
      path: url.pathname,
      operationId: null,
      status: 0,
    };
    const isControl = url.pathname.startsWith("/_sim/");
    if (!isControl) requestLog.push(log);
    (isControl ? control(req, res, url.pathname) : api(req, res, url, log)).catch((error: unknown) => {
      const known =
        error instanceof PeigSimulatorError
          ? error
          : new PeigSimulatorError(500, "internalError", "The simulator failed.");
      if (!(error instanceof PeigSimulatorError)) console.error("peig simulator:", error);
      log.status = known.status;
      if (!res.headersSent) sendError(res, known);
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}${peigApiPathPrefix}`,
    origin,
    consoleUrl: `${origin}${peigConsolePathPrefix}/`,
    apiKey,
    state: workspace,
    requestLog,
    setFaults,
    setRateLimit,
    onboardUser: (microsoft365UserId) => {
      workspace.advance();
      return workspace.onboardNow(microsoft365UserId);
    },
    snapshot: () => ({
      version: 1,
      workspace: workspace.snapshot(),
      requestLog: structuredClone(requestLog),
      idpCertificatePem: samlIdpInfo.idpCertificate,
    }),
    restore: (snapshot) => {
      if (snapshot.version !== 1)
        throw new Error(`Unknown Peig simulator snapshot version ${String(snapshot.version)}`);
      workspace.restore(snapshot.workspace);
      // In place: the handle's requestLog and the route handlers' samlIdpInfo are the same objects.
      requestLog.length = 0;
      for (const entry of structuredClone(snapshot.requestLog)) requestLog.push(entry);
      samlIdpInfo.idpCertificate = snapshot.idpCertificatePem;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.closeAllConnections();
        httpServer.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
