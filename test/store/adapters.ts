/** The two store adapters the contract tests run against, plus raw table access for white-box checks. */
import { randomBytes } from "node:crypto";
import { sampleStartRequest } from "../../local/fixtures/startRequest";
import type { Clock } from "../../shared/clock";
import type { MigrationRuntime } from "../../shared/migrationRuntime";
import { defaultTimings } from "../../shared/domain/waits";
import type { RequestCounter } from "../../shared/requestCounter";
import { AzureEntityTables } from "../../shared/store/azureEntityTables";
import type { EntityTables } from "../../shared/store/entityTable";
import { MemoryEntityTables, MemoryMigrationStore } from "../../shared/store/memoryStore";
import type { MigrationStore } from "../../shared/store/port";
import { TableMigrationStore } from "../../shared/store/tableStore";

export interface StoreOptions {
  tablePrefix: string;
  clock?: Clock;
  requestCounter?: RequestCounter;
}

export interface StoreAdapter {
  name: string;
  createStore(options: StoreOptions): MigrationStore;
  /** The table account behind the stores (shared by every store this adapter creates). */
  rawTables(): EntityTables;
}

function azuriteConnection(): string {
  const connectionString = process.env.TEST_STORAGE_CONNECTION;
  if (!connectionString)
    throw new Error("TEST_STORAGE_CONNECTION is not set: run the tests through jest (its globalSetup starts Azurite)");
  return connectionString;
}

export function storeAdapters(): StoreAdapter[] {
  const memoryAccount = new MemoryEntityTables();
  return [
    {
      name: "TableMigrationStore on Azurite",
      createStore: ({ requestCounter, ...options }) =>
        new TableMigrationStore({ connectionString: azuriteConnection() }, { ...options, requestCounter }),
      rawTables: () => new AzureEntityTables({ connectionString: azuriteConnection() }),
    },
    {
      name: "MemoryMigrationStore",
      // A counted store gets its own account view so that counts are its own.
      createStore: ({ requestCounter, ...options }) =>
        new MemoryMigrationStore(
          requestCounter ? { ...options, requestCounter } : { ...options, tables: memoryAccount },
        ),
      rawTables: () => memoryAccount,
    },
  ];
}

/** A migration row's runtime as a start writes it (the store checks its shape). */
export function sampleRuntime(overrides: Partial<MigrationRuntime> = {}): MigrationRuntime {
  return {
    request: sampleStartRequest(),
    peigMode: "api",
    taskLinkTtlMs: 86_400_000,
    timings: defaultTimings,
    commands: {},
    sent: [],
    ...overrides,
  };
}

/** A fresh table-name prefix, so tests and parallel runs never share tables. */
export function uniquePrefix(): string {
  return `t${randomBytes(6).toString("hex")}`;
}
