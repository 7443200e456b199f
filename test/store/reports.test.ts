import type { MigrationStore } from "../../shared/store/port";
import { MAX_STRING_CHARS } from "../../shared/store/tableLimits";
import { splitIntoChunks } from "../../shared/store/reportRows";
import { storeAdapters, uniquePrefix } from "./adapters";

/** ~300 KB of HTML with multi-byte characters and surrogate pairs scattered through it. */
function bigHtml(): string {
  const rows = Array.from(
    { length: 4000 },
    (_, n) => `<tr><td>user${n}@contoso.com</td><td>Žluťoučký kůň 🐎 ${n}</td></tr>`,
  );
  return `<html><body><table>${rows.join("\n")}</table></body></html>`;
}

describe("report chunking", () => {
  it("never splits a surrogate pair and never exceeds the property limit", () => {
    const text = "a" + "🐎".repeat(40_000);
    const chunks = splitIntoChunks(text);
    expect(chunks.join("")).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_STRING_CHARS);
      expect(/^[\udc00-\udfff]/.test(chunk)).toBe(false);
    }
  });
});

describe.each(storeAdapters())("reports: $name", (adapter) => {
  let store: MigrationStore;
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix();
    store = adapter.createStore({ tablePrefix: prefix });
  });

  async function reportRowCount(migrationId: string): Promise<number> {
    let rows = 0;
    for await (const _row of adapter.rawTables().table(`${prefix}Reports`).query({ partitionKey: migrationId })) rows++;
    return rows;
  }

  it("round-trips a 300 KB HTML report split across rows", async () => {
    const html = bigHtml();
    expect(html.length).toBeGreaterThan(150_000);
    expect(Buffer.byteLength(html, "utf8")).toBeGreaterThan(300_000);
    const json = JSON.stringify({ checklist: [{ item: "all onboarded", ok: true }], users: html.length });
    await store.saveReport("m1", { json, html });
    await expect(store.getReport("m1")).resolves.toEqual({ json, html });
  });

  it("replaces a report and removes the old one's rows", async () => {
    await store.saveReport("m1", { json: "{}", html: bigHtml() });
    await store.saveReport("m1", { json: '{"v":2}', html: "<p>short</p>" });
    await expect(store.getReport("m1")).resolves.toEqual({ json: '{"v":2}', html: "<p>short</p>" });
    // The header and one chunk for each part.
    await expect(reportRowCount("m1")).resolves.toBe(3);
  });

  it("leaves one complete report when two saves run at once", async () => {
    const a = { json: '{"v":"a"}', html: bigHtml() };
    const b = { json: '{"v":"b"}', html: bigHtml().replace(/user/g, "person") };
    await Promise.all([store.saveReport("m1", a), store.saveReport("m1", b)]);
    const stored = await store.getReport("m1");
    expect([a, b]).toContainEqual(stored);
    // The loser's chunks are gone: only the header and the winner's chunks remain.
    const winner = stored ?? a;
    await expect(reportRowCount("m1")).resolves.toBe(
      1 + splitIntoChunks(winner.json).length + splitIntoChunks(winner.html).length,
    );
  });

  it("round-trips empty strings and returns undefined when there is no report", async () => {
    await expect(store.getReport("m1")).resolves.toBeUndefined();
    await store.saveReport("m1", { json: "", html: "" });
    await expect(store.getReport("m1")).resolves.toEqual({ json: "", html: "" });
  });
});
