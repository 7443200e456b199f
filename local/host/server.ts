/**
 * The local host's HTTP face: the app's own HTTP triggers (routes, methods, route parameters,
 * function keys) and the Durable management API under both the `rpcBaseUrl` routes and the webhook
 * URLs, so that the unmodified DurableClient works against it (durable-functions' getClient reads the binding's creationUrls, managementUrls and rpcBaseUrl).
 *
 * As in Azure, the management API on the app's port needs the system key: the webhook URLs carry it
 * as `code=` (azure-functions-durable-extension HttpApiHandler.cs builds them with
 * `?code={systemKey}`). The keyless `rpcBaseUrl` the client binding gets points at a second listener
 * on 127.0.0.1 only, like the extension's LocalHttpListener.cs (port 17071 there, any free port here),
 * which BindingHelper.cs puts into the binding's JSON.
 */
import http from "node:http";
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { registry, type CoreBinding, type Registration } from "./fakeCore";
import {
  InstanceNotFoundError,
  InstanceNotRunningError,
  InvalidInstanceIdError,
  isTerminal,
  type LocalDurableEngine,
} from "./engine";
import { EventTypeName } from "./history";
import type { InstanceRecord } from "./instanceStore";
import { LocalAppServiceAuth, type LocalPerson } from "./appServiceAuth";

export interface HostServerOptions {
  engine: LocalDurableEngine;
  port?: number;
  host?: string;
  taskHub?: string;
  /** Key for authLevel "function" triggers (also accepted: the master key). Random when omitted. */
  functionKey?: string;
  masterKey?: string;
  /** Key the Durable webhook URLs carry (the extension's system key). */
  systemKey?: string;
  /**
   * Who can sign in through the stand-in for App Service Authentication (appServiceAuth.ts), which is always in
   * front of the app's triggers as in Azure; `preselect` is offered first on the sign-in page.
   */
  signIn?: { people: readonly LocalPerson[]; preselect?: string };
  log?: (level: string, source: string, message: string) => void;
}

export interface OrchestrationClientData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
}

interface HttpRoute {
  registration: Registration;
  trigger: CoreBinding;
  segments: string[];
  methods: string[];
  authLevel: string;
}

const WEBHOOK_PREFIX = "/runtime/webhooks/durabletask/";
const RPC_PREFIX = "/durabletask/";
const ADMIN_FUNCTIONS_PREFIX = "/admin/functions/";

export class HostServer {
  readonly functionKey: string;
  readonly masterKey: string;
  readonly systemKey: string;
  private readonly invocations = new Set<Promise<unknown>>();
  /** HTTP function invocations served (each is a Functions execution; the bench prices them). */
  httpInvocations = 0;
  readonly taskHub: string;
  readonly appServiceAuth: LocalAppServiceAuth;
  private server?: http.Server;
  private rpcServer?: http.Server;
  private origin = "";
  private rpcOrigin = "";

  constructor(private readonly options: HostServerOptions) {
    this.functionKey = options.functionKey ?? randomBytes(24).toString("base64url");
    this.masterKey = options.masterKey ?? randomBytes(24).toString("base64url");
    this.systemKey = options.systemKey ?? randomBytes(24).toString("base64url");
    this.taskHub = options.taskHub ?? "LocalHub";
    this.appServiceAuth = new LocalAppServiceAuth(options.signIn ?? { people: [] });
  }

  get baseUrl(): string {
    if (!this.origin) throw new Error("the host server is not listening yet");
    return this.origin;
  }

  async listen(): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.log?.("error", "host-server", err instanceof Error ? (err.stack ?? err.message) : String(err));
        if (!res.headersSent)
          send(res, 500, {
            error: "internal error in the local host",
            message: err instanceof Error ? err.message : String(err),
          });
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as { port: number };
    this.origin = `http://${this.options.host ?? "127.0.0.1"}:${port}`;
    this.rpcServer = await this.listenRpc();
    // getClient rewrites every management URL to http://localhost:7071 unless WEBSITE_HOSTNAME is set.
    process.env.WEBSITE_HOSTNAME ??= `127.0.0.1:${port}`;
    return this.origin;
  }

  /** The local RPC listener: the management routes only, no key, loopback only. */
  private async listenRpc(): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", this.rpcOrigin || "http://127.0.0.1");
      const handled = url.pathname.startsWith(RPC_PREFIX)
        ? readBody(req).then((body) =>
            this.management(
              req.method ?? "GET",
              url,
              url.pathname.slice(RPC_PREFIX.length),
              body.toString("utf8"),
              res,
            ),
          )
        : Promise.resolve(send(res, 404, { error: `no route for ${url.pathname}` }));
      handled.catch((err: unknown) => {
        this.options.log?.("error", "host-rpc", err instanceof Error ? (err.stack ?? err.message) : String(err));
        if (!res.headersSent)
          send(res, 500, {
            error: "internal error in the local host",
            message: err instanceof Error ? err.message : String(err),
          });
        else res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.rpcOrigin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return server;
  }

  async close(): Promise<void> {
    const servers = [this.server, this.rpcServer].filter((s): s is http.Server => !!s);
    this.server = undefined;
    this.rpcServer = undefined;
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  /** The durableClient input binding's value, pointing at this server. */
  clientData(): OrchestrationClientData {
    return durableClientBinding({
      webhookBase: `${this.baseUrl}${WEBHOOK_PREFIX}`,
      taskHub: this.taskHub,
      systemKey: this.systemKey,
      rpcBaseUrl: `${this.rpcOrigin}${RPC_PREFIX}`,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const body = await readBody(req);
    for (const prefix of [WEBHOOK_PREFIX, RPC_PREFIX]) {
      if (!url.pathname.startsWith(prefix)) continue;
      if (
        !keyMatches(url.searchParams.get("code") ?? header(req, "x-functions-key"), [this.systemKey, this.masterKey])
      ) {
        return send(res, 401, { error: "the Durable management API needs the system key (code=...)" });
      }
      return this.management(req.method ?? "GET", url, url.pathname.slice(prefix.length), body.toString("utf8"), res);
    }
    if (this.appServiceAuth.handle(req.method ?? "GET", url, body, res)) return;
    if (url.pathname.startsWith("/api/")) return this.trigger(req, url, body, res);
    if (url.pathname.startsWith(ADMIN_FUNCTIONS_PREFIX)) return this.runNonHttpFunction(req, url, res);
    send(res, 404, { error: `no route for ${url.pathname}` });
  }

  /**
   * The Functions host's admin API for running a function that is not HTTP-triggered now, as its trigger would
   * (https://learn.microsoft.com/azure/azure-functions/functions-manually-run-non-http): `POST
   * /admin/functions/{name}` with the master key, answered 202 at once while the function runs. Tests run a timer
   * function this way after moving the virtual clock; `invocationsSettled()` waits for it to finish.
   */
  private runNonHttpFunction(req: http.IncomingMessage, url: URL, res: http.ServerResponse): void {
    if ((req.method ?? "GET").toUpperCase() !== "POST") return send(res, 405, { error: "POST to run a function" });
    if (!keyMatches(url.searchParams.get("code") ?? header(req, "x-functions-key"), [this.masterKey]))
      return send(res, 401, "");
    const name = decodeURIComponent(url.pathname.slice(ADMIN_FUNCTIONS_PREFIX.length));
    const registration = registry.get(name);
    const bindings = registration ? Object.values(registration.metadata.bindings) : [];
    const trigger = bindings.find((b) => b.direction === "in" && b.type.endsWith("Trigger"));
    if (!registration || !trigger) return send(res, 404, { error: `no function named ${name}` });
    if (trigger.type !== "timerTrigger")
      return send(res, 400, { error: `the local host runs only timer functions this way, not a ${trigger.type}` });
    const context = this.invocationContext(registration, trigger);
    // What a timer trigger passes (@azure/functions Timer): not past due, as when the schedule fires on time.
    const timer = { isPastDue: false, schedule: { adjustForDST: false } };
    const run = Promise.resolve()
      .then(() => registration.callback(timer, context))
      .catch((error: unknown) => this.options.log?.("error", name, String(error)));
    this.invocations.add(run);
    void run.finally(() => this.invocations.delete(run));
    send(res, 202, "");
  }

  /** Resolves once every function started through the admin API has finished. */
  async invocationsSettled(): Promise<void> {
    while (this.invocations.size) await Promise.all([...this.invocations]);
  }

  /** An invocation's context: its logger goes to the host's log, a durableClient input gets this host's binding. */
  private invocationContext(registration: Registration, trigger: CoreBinding): InvocationContext {
    const name = registration.metadata.name;
    const extraInputs = Object.values(registration.metadata.bindings).filter(
      (b) => b.direction === "in" && b !== trigger,
    );
    const context = new InvocationContext({
      functionName: name,
      invocationId: randomUUID(),
      options: { trigger: trigger as never, extraInputs: extraInputs as never, extraOutputs: [] },
      logHandler: (level, ...args) => this.options.log?.(level, name, args.map(String).join(" ")),
    });
    for (const input of extraInputs) {
      if (input.type === "durableClient" || input.type === "orchestrationClient")
        context.extraInputs.set(input.name as string, this.clientData());
    }
    return context;
  }

  // ---- Durable management API ----------------------------------------------------------------

  private async management(
    method: string,
    url: URL,
    path: string,
    body: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const engine = this.options.engine;
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    try {
      if (parts[0] === "orchestrators" && method === "POST" && parts.length >= 2) {
        const instanceId = await engine.startNew(parts[1], {
          instanceId: parts[2],
          input: body ? JSON.parse(body) : undefined,
          version: url.searchParams.get("version") ?? undefined,
        });
        const payload = this.managementPayload(instanceId);
        return send(res, 202, payload, { Location: payload.statusQueryGetUri });
      }
      if (parts[0] === "instances" && parts.length === 1 && method === "GET") {
        // The extension's query conditions (HttpApiHandler.cs, OrchestrationStatusQueryCondition): runtime status,
        // and creation time from/to, inclusive.
        const statuses = url.searchParams.get("runtimeStatus")?.split(",");
        const from = url.searchParams.get("createdTimeFrom");
        const to = url.searchParams.get("createdTimeTo");
        const list = engine
          .listInstances()
          .filter((r) => !statuses || statuses.includes(r.status))
          .filter((r) => !from || Date.parse(r.createdTime) >= Date.parse(from))
          .filter((r) => !to || Date.parse(r.createdTime) <= Date.parse(to));
        return send(
          res,
          200,
          list.map((r) => statusOf(r, { showInput: true })),
        );
      }
      if (parts[0] === "instances" && parts.length >= 2) {
        const id = parts[1];
        const op = parts[2];
        if (!op && method === "GET") {
          const record = engine.getInstance(id);
          if (!record) return send(res, 404, { error: `No instance with ID '${id}' found.` });
          const opts = {
            showHistory: url.searchParams.get("showHistory") === "true",
            showHistoryOutput: url.searchParams.get("showHistoryOutput") === "true",
            showInput: url.searchParams.get("showInput") !== "false",
          };
          return send(res, isTerminal(record.status) ? 200 : 202, statusOf(record, opts));
        }
        if (!op && method === "DELETE") {
          const deleted = await engine.purge(id);
          return send(res, deleted ? 200 : 404, { instancesDeleted: deleted ? 1 : 0 });
        }
        if (op === "raiseEvent" && method === "POST" && parts[3]) {
          await engine.raiseEvent(id, parts[3], body ? JSON.parse(body) : null);
          return send(res, 202, "");
        }
        if (op === "terminate" && method === "POST") {
          await engine.terminate(id, url.searchParams.get("reason") ?? "");
          return send(res, 202, "");
        }
        if (op && ["suspend", "resume", "rewind", "restart"].includes(op)) {
          return send(res, 501, `The local durable host does not support ${op}.`);
        }
      }
      if (parts[0] === "entities") return send(res, 501, "The local durable host does not support durable entities.");
      send(res, 404, { error: `unknown Durable management route ${method} ${path}` });
    } catch (err) {
      if (err instanceof InstanceNotFoundError) return send(res, 404, { error: err.message });
      if (err instanceof InstanceNotRunningError) return send(res, 410, { error: err.message });
      if (err instanceof SyntaxError) return send(res, 400, { error: `body is not JSON: ${err.message}` });
      if (err instanceof InvalidInstanceIdError) return send(res, 400, { error: err.message });
      if (err instanceof Error && /already exists/.test(err.message)) return send(res, 409, { error: err.message });
      if (err instanceof Error && /No orchestration named/.test(err.message))
        return send(res, 400, { error: err.message });
      throw err;
    }
  }

  private managementPayload(instanceId: string): Record<string, string> {
    const urls = this.clientData().managementUrls;
    const fill = (u: string) => u.replace(urls.id, encodeURIComponent(instanceId));
    return {
      id: instanceId,
      statusQueryGetUri: fill(urls.statusQueryGetUri),
      sendEventPostUri: fill(urls.sendEventPostUri),
      terminatePostUri: fill(urls.terminatePostUri),
      rewindPostUri: fill(urls.rewindPostUri),
      purgeHistoryDeleteUri: fill(urls.purgeHistoryDeleteUri),
      restartPostUri: fill(urls.restartPostUri),
      suspendPostUri: fill(urls.suspendPostUri),
      resumePostUri: fill(urls.resumePostUri),
    };
  }

  // ---- the app's HTTP triggers ------------------------------------------------------------

  private routes(): HttpRoute[] {
    const routes: HttpRoute[] = [];
    for (const registration of registry.values()) {
      const trigger = Object.values(registration.metadata.bindings).find((b) => b.type === "httpTrigger");
      if (!trigger) continue;
      routes.push({
        registration,
        trigger,
        segments: String(trigger.route ?? registration.metadata.name)
          .split("/")
          .filter(Boolean),
        methods: (trigger.methods ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).map((m) =>
          m.toUpperCase(),
        ),
        authLevel: trigger.authLevel ?? "anonymous",
      });
    }
    // Literal segments win over parameters, as in ASP.NET routing.
    return routes.sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
  }

  private async trigger(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.slice("/api/".length).split("/").filter(Boolean).map(decodeURIComponent);
    const matches = this.routes()
      .map((route) => ({ route, params: matchRoute(route.segments, path) }))
      .filter((m): m is { route: HttpRoute; params: Record<string, string> } => m.params !== undefined);
    const match = matches.find((m) => m.route.methods.includes(method));
    if (!match)
      return send(res, matches.length ? 405 : 404, {
        error: matches.length ? `method ${method} not allowed` : `no function serves /api/${path.join("/")}`,
      });

    const { route, params } = match;
    // App Service Authentication runs before the Functions host: it answers a bad token itself.
    const forApp = this.appServiceAuth.headersForApp(req);
    if ("invalid" in forApp)
      return send(res, 401, { error: forApp.invalid }, { "www-authenticate": 'Bearer error="invalid_token"' });
    this.httpInvocations++;
    if (route.authLevel !== "anonymous") {
      const key = url.searchParams.get("code") ?? header(req, "x-functions-key");
      const accepted = route.authLevel === "admin" ? [this.masterKey] : [this.functionKey, this.masterKey];
      if (!keyMatches(key, accepted)) return send(res, 401, "");
    }

    const context = this.invocationContext(route.registration, route.trigger);
    const request = new HttpRequest({
      method,
      url: url.href,
      headers: forApp.headers,
      query: Object.fromEntries(url.searchParams.entries()),
      params,
      // The bytes as they came: the Node worker declares the RawHttpBodyBytes capability (azure-functions-nodejs-worker,
      // src/eventHandlers/WorkerInitHandler.ts), so the host sends it the raw body (azure-functions-host,
      // RpcMessageConversionExtensions.cs); the function decodes them once, when it reads the body.
      body: body.length > 0 ? { bytes: body } : undefined,
    });
    const result = (await route.registration.callback(request, context)) as HttpResponse | HttpResponseInit | undefined;
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, key) => (out[key] = value));
    const cookies = response.cookies.map(serializeCookie);
    if (cookies.length) out["set-cookie"] = cookies;
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status ?? 200, out);
    res.end(payload);
  }
}

function statusOf(
  record: InstanceRecord,
  opts: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean },
) {
  return {
    name: record.name,
    instanceId: record.instanceId,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
    input: opts.showInput === false ? null : (record.input ?? null),
    output: record.status === "Failed" ? (record.failure?.message ?? null) : (record.output ?? null),
    runtimeStatus: record.status,
    customStatus: record.customStatus ?? null,
    ...(opts.showHistory
      ? {
          history: record.history.map((e) => ({
            EventType: EventTypeName[e.EventType],
            EventId: e.EventId,
            Timestamp: e.Timestamp,
            ...(e.Name ? { Name: e.Name } : {}),
            ...(e.FireAt ? { FireAt: e.FireAt } : {}),
            ...(opts.showHistoryOutput && e.Result !== undefined ? { Result: e.Result } : {}),
          })),
        }
      : {}),
  };
}

function literalCount(segments: string[]): number {
  return segments.filter((s) => !s.startsWith("{")).length;
}

/** ASP.NET-style templates: literal segments, {name}, {name?}, {name:constraint}, {*rest}. */
export function matchRoute(template: string[], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const seg = template[i];
    const param = /^\{(\*)?([A-Za-z_][\w]*)(?::([a-z]+))?(\?)?\}$/.exec(seg);
    if (!param) {
      if (path[i]?.toLowerCase() !== seg.toLowerCase()) return undefined;
      continue;
    }
    const [, catchAll, name, constraint, optional] = param;
    if (catchAll) {
      params[name] = path.slice(i).join("/");
      return params;
    }
    if (path[i] === undefined) {
      if (optional) continue;
      return undefined;
    }
    if (constraint === "guid" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(path[i]))
      return undefined;
    if (constraint === "int" && !/^-?\d+$/.test(path[i])) return undefined;
    params[name] = path[i];
  }
  return path.length <= template.length ? params : undefined;
}

function keyMatches(candidate: string | null | undefined, accepted: string[]): boolean {
  if (!candidate) return false;
  const c = Buffer.from(candidate);
  return accepted.some((key) => {
    const k = Buffer.from(key);
    return k.length === c.length && timingSafeEqual(k, c);
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    ...headers,
  });
  res.end(text);
}

function serializeCookie(cookie: {
  name: string;
  value: string;
  path?: string;
  sameSite?: string;
  httpOnly?: boolean;
  secure?: boolean;
  maxAge?: number;
  expires?: Date | number;
  domain?: string;
}): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.secure) parts.push("Secure");
  return parts.join("; ");
}

/**
 * The durableClient binding's JSON as the extension writes it (Bindings/BindingHelper.cs): webhook URLs under
 * `webhookBase` (with the system key where one is required) and the RPC base URL the client calls.
 */
export function durableClientBinding(options: {
  webhookBase: string;
  taskHub: string;
  systemKey?: string;
  rpcBaseUrl: string;
}): OrchestrationClientData {
  const { webhookBase: base, taskHub, systemKey, rpcBaseUrl } = options;
  const code = systemKey ? `code=${systemKey}` : "";
  const q = `taskHub=${taskHub}&connection=Storage${code ? `&${code}` : ""}`;
  const instance = `${base}instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]${code ? `?${code}` : ""}`,
      createAndWaitOnNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}${code ? `&${code}` : ""}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instance}?${q}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${instance}?${q}`,
      restartPostUri: `${instance}/restart?${q}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
      resumePostUri: `${instance}/resume?reason={text}&${q}`,
    },
    baseUrl: base.slice(0, -1),
    requiredQueryStringParameters: code,
    rpcBaseUrl,
  };
}
