/**
 * The memory table account must behave like the real service where the store relies on it: these
 * checks run against both backends (Azurite standing in for Azure Table Storage).
 */
import { randomBytes } from "node:crypto";
import { AzureEntityTables } from "../../shared/store/azureEntityTables";
import type { EntityTable, EntityTables } from "../../shared/store/entityTable";
import { ConflictError, NotFoundError, PreconditionFailedError } from "../../shared/store/errors";
import { MemoryEntityTables } from "../../shared/store/memoryEntityTables";

const backends: { name: string; create(): EntityTables }[] = [
  {
    name: "Azurite",
    create: () => new AzureEntityTables({ connectionString: process.env.TEST_STORAGE_CONNECTION ?? "" }),
  },
  { name: "memory", create: () => new MemoryEntityTables() },
];

describe.each(backends)("entity tables: $name", (backend) => {
  let table: EntityTable;
  beforeEach(() => {
    table = backend.create().table(`e${randomBytes(6).toString("hex")}`);
  });

  const entity = (rowKey: string, properties: Record<string, string | number | boolean> = { v: 1 }) => ({
    partitionKey: "p",
    rowKey,
    properties,
  });

  it("creates the table on first use, even for two callers at once", async () => {
    await Promise.all([table.get("p", "a"), table.get("p", "b")]);
    await expect(table.insert(entity("a"))).resolves.toEqual(expect.any(String));
  });

  it("refuses a duplicate insert with ConflictError", async () => {
    await table.insert(entity("a"));
    await expect(table.insert(entity("a"))).rejects.toBeInstanceOf(ConflictError);
  });

  it("never inserts on replace, even with the wildcard etag", async () => {
    await expect(table.replace(entity("a"), "*")).rejects.toBeInstanceOf(NotFoundError);
    await expect(table.get("p", "a")).resolves.toBeUndefined();
  });

  it("replaces only the version named by the etag, and issues a new etag per write", async () => {
    const first = await table.insert(entity("a"));
    const second = await table.replace(entity("a", { v: 2 }), first);
    expect(second).not.toBe(first);
    await expect(table.replace(entity("a", { v: 3 }), first)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(table.delete("p", "a", first)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(table.get("p", "a")).resolves.toEqual({ ...entity("a", { v: 2 }), etag: second });
  });

  it("returns entities ordered by partition and row key, with row-key ranges and property filters", async () => {
    await table.upsertInTransaction(
      ["c", "a", "b"].map((rowKey) => ({
        entity: entity(rowKey, { kind: rowKey === "b" ? "odd" : "even" }),
        mode: "replace" as const,
      })),
    );
    await table.insert({ partitionKey: "o", rowKey: "z", properties: { kind: "even" } });
    const keys = async (query: Parameters<EntityTable["query"]>[0]) => {
      const found: string[] = [];
      for await (const e of table.query(query)) found.push(`${e.partitionKey}/${e.rowKey}`);
      return found;
    };
    await expect(keys({ pageSize: 2 })).resolves.toEqual(["o/z", "p/a", "p/b", "p/c"]);
    await expect(keys({ partitionKey: "p", rowKeyAfter: "a", rowKeyBefore: "c" })).resolves.toEqual(["p/b"]);
    await expect(keys({ equals: { kind: "even" } })).resolves.toEqual(["o/z", "p/a", "p/c"]);
  });

  it("answers a filter in a partition with the rows as they are now, after inserts, merges, replaces and deletes that change the filtered value", async () => {
    const kinds = async (kind: string) => {
      const found: string[] = [];
      let continuation: Parameters<EntityTable["queryPage"]>[2];
      do {
        const page = await table.queryPage({ partitionKey: "p", equals: { kind } }, 1, continuation);
        found.push(...page.entities.map((e) => e.rowKey));
        continuation = page.continuation;
      } while (continuation);
      return found;
    };
    await table.upsertInTransaction(
      ["d", "b", "a", "c"].map((rowKey) => ({
        entity: entity(rowKey, { kind: "new", n: 1 }),
        mode: "replace" as const,
      })),
    );
    await table.insert({ partitionKey: "q", rowKey: "a", properties: { kind: "new" } });
    await expect(kinds("new")).resolves.toEqual(["a", "b", "c", "d"]);
    await table.upsertInTransaction([
      { entity: entity("b", { kind: "done" }), mode: "merge" },
      { entity: entity("c", { n: 2 }), mode: "replace" },
      { entity: entity("e", { kind: "new" }), mode: "merge" },
    ]);
    const a = await table.get("p", "a");
    await table.replace(entity("a", { kind: "done", n: 3 }), a!.etag);
    const d = await table.get("p", "d");
    await table.delete("p", "d", d!.etag);
    await expect(kinds("new")).resolves.toEqual(["e"]);
    await expect(kinds("done")).resolves.toEqual(["a", "b"]);
    await expect(table.queryPage({ partitionKey: "p", equals: { kind: "done", n: "3" } }, 10)).resolves.toEqual({
      entities: [],
    });
  });

  it("merges or replaces existing rows in a transaction", async () => {
    await table.insert(entity("a", { x: 1, y: 1 }));
    await table.insert(entity("b", { x: 1, y: 1 }));
    await table.upsertInTransaction([
      { entity: entity("a", { y: 2 }), mode: "merge" },
      { entity: entity("b", { y: 2 }), mode: "replace" },
    ]);
    await expect(table.get("p", "a")).resolves.toMatchObject({ properties: { x: 1, y: 2 } });
    await expect(table.get("p", "b")).resolves.toMatchObject({ properties: { y: 2 } });
  });

  it("rejects a transaction over 100 operations and applies none of it", async () => {
    const operations = Array.from({ length: 101 }, (_, n) => ({ entity: entity(`r${n}`), mode: "replace" as const }));
    await expect(table.upsertInTransaction(operations)).rejects.toThrow();
    await expect(table.get("p", "r0")).resolves.toBeUndefined();
  });

  it("rejects a transaction that names one row twice", async () => {
    await expect(
      table.upsertInTransaction([
        { entity: entity("a"), mode: "replace" },
        { entity: entity("a"), mode: "merge" },
      ]),
    ).rejects.toThrow();
    await expect(table.get("p", "a")).resolves.toBeUndefined();
  });

  it("rejects a string property over 64 KiB (32 Ki UTF-16 code units)", async () => {
    await expect(table.insert(entity("ok", { data: "x".repeat(32 * 1024) }))).resolves.toEqual(expect.any(String));
    await expect(table.insert(entity("big", { data: "x".repeat(32 * 1024 + 1) }))).rejects.toThrow();
  });
});
