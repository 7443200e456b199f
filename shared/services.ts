/**
 * The ports activities and HTTP functions use, built once at start-up and passed to `registerApp`
 * (functions/registerApp.ts): production builds the real adapters from validated settings (managed identity in
 * Azure); the local host and tests build their own (local/stack.ts: simulators, Azurite, a virtual clock).
 */
import { systemClock, type Clock } from "./clock";
import type { Settings } from "./config";
import type { EntraPort } from "./entra/port";
import { GraphEntra } from "./entra/graphEntra";
import { azureIdentity, createGraphClientFromSettings } from "./graph/client";
import type { MailPort } from "./mail/port";
import { GraphMail } from "./mail/graphMail";
import type { PeigPort } from "./peig/port";
import { PeigApiClient } from "./peig/apiClient";
import { invocationLog } from "./migrationLog";
import { RequestCounter } from "./requestCounter";
import { TableMigrationStore, type MigrationStore } from "./store";

export interface Services {
  settings: Settings;
  clock: Clock;
  store: MigrationStore;
  entra: EntraPort;
  mail: MailPort;
  /** Only in api mode: operator mode has no Peig API to call. */
  peig?: PeigPort;
  /** The local Peig simulator's console, which operator task pages link (the demo and tests; none in Azure). */
  peigConsoleUrl?: string;
  counters: { graph: RequestCounter; peig: RequestCounter; store: RequestCounter };
}

/** The services in api mode: Peig's admin API is there to call. */
export type ApiModeServices = Services & { peig: PeigPort };

let current: Services | undefined;

/** The services the HTTP functions run with: those the app was registered on. */
export function services(): Services {
  if (!current) throw new Error("the app is not registered: registerApp(services) gives the HTTP functions theirs");
  return current;
}

/** Gives the HTTP functions their services (registerApp); `undefined` when a local stack stops. */
export function useServices(next: Services | undefined): void {
  current = next;
}

export function productionServices(settings: Settings, env: NodeJS.ProcessEnv = process.env): Services {
  const clock = systemClock;
  const counters = { graph: new RequestCounter(), peig: new RequestCounter(), store: new RequestCounter() };
  const { client, cloud, credential: graphCredential } = createGraphClientFromSettings(settings, env);
  const { DefaultAzureCredential, ManagedIdentityCredential } = azureIdentity();
  const credential = settings.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: settings.AZURE_CLIENT_ID })
    : new DefaultAzureCredential();
  const store = new TableMigrationStore(
    settings.MIGRATION_STORAGE_CONNECTION !== undefined
      ? { connectionString: settings.MIGRATION_STORAGE_CONNECTION }
      : { endpoint: settings.MIGRATION_STORAGE_TABLE_ENDPOINT, credential },
    { tablePrefix: settings.MIGRATION_TABLE_PREFIX, clock, requestCounter: counters.store, log: invocationLog() },
  );
  return {
    settings,
    clock,
    store,
    entra: new GraphEntra({ client, clock, counter: counters.graph, cloud, credential: graphCredential }),
    mail: new GraphMail({
      client,
      clock,
      counter: counters.graph,
      senders: settings.MAIL_SENDERS,
      recipientsPerMessage: settings.MAIL_RECIPIENTS_PER_MESSAGE,
    }),
    peig:
      settings.PEIG_MODE === "api"
        ? new PeigApiClient({
            baseUrl: settings.PEIG_API_BASE_URL,
            apiKey: settings.PEIG_API_KEY,
            clock,
            counter: counters.peig,
          })
        : undefined,
    counters,
  };
}
