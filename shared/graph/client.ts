/**
 * Builds the Graph SDK client. The chain is the SDK default minus its RetryHandler
 * (it would also retry non-idempotent POSTs such as instantiate, src/middleware/RetryHandler.ts of
 * msgraph-sdk-javascript 3.0.7), so `withRetry`
 * in shared/retry.ts is the one retry layer.
 */
import type * as Identity from "@azure/identity";
import type { TokenCredential } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import type { Settings } from "../config";
import { graphClouds, type GraphCloud } from "./cloud";

let identity: typeof Identity | undefined;
/**
 * @azure/identity (MSAL inside), loaded when production first builds a credential: the local stack and the tests
 * never do, and loading it costs every process and test file that imports the Graph client about 0.15 s of CPU.
 */
export function azureIdentity(): typeof Identity {
  return (identity ??= require("@azure/identity") as typeof Identity);
}

/** Hosts the SDK already treats as Graph (it sends the bearer token only to these or to customHosts). */
const knownGraphHosts = new Set([
  "graph.microsoft.com",
  "graph.microsoft.us",
  "dod-graph.microsoft.us",
  "graph.microsoft.de",
  "microsoftgraph.chinacloudapi.cn",
  "canary.graph.microsoft.com",
]);

/**
 * Graph requests of one client in flight at once. The process shares one client, and a migration runs one
 * Graph-calling activity at a time (Phase 2's activities call only Peig), so a migration never has more than
 * this many Graph requests in flight on any number of instances (docs/architecture.md#limits-for-the-whole-app).
 * Four: Outlook's concurrent requests per mailbox (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits).
 */
export const GRAPH_MAX_CONCURRENT_REQUESTS = 4;

/** A middleware that holds a request until fewer than `limit` are in flight through it. */
export class ConcurrencyLimitHandler implements Middleware {
  private next?: Middleware;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async execute(context: Context): Promise<void> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    try {
      await this.next!.execute(context);
    } finally {
      // The slot passes straight to the next waiter, or is freed.
      const waiter = this.waiting.shift();
      if (waiter) waiter();
      else this.inFlight--;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function createGraphClient(options: { authProvider: AuthenticationProvider; baseUrl: string }): Client {
  const baseUrl = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  const url = new URL(baseUrl);
  // A non-Graph https host (a proxy or gateway) must be listed or the SDK strips the token (src/middleware/AuthenticationHandler.ts).
  const customHosts = url.protocol === "https:" && !knownGraphHosts.has(url.hostname) ? new Set([url.host]) : undefined;
  return Client.initWithMiddleware({
    baseUrl,
    customHosts,
    middleware: [
      new ConcurrencyLimitHandler(GRAPH_MAX_CONCURRENT_REQUESTS),
      new AuthenticationHandler(options.authProvider),
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ],
  });
}

/** For the local Graph simulator: over http:// the SDK never asks for a token, so none is fetched for requests. */
export function createSimulatorGraphClient(baseUrl: string): Client {
  return createGraphClient({ authProvider: { getAccessToken: async () => "simulator" }, baseUrl });
}

/**
 * The simulator's token endpoint as a credential, so the preflight reads the roles of a real-shaped token
 * (@azure/identity refuses an http:// authority, so its credentials cannot be pointed at the simulator).
 */
export function createSimulatorCredential(baseUrl: string): TokenCredential {
  return {
    async getToken() {
      const response = await fetch(new URL("simulated-tenant/oauth2/v2.0/token", baseUrl), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=simulator&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
      });
      if (!response.ok) throw new Error(`the simulator's token endpoint answered ${response.status}`);
      const body = (await response.json()) as { access_token: string; expires_in: number };
      return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
    },
  };
}

/** The ".default" scope of the cloud's Graph resource: an app-only token carrying the granted application permissions as roles. */
export function graphScope(cloud: GraphCloud): string {
  return `${new URL(graphClouds[cloud].graphBaseUrl).origin}/.default`;
}

/** The settings the Graph client is built from (validated in shared/config.ts). */
export type GraphClientSettings = Pick<Settings, "GRAPH_CLOUD" | "GRAPH_BASE_URL" | "AZURE_CLIENT_ID">;

export interface GraphSettings {
  cloud: GraphCloud;
  baseUrl: string;
}

/** GRAPH_CLOUD, and GRAPH_BASE_URL or else the cloud's Graph host. */
export function graphSettings(settings: Pick<Settings, "GRAPH_CLOUD" | "GRAPH_BASE_URL">): GraphSettings {
  return {
    cloud: settings.GRAPH_CLOUD,
    baseUrl: settings.GRAPH_BASE_URL?.trim() || graphClouds[settings.GRAPH_CLOUD].graphBaseUrl,
  };
}

/**
 * Managed identity inside Azure (the Functions host sets IDENTITY_ENDPOINT; AZURE_CLIENT_ID picks a
 * user-assigned identity), DefaultAzureCredential elsewhere (developer sign-in, environment variables).
 * `env` is where the process runs, which only the platform decides, not an app setting.
 */
function graphCredential(cloud: GraphCloud, clientId: string | undefined, env: NodeJS.ProcessEnv): TokenCredential {
  const hasSecretOrCertificate = Boolean(
    env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE,
  );
  const inManagedIdentityHost = Boolean(env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT);
  const { DefaultAzureCredential, ManagedIdentityCredential } = azureIdentity();
  if (inManagedIdentityHost && !hasSecretOrCertificate) {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential({
    authorityHost: graphClouds[cloud].authorityHost,
    managedIdentityClientId: clientId,
  });
}

export function createGraphClientFromSettings(
  settings: GraphClientSettings,
  env: NodeJS.ProcessEnv = process.env,
): { client: Client; cloud: GraphCloud; credential: TokenCredential } {
  const { cloud, baseUrl } = graphSettings(settings);
  const credential = graphCredential(cloud, settings.AZURE_CLIENT_ID?.trim() || undefined, env);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [graphScope(cloud)] });
  return { client: createGraphClient({ authProvider, baseUrl }), cloud, credential };
}
