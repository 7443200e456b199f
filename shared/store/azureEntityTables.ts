/**
 * EntityTables over Azure Table Storage with @azure/data-tables 13.3.2 (Azurite locally).
 * Tables are created on first use; the SDK's createTable ignores "TableAlreadyExists", so this is
 * idempotent and safe across processes. Transient failures are retried by the SDK's own pipeline.
 */
import type { TokenCredential } from "@azure/core-auth";
import type * as TablesSdk from "@azure/data-tables";
import type { TableClient, TableEntity, TableEntityResult, TransactionAction } from "@azure/data-tables";
import type { RequestCounter } from "../requestCounter";
import type {
  Continuation,
  Entity,
  EntityPage,
  EntityQuery,
  EntityTable,
  EntityTables,
  EntityValue,
  StoredEntity,
  UpsertOperation,
} from "./entityTable";
import { ConflictError, NotFoundError, PreconditionFailedError } from "./errors";
import { MAX_PAGE_SIZE } from "./tableLimits";

let sdk: typeof TablesSdk | undefined;
/**
 * The SDK, loaded when the first table is opened: a process (or test file) on the in-memory store never uses it,
 * and loading it costs about a tenth of a second of CPU.
 */
export function tablesSdk(): typeof TablesSdk {
  return (sdk ??= require("@azure/data-tables") as typeof TablesSdk);
}

/** A connection string (Azurite / local) or a table endpoint with a credential (managed identity in Azure). */
export type TableStoreConnection = { connectionString: string } | { endpoint: string; credential: TokenCredential };

export class AzureEntityTables implements EntityTables {
  private readonly tables = new Map<string, AzureEntityTable>();

  constructor(
    private readonly connection: TableStoreConnection,
    private readonly counter?: RequestCounter,
  ) {}

  table(name: string): EntityTable {
    let table = this.tables.get(name);
    if (!table) {
      table = new AzureEntityTable(this.client(name), this.counter);
      this.tables.set(name, table);
    }
    return table;
  }

  private client(tableName: string): TableClient {
    if ("connectionString" in this.connection) {
      // Azurite serves plain http on loopback; the SDK refuses http unless told otherwise.
      const allowInsecureConnection =
        /TableEndpoint=http:|DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(
          this.connection.connectionString,
        );
      return tablesSdk().TableClient.fromConnectionString(this.connection.connectionString, tableName, {
        allowInsecureConnection,
      });
    }
    const { TableClient } = tablesSdk();
    return new TableClient(this.connection.endpoint, tableName, this.connection.credential);
  }
}

class AzureEntityTable implements EntityTable {
  private created?: Promise<void>;

  constructor(
    private readonly client: TableClient,
    private readonly counter?: RequestCounter,
  ) {}

  async get(partitionKey: string, rowKey: string): Promise<StoredEntity | undefined> {
    await this.ensureTable();
    this.counter?.count("table.get");
    try {
      return toStored(await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async insert(entity: Entity): Promise<string> {
    await this.ensureTable();
    this.counter?.count("table.insert");
    const response = await mapErrors(() => this.client.createEntity(toTableEntity(entity)));
    return requireEtag(response.etag);
  }

  async replace(entity: Entity, etag: string): Promise<string> {
    await this.ensureTable();
    this.counter?.count("table.replace");
    // Always with an explicit If-Match: without an etag the SDK's update may insert or replace silently
    // (UpdateTableEntityOptions, @azure/data-tables 13.3.2).
    const response = await mapErrors(() => this.client.updateEntity(toTableEntity(entity), "Replace", { etag }));
    return requireEtag(response.etag);
  }

  async delete(partitionKey: string, rowKey: string, etag: string): Promise<void> {
    await this.ensureTable();
    this.counter?.count("table.delete");
    await mapErrors(() => this.client.deleteEntity(partitionKey, rowKey, { etag }));
  }

  async *query(query: EntityQuery): AsyncIterable<StoredEntity> {
    await this.ensureTable();
    const filter = toFilter(query);
    const pages = this.client
      .listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} })
      .byPage({ maxPageSize: Math.min(query.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE) });
    for (;;) {
      const page = await pages.next();
      // The iterator ends without a request once the service sends no continuation token.
      if (page.done) return;
      this.counter?.count("table.query");
      for (const entity of page.value) yield toStored(entity);
    }
  }

  async queryPage(query: EntityQuery, top: number, continuation?: Continuation): Promise<EntityPage> {
    await this.ensureTable();
    const filter = toFilter(query);
    this.counter?.count("table.query");
    // The SDK's continuation token is base64 of {"nextPartitionKey","nextRowKey"} (utils/continuationToken.js, @azure/data-tables 13.3.2).
    const continuationToken = continuation && Buffer.from(JSON.stringify(continuation)).toString("base64");
    const page = await this.client
      .listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} })
      .byPage({ maxPageSize: Math.min(top, MAX_PAGE_SIZE), continuationToken })
      .next();
    if (page.done) return { entities: [] };
    const next = page.value.continuationToken;
    return {
      entities: page.value.map(toStored),
      continuation: next ? (JSON.parse(Buffer.from(next, "base64").toString("utf8")) as Continuation) : undefined,
    };
  }

  async upsertInTransaction(operations: readonly UpsertOperation[]): Promise<void> {
    if (operations.length === 0) return;
    await this.ensureTable();
    this.counter?.count("table.transaction");
    const actions: TransactionAction[] = operations.map(({ entity, mode }) => [
      "upsert",
      toTableEntity(entity),
      mode === "merge" ? "Merge" : "Replace",
    ]);
    await mapErrors(() => this.client.submitTransaction(actions));
  }

  private ensureTable(): Promise<void> {
    if (!this.created) {
      this.counter?.count("table.create");
      this.created = this.client.createTable().catch((error: unknown) => {
        this.created = undefined;
        throw error;
      });
    }
    return this.created;
  }
}

function toTableEntity(entity: Entity): TableEntity<Record<string, EntityValue>> {
  return { ...entity.properties, partitionKey: entity.partitionKey, rowKey: entity.rowKey };
}

/** The SDK adds metadata next to the custom properties; keep only ours. */
const METADATA = new Set(["partitionKey", "rowKey", "etag", "timestamp"]);

function toStored(result: TableEntityResult<Record<string, unknown>>): StoredEntity {
  const properties: Record<string, EntityValue> = {};
  for (const [name, value] of Object.entries(result)) {
    if (METADATA.has(name) || name.startsWith("odata.")) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") properties[name] = value;
  }
  return {
    partitionKey: requireString(result.partitionKey),
    rowKey: requireString(result.rowKey),
    properties,
    etag: requireEtag(result.etag),
  };
}

function toFilter(query: EntityQuery): string | undefined {
  const { odata } = tablesSdk();
  const conditions: string[] = [];
  if (query.partitionKey !== undefined) conditions.push(odata`PartitionKey eq ${query.partitionKey}`);
  if (query.rowKeyAfter !== undefined) conditions.push(odata`RowKey gt ${query.rowKeyAfter}`);
  if (query.rowKeyBefore !== undefined) conditions.push(odata`RowKey lt ${query.rowKeyBefore}`);
  for (const [name, value] of Object.entries(query.equals ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid property name in filter: ${name}`);
    conditions.push(`${name} eq '${value.replace(/'/g, "''")}'`);
  }
  return conditions.length > 0 ? conditions.join(" and ") : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Maps the service's status codes to the store's typed errors. */
async function mapErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    switch (statusOf(error)) {
      case 404:
        throw new NotFoundError(message);
      case 409:
        throw new ConflictError(message);
      case 412:
        throw new PreconditionFailedError(message);
      default:
        throw error;
    }
  }
}

function requireString(value: unknown): string {
  if (typeof value !== "string") throw new Error("table entity without partition or row key");
  return value;
}

function requireEtag(etag: string | undefined): string {
  if (!etag) throw new Error("table service response without an ETag");
  return etag;
}
