export * from "./port";
export * from "./errors";
export { TableMigrationStore, type TableStoreConnection, type TableStoreOptions } from "./tableStore";
export { MemoryMigrationStore, MemoryEntityTables, type MemoryStoreOptions } from "./memoryStore";
