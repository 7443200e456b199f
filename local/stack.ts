/**
 * The whole app against local stand-ins: the Graph and Peig simulators seeded with one tenant, the
 * app's real adapters pointed at them, a store (memory or Azurite), and the app registered on these
 * services for this process. Scenario tests and the demo both start from here; only the durable host and the
 * clock differ.
 */
import type { Clock } from "../shared/clock";
import { loadSettings, type Settings } from "../shared/config";
import { GraphEntra } from "../shared/entra/graphEntra";
import { createSimulatorCredential, createSimulatorGraphClient } from "../shared/graph/client";
import { parseGraphCloud } from "../shared/graph/cloud";
import { GraphMail } from "../shared/mail/graphMail";
import { PeigApiClient } from "../shared/peig/apiClient";
import { RequestCounter } from "../shared/requestCounter";
import type { RetryPolicy } from "../shared/retry";
import { registerApp } from "../functions/registerApp";
import { invocationLog, stopInvocationLogging, type MigrationLog } from "../shared/migrationLog";
import { useServices, type Services } from "../shared/services";
import { MemoryMigrationStore, TableMigrationStore, type MigrationStore } from "../shared/store";
import { LOCAL_STAFF } from "./fixtures/staff";
import { generateTenant, type Tenant, type TenantOptions, type TenantUser } from "./fixtures/tenant";
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from "./graph-simulator";
import { resetRegistry } from "./host/fakeCore";
import { startPeigSimulator, type PeigSimulatorHandle } from "./peig-simulator";

export const MAIL_SENDER = "peig-migration@contoso.com";

export interface LocalStackOptions {
  clock: Clock;
  tenant?: TenantOptions;
  peigMode?: "api" | "operator";
  /** Table Storage connection (Azurite); omitted = an in-memory store. */
  storageConnection?: string;
  tablePrefix?: string;
  faults?: { throttleRate?: number; serverErrorRate?: number; seed?: number };
  /** The app's public base URL (the local host's), used in e-mailed links. */
  publicBaseUrl: string;
  onboardingWindowMs?: number;
  retryPolicy?: RetryPolicy;
  settings?: Partial<Record<string, string>>;
  /** Users whose onboarding sign-in to the migration app is non-interactive (single sign-on from an Entra-joined PC). */
  nonInteractiveSignIn?: (user: TenantUser) => boolean;
  /** More Graph simulator options (tenant policies, licences, granted permissions). */
  graph?: Partial<Omit<GraphSimulatorOptions, "clock" | "tenant">>;
  /** Sender mailboxes (MAIL_SENDERS); default the one MAIL_SENDER. */
  mailSenders?: string[];
  /** Peig's [SERVER] (host[:port]); default pap01.<tenant domain>, a verified domain of the tenant. */
  peigServer?: string;
  /**
   * The app's log lines written outside an activity (the HTTP functions': the local host runs no pre-invocation
   * hook); an activity's go to its invocation's logger, the durable host's `log`. Default: dropped.
   */
  log?: MigrationLog;
}

export interface LocalStack {
  tenant: Tenant;
  graph: GraphSimulator;
  peig: PeigSimulatorHandle;
  services: Services;
  store: MigrationStore;
  settings: Settings;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const tenant = generateTenant({ users: 200, seed: 7, ...options.tenant });
  const lazy: { peig?: PeigSimulatorHandle } = {};
  const senders = options.mailSenders ?? [MAIL_SENDER];
  const graph = await startGraphSimulator({
    clock: options.clock,
    tenant,
    // The staff (admins, approvers) have mailboxes too: the app reads approvers' automatic replies.
    mailboxes: [...senders, ...LOCAL_STAFF.map((p) => p.userPrincipalName)],
    faults: options.faults,
    // Peig lets users onboard lazily, when asked; in operator mode only Graph is asked (the sign-in
    // log), so each Graph request first lets Peig's users catch up with the clock.
    beforeRequest: () => lazy.peig?.state.advance(),
    // The simulated Graph is the cloud the app is configured for (GRAPH_CLOUD).
    cloud: parseGraphCloud(options.settings?.GRAPH_CLOUD),
    ...options.graph,
  });
  const peig = (lazy.peig = await startPeigSimulator({
    clock: options.clock,
    tenant,
    server: options.peigServer,
    onboardingWindowMs: options.onboardingWindowMs,
    faults: options.faults,
    // A user onboarding through Peig signs in to the Entra migration app: that lands in Entra's sign-in log.
    onMigrationSignIn: (user, applicationId) =>
      void graph.recordSignIn(user.id, applicationId, 0, { interactive: !options.nonInteractiveSignIn?.(user) }),
  }));
  const peigMode = options.peigMode ?? "api";
  const settings = loadSettings({
    MIGRATION_STORAGE_CONNECTION: options.storageConnection ?? "memory",
    MIGRATION_TABLE_PREFIX: options.tablePrefix ?? "Local",
    MAIL_SENDERS: senders.join(","),
    PEIG_MODE: peigMode,
    PEIG_API_BASE_URL: peigMode === "api" ? peig.baseUrl : undefined,
    PEIG_API_KEY: peigMode === "api" ? peig.apiKey : undefined,
    PUBLIC_BASE_URL: options.publicBaseUrl,
    GRAPH_BASE_URL: graph.baseUrl,
    // The local host stands in for App Service Authentication (local/host/appServiceAuth.ts), as Azure sets this.
    WEBSITE_AUTH_ENABLED: "true",
    ...options.settings,
  });
  const counters = { graph: new RequestCounter(), peig: new RequestCounter(), store: new RequestCounter() };
  const log = invocationLog(options.log ?? (() => {}));
  const store: MigrationStore = options.storageConnection
    ? new TableMigrationStore(
        { connectionString: options.storageConnection },
        { tablePrefix: settings.MIGRATION_TABLE_PREFIX, clock: options.clock, requestCounter: counters.store, log },
      )
    : new MemoryMigrationStore({
        tablePrefix: settings.MIGRATION_TABLE_PREFIX,
        clock: options.clock,
        requestCounter: counters.store,
        log,
      });
  const client = createSimulatorGraphClient(graph.baseUrl);
  const deps = { client, clock: options.clock, counter: counters.graph, retryPolicy: options.retryPolicy };
  const services: Services = {
    settings,
    clock: options.clock,
    store,
    entra: new GraphEntra({
      ...deps,
      cloud: settings.GRAPH_CLOUD,
      credential: createSimulatorCredential(graph.baseUrl),
    }),
    mail: new GraphMail({
      ...deps,
      senders: settings.MAIL_SENDERS,
      recipientsPerMessage: settings.MAIL_RECIPIENTS_PER_MESSAGE,
    }),
    peig:
      peigMode === "api"
        ? new PeigApiClient({
            baseUrl: peig.baseUrl,
            apiKey: peig.apiKey,
            clock: options.clock,
            counter: counters.peig,
            retryPolicy: options.retryPolicy,
          })
        : undefined,
    peigConsoleUrl: peigMode === "operator" ? peig.consoleUrl : undefined,
    counters,
  };
  // The app is registered once per process, as the Functions host does it: on this stack's services, in place
  // of the previous stack's (installCoreShim, or jest's moduleNameMapper, must be in place before).
  resetRegistry();
  registerApp(services);
  return {
    tenant,
    graph,
    peig,
    services,
    store,
    settings,
    stop: async () => {
      useServices(undefined);
      stopInvocationLogging();
      await Promise.all([graph.stop(), peig.stop()]);
    },
  };
}
