/**
 * The production store: Azure Table Storage via @azure/data-tables, from a connection string (Azurite,
 * local runs) or a table endpoint plus a TokenCredential (managed identity in Azure).
 */
import type { RequestCounter } from "../requestCounter";
import { AzureEntityTables, type TableStoreConnection } from "./azureEntityTables";
import { EntityMigrationStore, type EntityStoreOptions } from "./entityStore";

export type { TableStoreConnection } from "./azureEntityTables";

export interface TableStoreOptions extends EntityStoreOptions {
  /** Counts requests by kind ("table.get", "table.transaction", …) for benchmarks. */
  requestCounter?: RequestCounter;
}

export class TableMigrationStore extends EntityMigrationStore {
  constructor(connection: TableStoreConnection, options: TableStoreOptions = {}) {
    super(new AzureEntityTables(connection, options.requestCounter), options);
  }
}
