/**
 * In-process stand-in for an Azure Table Storage account: ETags on every write, conditional
 * replace/delete, insert conflicts, key ordering, all-or-nothing transactions, and the service's limits
 * (tableLimits.ts) enforced so that code which passes here does not fail against the real service.
 * Every call yields to the event loop first, so concurrent callers interleave as they would over HTTP.
 */
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
import {
  MAX_CUSTOM_PROPERTIES,
  MAX_ENTITY_BYTES,
  MAX_PAGE_SIZE,
  MAX_STRING_CHARS,
  MAX_TRANSACTION_OPERATIONS,
  TABLE_NAME_PATTERN,
  isValidKey,
} from "./tableLimits";

interface Row {
  properties: Record<string, EntityValue>;
  /** Its number: the ETag string is made when read, so 100,000 user rows do not each keep one. */
  etag: number;
}

/** A request the real service would answer with 400 Bad Request. */
export class InvalidTableRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTableRequestError";
  }
}

/** Holds tables by name: share one instance between stores to model two processes on one account. */
export class MemoryEntityTables implements EntityTables {
  private readonly tables = new Map<string, MemoryEntityTable>();
  private etagSequence = 0;

  constructor(private readonly counter?: RequestCounter) {}

  table(name: string): EntityTable {
    if (!TABLE_NAME_PATTERN.test(name)) throw new InvalidTableRequestError(`invalid table name "${name}"`);
    let table = this.tables.get(name);
    if (!table) {
      table = new MemoryEntityTable(() => ++this.etagSequence, this.counter);
      this.tables.set(name, table);
    }
    return table;
  }
}

const etagOf = (row: Row) => `W/"${row.etag}"`;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type KeyedRow = Row & { partitionKey: string; rowKey: string };

/**
 * The index's scope for queries that name no partition (listing a migration's tasks across the Tasks table):
 * "#" is not allowed in a key (tableLimits.ts), so no partition has this key.
 */
const ACROSS_PARTITIONS = "#";

/** The rows of one partition (or of every partition) with one value of a property; in key order when read. */
interface Bucket {
  rows: Set<KeyedRow>;
  sorted?: KeyedRow[];
}

class MemoryEntityTable implements EntityTable {
  /** Partition key → row key → row (nested, not a joined key: no extra key string per row). */
  private readonly partitions = new Map<string, Map<string, KeyedRow>>();
  /**
   * The rows in key order, as the service keeps them: a query starts with a binary search and reads
   * only what it returns. Rebuilt only after a key is added or removed; writes update rows in place.
   */
  private sorted: KeyedRow[] | undefined;
  /**
   * Each partition's rows in row-key order, for queries that name a partition: adding a row re-sorts its
   * partition only, not the whole table (a store that takes an audit row between two reads of one migration
   * would otherwise sort every migration's rows for each read).
   */
  private readonly sortedPartitions = new Map<string, KeyedRow[]>();
  /**
   * Property → partition key (or ACROSS_PARTITIONS) → value → bucket, for each property an equality filter has
   * named, kept up to date by every write: a filtered query reads its matches, not the whole partition or table
   * (Phase 2 reads each batch's 50 rows of 100,000 by phase2Batch; a scan per batch would be quadratic).
   */
  private readonly indexes = new Map<string, Map<string, Map<EntityValue, Bucket>>>();

  constructor(
    private readonly nextEtag: () => number,
    private readonly counter?: RequestCounter,
  ) {}

  async get(partitionKey: string, rowKey: string): Promise<StoredEntity | undefined> {
    await this.request("table.get");
    const row = this.row(partitionKey, rowKey);
    return row && { partitionKey, rowKey, properties: { ...row.properties }, etag: etagOf(row) };
  }

  async insert(entity: Entity): Promise<string> {
    await this.request("table.insert");
    validateEntity(entity);
    if (this.row(entity.partitionKey, entity.rowKey)) throw new ConflictError("The specified entity already exists.");
    return this.write(entity);
  }

  async replace(entity: Entity, etag: string): Promise<string> {
    await this.request("table.replace");
    validateEntity(entity);
    this.checkCondition(entity.partitionKey, entity.rowKey, etag);
    return this.write(entity);
  }

  async delete(partitionKey: string, rowKey: string, etag: string): Promise<void> {
    await this.request("table.delete");
    this.checkCondition(partitionKey, rowKey, etag);
    const partition = this.partitions.get(partitionKey)!;
    const row = partition.get(rowKey)!;
    for (const [property, index] of this.indexes) this.unindex(index, row, row.properties[property]);
    partition.delete(rowKey);
    if (partition.size === 0) this.partitions.delete(partitionKey);
    this.keysChanged(partitionKey);
  }

  async *query(query: EntityQuery): AsyncIterable<StoredEntity> {
    const pageSize = Math.min(query.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    await this.request("table.query");
    let yielded = 0;
    for (const row of this.matching(query)) {
      if (yielded > 0 && yielded % pageSize === 0) await this.request("table.query");
      yielded++;
      yield stored(row);
    }
  }

  async queryPage(query: EntityQuery, top: number, continuation?: Continuation): Promise<EntityPage> {
    await this.request("table.query");
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE)
      throw new InvalidTableRequestError(`$top must be from 1 to ${MAX_PAGE_SIZE}, got ${top}`);
    const entities: StoredEntity[] = [];
    for (const row of this.matching(query, continuation)) {
      if (entities.length === top)
        return { entities, continuation: { nextPartitionKey: row.partitionKey, nextRowKey: row.rowKey } };
      entities.push(stored(row));
    }
    return { entities };
  }

  /** Matching rows in key order, from the first key the query (and continuation) allows; stops at the end of a queried partition. */
  private *matching(query: EntityQuery, continuation?: Continuation): Generator<KeyedRow> {
    const rows = this.bucketOf(query) ?? this.rowsInKeyOrder(query.partitionKey);
    let start = { partitionKey: query.partitionKey ?? "", rowKey: "", inclusive: true };
    if (query.rowKeyAfter !== undefined && query.partitionKey !== undefined)
      start = { partitionKey: query.partitionKey, rowKey: query.rowKeyAfter, inclusive: false };
    if (continuation && compare(continuation.nextPartitionKey, start.partitionKey) >= 0) {
      start = { partitionKey: continuation.nextPartitionKey, rowKey: continuation.nextRowKey ?? "", inclusive: true };
    }
    // The equality filters once per query, not an Object.entries array per row read (30,000 rows a pass at scale).
    const equals = Object.entries(query.equals ?? {});
    for (let i = firstAtOrAfter(rows, start); i < rows.length; i++) {
      const row = rows[i];
      if (query.partitionKey !== undefined && row.partitionKey !== query.partitionKey) return;
      if (matchesQuery(row, query, equals)) yield row;
    }
  }

  async upsertInTransaction(operations: readonly UpsertOperation[]): Promise<void> {
    await this.request("table.transaction");
    if (operations.length === 0) return;
    if (operations.length > MAX_TRANSACTION_OPERATIONS) {
      throw new InvalidTableRequestError(
        `a transaction holds at most ${MAX_TRANSACTION_OPERATIONS} operations, got ${operations.length}`,
      );
    }
    const partitionKey = operations[0].entity.partitionKey;
    const seen = new Set<string>();
    for (const { entity } of operations) {
      validateEntity(entity);
      if (entity.partitionKey !== partitionKey)
        throw new InvalidTableRequestError("all operations in a transaction must share one partition key");
      if (seen.has(entity.rowKey))
        throw new InvalidTableRequestError(`row "${entity.rowKey}" appears twice in one transaction`);
      seen.add(entity.rowKey);
    }
    // Validated up front, applied without awaiting: all or nothing.
    for (const { entity, mode } of operations) {
      const existing = this.row(entity.partitionKey, entity.rowKey);
      const properties =
        mode === "merge" && existing ? { ...existing.properties, ...entity.properties } : entity.properties;
      this.write({ ...entity, properties });
    }
  }

  private async request(kind: string): Promise<void> {
    this.counter?.count(kind);
    await yieldToEventLoop();
  }

  /** The rows of the queried partition (or of every partition) with the first filtered property's value, in key order; undefined when the query has no filter. */
  private bucketOf(query: EntityQuery): KeyedRow[] | undefined {
    const [filter] = Object.entries(query.equals ?? {});
    if (!filter) return undefined;
    const [property, value] = filter;
    let index = this.indexes.get(property);
    if (!index) {
      this.indexes.set(property, (index = new Map()));
      for (const partition of this.partitions.values())
        for (const row of partition.values()) this.reindex(index, row, undefined, row.properties[property]);
    }
    const bucket = index.get(query.partitionKey ?? ACROSS_PARTITIONS)?.get(value);
    if (!bucket) return [];
    return (bucket.sorted ??= [...bucket.rows].sort(byKey));
  }

  private reindex(
    index: Map<string, Map<EntityValue, Bucket>>,
    row: KeyedRow,
    from: EntityValue | undefined,
    to: EntityValue | undefined,
  ): void {
    if (from === to) return;
    this.unindex(index, row, from);
    if (to === undefined) return;
    for (const scope of [row.partitionKey, ACROSS_PARTITIONS]) {
      let values = index.get(scope);
      if (!values) index.set(scope, (values = new Map()));
      let bucket = values.get(to);
      if (!bucket) values.set(to, (bucket = { rows: new Set() }));
      bucket.rows.add(row);
      bucket.sorted = undefined;
    }
  }

  private unindex(index: Map<string, Map<EntityValue, Bucket>>, row: KeyedRow, value: EntityValue | undefined): void {
    if (value === undefined) return;
    for (const scope of [row.partitionKey, ACROSS_PARTITIONS]) {
      const bucket = index.get(scope)?.get(value);
      if (bucket?.rows.delete(row)) bucket.sorted = undefined;
    }
  }

  private row(partitionKey: string, rowKey: string): KeyedRow | undefined {
    return this.partitions.get(partitionKey)?.get(rowKey);
  }

  private checkCondition(partitionKey: string, rowKey: string, etag: string): void {
    const row = this.row(partitionKey, rowKey);
    if (!row) throw new NotFoundError("The specified resource does not exist.");
    if (etag !== "*" && etag !== etagOf(row))
      throw new PreconditionFailedError("The update condition specified in the request was not satisfied.");
  }

  private write(entity: Entity): string {
    const etag = this.nextEtag();
    const existing = this.row(entity.partitionKey, entity.rowKey);
    if (existing) {
      for (const [property, index] of this.indexes)
        this.reindex(index, existing, existing.properties[property], entity.properties[property]);
      existing.properties = { ...entity.properties };
      existing.etag = etag;
      return etagOf(existing);
    }
    const row = {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      properties: { ...entity.properties },
      etag,
    };
    let partition = this.partitions.get(entity.partitionKey);
    if (!partition) this.partitions.set(entity.partitionKey, (partition = new Map()));
    partition.set(entity.rowKey, row);
    for (const [property, index] of this.indexes) this.reindex(index, row, undefined, row.properties[property]);
    this.keysChanged(entity.partitionKey);
    return etagOf(row);
  }

  /** The rows of one partition, or (undefined) of the whole table, in key order. */
  private rowsInKeyOrder(partitionKey: string | undefined): readonly KeyedRow[] {
    if (partitionKey === undefined)
      return (this.sorted ??= [...this.partitions.values()]
        .flatMap((partition) => [...partition.values()])
        .sort(byKey));
    let rows = this.sortedPartitions.get(partitionKey);
    if (!rows) {
      rows = [...(this.partitions.get(partitionKey)?.values() ?? [])].sort((a, b) => compare(a.rowKey, b.rowKey));
      this.sortedPartitions.set(partitionKey, rows);
    }
    return rows;
  }

  /** A key was added to or removed from the partition: its key order, and the table's, are read anew. */
  private keysChanged(partitionKey: string): void {
    this.sorted = undefined;
    this.sortedPartitions.delete(partitionKey);
  }
}

function stored(row: KeyedRow): StoredEntity {
  return { partitionKey: row.partitionKey, rowKey: row.rowKey, properties: { ...row.properties }, etag: etagOf(row) };
}

/** Index of the first row at (inclusive) or after the given keys. */
function firstAtOrAfter(
  rows: readonly KeyedRow[],
  start: { partitionKey: string; rowKey: string; inclusive: boolean },
): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compare(rows[middle].partitionKey, start.partitionKey) || compare(rows[middle].rowKey, start.rowKey);
    if (order < 0 || (order === 0 && !start.inclusive)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Table order: by partition key, then row key. */
function byKey(a: KeyedRow, b: KeyedRow): number {
  return compare(a.partitionKey, b.partitionKey) || compare(a.rowKey, b.rowKey);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchesQuery(row: Entity, query: EntityQuery, equals: readonly [string, EntityValue][]): boolean {
  if (query.partitionKey !== undefined && row.partitionKey !== query.partitionKey) return false;
  if (query.rowKeyAfter !== undefined && !(row.rowKey > query.rowKeyAfter)) return false;
  if (query.rowKeyBefore !== undefined && !(row.rowKey < query.rowKeyBefore)) return false;
  return equals.every(([name, value]) => row.properties[name] === value);
}

function validateEntity(entity: Entity): void {
  if (!isValidKey(entity.partitionKey) || !isValidKey(entity.rowKey)) {
    throw new InvalidTableRequestError(`invalid key (${entity.partitionKey} / ${entity.rowKey})`);
  }
  const entries = Object.entries(entity.properties);
  if (entries.length > MAX_CUSTOM_PROPERTIES)
    throw new InvalidTableRequestError(`an entity has at most ${MAX_CUSTOM_PROPERTIES} properties`);
  // Size as the service counts it: UTF-16 for names and strings, 8 bytes for numbers.
  let bytes = 4 + 2 * (entity.partitionKey.length + entity.rowKey.length);
  for (const [name, value] of entries) {
    if (typeof value === "string" && value.length > MAX_STRING_CHARS) {
      throw new InvalidTableRequestError(`property "${name}" exceeds 64 KiB (${value.length} UTF-16 code units)`);
    }
    bytes +=
      8 + 2 * name.length + (typeof value === "string" ? 4 + 2 * value.length : typeof value === "number" ? 8 : 1);
  }
  if (bytes > MAX_ENTITY_BYTES) throw new InvalidTableRequestError(`entity exceeds 1 MiB (${bytes} bytes)`);
}
