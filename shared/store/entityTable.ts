/**
 * The slice of Azure Table Storage the store needs, as a small interface with two backends:
 * `azureEntityTables.ts` (the real service via @azure/data-tables) and `memoryEntityTables.ts`
 * (an in-process stand-in that enforces the same limits). The domain logic in `entityStore.ts` is
 * written once over this interface, so both adapters share semantics by construction.
 */

/** Property values we store: strings (ISO dates and JSON included), numbers, booleans. */
export type EntityValue = string | number | boolean;

export interface Entity {
  partitionKey: string;
  rowKey: string;
  properties: Record<string, EntityValue>;
}

export interface StoredEntity extends Entity {
  etag: string;
}

/** Conjunction of conditions; results come back ordered by partition key, then row key. */
export interface EntityQuery {
  partitionKey?: string;
  /** Row key strictly greater than this. */
  rowKeyAfter?: string;
  /** Row key strictly less than this. */
  rowKeyBefore?: string;
  /** String property equality conditions. */
  equals?: Record<string, string>;
  /** Entities per request (the service caps a page at 1,000). */
  pageSize?: number;
}

/**
 * Where a query continues: the keys of the next entity, as Table Storage returns them in its
 * x-ms-continuation-NextPartitionKey / NextRowKey headers
 * (https://learn.microsoft.com/en-us/rest/api/storageservices/query-timeout-and-pagination).
 */
export interface Continuation {
  nextPartitionKey: string;
  nextRowKey?: string;
}

/** One page: at most the requested number of entities; `continuation` when more may follow (a page may be short, even empty). */
export interface EntityPage {
  entities: StoredEntity[];
  continuation?: Continuation;
}

/** Insert-or-merge (only the given properties change) or insert-or-replace. */
export interface UpsertOperation {
  entity: Entity;
  mode: "merge" | "replace";
}

export interface EntityTable {
  get(partitionKey: string, rowKey: string): Promise<StoredEntity | undefined>;
  /** Returns the new ETag. ConflictError if the entity exists. */
  insert(entity: Entity): Promise<string>;
  /**
   * Replaces the whole entity if its ETag is still `etag` ("*" = any version). Returns the new ETag.
   * NotFoundError if absent, PreconditionFailedError on an ETag mismatch. Never inserts.
   */
  replace(entity: Entity, etag: string): Promise<string>;
  /** NotFoundError if absent, PreconditionFailedError on an ETag mismatch. */
  delete(partitionKey: string, rowKey: string, etag: string): Promise<void>;
  query(query: EntityQuery): AsyncIterable<StoredEntity>;
  /** One request: up to `top` (≤ 1,000) entities from `continuation` on. */
  queryPage(query: EntityQuery, top: number, continuation?: Continuation): Promise<EntityPage>;
  /** One entity-group transaction: all or nothing, one partition, ≤ 100 operations, each row once. */
  upsertInTransaction(operations: readonly UpsertOperation[]): Promise<void>;
}

export interface EntityTables {
  /** The table, created on first use. */
  table(name: string): EntityTable;
}
