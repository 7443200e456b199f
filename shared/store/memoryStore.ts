/**
 * The in-process store for unit tests and the local host: the same domain logic as TableMigrationStore
 * over an in-memory table account that keeps Table Storage's ETag, conflict, ordering and size rules.
 */
import type { RequestCounter } from "../requestCounter";
import { EntityMigrationStore, type EntityStoreOptions } from "./entityStore";
import { MemoryEntityTables } from "./memoryEntityTables";

export { MemoryEntityTables } from "./memoryEntityTables";

export interface MemoryStoreOptions extends EntityStoreOptions {
  /** Share one account between stores to model several processes; default: a fresh account. */
  tables?: MemoryEntityTables;
  /** Used only when `tables` is not given. */
  requestCounter?: RequestCounter;
}

export class MemoryMigrationStore extends EntityMigrationStore {
  constructor(options: MemoryStoreOptions = {}) {
    super(options.tables ?? new MemoryEntityTables(options.requestCounter), options);
  }
}
