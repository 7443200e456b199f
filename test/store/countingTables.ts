/** Wraps a table account to count, per table, the rows each call hands back: what a request really reads. */
import type {
  Continuation,
  EntityPage,
  EntityQuery,
  EntityTable,
  EntityTables,
  StoredEntity,
} from "../../shared/store/entityTable";

export class RowCountingTables implements EntityTables {
  /** Table name → rows read since the last reset. */
  readonly rowsRead = new Map<string, number>();

  constructor(private readonly inner: EntityTables) {}

  reset(): void {
    this.rowsRead.clear();
  }

  /** Rows read from tables whose name ends with `suffix` (e.g. "Users"). */
  read(suffix: string): number {
    return [...this.rowsRead].filter(([name]) => name.endsWith(suffix)).reduce((n, [, rows]) => n + rows, 0);
  }

  table(name: string): EntityTable {
    const table = this.inner.table(name);
    const count = (rows: number) => this.rowsRead.set(name, (this.rowsRead.get(name) ?? 0) + rows);
    return {
      get: async (partitionKey, rowKey) => {
        const entity = await table.get(partitionKey, rowKey);
        count(entity ? 1 : 0);
        return entity;
      },
      insert: (entity) => table.insert(entity),
      replace: (entity, etag) => table.replace(entity, etag),
      delete: (partitionKey, rowKey, etag) => table.delete(partitionKey, rowKey, etag),
      upsertInTransaction: (operations) => table.upsertInTransaction(operations),
      query: (query: EntityQuery) => ({
        async *[Symbol.asyncIterator](): AsyncIterator<StoredEntity> {
          for await (const entity of table.query(query)) {
            count(1);
            yield entity;
          }
        },
      }),
      queryPage: async (query: EntityQuery, top: number, continuation?: Continuation): Promise<EntityPage> => {
        const page = await table.queryPage(query, top, continuation);
        count(page.entities.length);
        return page;
      },
    };
  }
}
