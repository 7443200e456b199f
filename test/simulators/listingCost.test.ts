/**
 * A full listing through the simulators reads each item a bounded number of times: paging is by
 * index (a keyset or a position), not a scan of the whole collection per page, so listing 100,000
 * users costs 100 times listing 1,000, not 10,000 times.
 */
import { IdOrdered } from "../../local/peig-simulator/idOrdered";
import { pageOf } from "../../local/peig-simulator";
import { page, parseQuery, type Sequence } from "../../local/graph-simulator/odata";
import type { SimRequest } from "../../local/graph-simulator/http";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${String(i).padStart(6, "0")}`);

describe("Peig simulator keyset paging", () => {
  it("keeps ids in order whatever order they arrive in, and pages from just after a given id", () => {
    const list = new IdOrdered<string>();
    for (const id of ["c", "a", "d", "b"]) list.set(id, id.toUpperCase());
    list.set("a", "A2");
    expect([...list.values()]).toEqual(["A2", "B", "C", "D"]);
    expect([...list.after("b")]).toEqual(["C", "D"]);
    expect([...list.after("bb")]).toEqual(["C", "D"]);
    expect(list.size).toBe(4);
  });

  it("lists 20,000 items in pages of 500 reading each item at most twice", () => {
    const list = new IdOrdered<{ id: string }>();
    for (const id of ids(20_000)) list.set(id, { id });
    let reads = 0;
    const counted = function* (after: string) {
      for (const item of list.after(after)) {
        reads++;
        yield item;
      }
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: URLSearchParams = new URLSearchParams({ pageSize: "500", ...(cursor ? { cursor } : {}) });
      const result: { items: { id: string }[]; nextCursor: string | null } = pageOf(counted, query);
      seen.push(...result.items.map((i) => i.id));
      cursor = result.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids(20_000));
    // One look-ahead item per page: 20,000 + 39, where a scan per page would read ~400,000.
    expect(reads).toBeLessThanOrEqual(20_000 + 40);
  });
});

describe("Graph simulator OData paging", () => {
  const request = (query: Record<string, string>): SimRequest => ({
    method: "GET",
    version: "v1.0",
    path: "/users",
    query: new URLSearchParams(query),
    headers: {},
    body: undefined,
  });
  const rules = {
    typeName: "microsoft.graph.user",
    filterable: ["accountEnabled"],
    properties: ["id", "accountEnabled"],
    defaultProperties: ["id"],
    defaultTop: 100,
    maxTop: 999,
    advancedQueries: false,
  };

  it("lists a filtered collection of 30,000 in pages of 999 reading each item a bounded number of times", () => {
    const items = Array.from({ length: 30_000 }, (_, i) => ({ id: String(i), accountEnabled: i % 3 !== 0 }));
    let reads = 0;
    const sequence: Sequence<(typeof items)[number]> = { length: items.length, at: (i) => items[i] };
    const asResource = (item: (typeof items)[number]) => {
      reads++;
      return item;
    };
    const listed: string[] = [];
    let query: Record<string, string> = { $filter: "accountEnabled eq true", $top: "999" };
    for (;;) {
      const body = page(
        sequence,
        parseQuery(request(query), rules),
        request(query),
        { baseUrl: "http://sim/", context: "users" },
        asResource,
      );
      listed.push(...(body.value as { id: string }[]).map((u) => u.id));
      const next = body["@odata.nextLink"] as string | undefined;
      if (!next) break;
      query = Object.fromEntries(new URL(next).searchParams);
    }
    expect(listed).toEqual(items.filter((u) => u.accountEnabled).map((u) => u.id));
    // Each item is read once, plus the look-ahead to the next match per page (≤ 2 items here).
    expect(reads).toBeLessThanOrEqual(30_000 + 3 * 21);
  });
});
