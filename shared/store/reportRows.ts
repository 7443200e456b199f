/**
 * Reports can exceed a property's 64 KiB limit (an HTML report for thousands of users easily does), so
 * each string is split into chunk rows under a fresh version, and a header row names the current
 * version. The header is swapped with an ETag-conditional write, and only the writer that replaced a
 * version deletes that version's chunks, so concurrent or repeated saves never leave the header pointing
 * at deleted chunks.
 */
import { randomUUID } from "node:crypto";
import type { Entity, EntityTable, UpsertOperation } from "./entityTable";
import { ConflictError, NotFoundError, PreconditionFailedError } from "./errors";
import type { Report } from "./port";
import { MAX_STRING_CHARS } from "./tableLimits";

/** Below the 32 Ki UTF-16 code units of a string property. */
const CHUNK_CHARS = 30_000;
/**
 * Chunk rows per transaction: 32 × 30,000 characters stays under the 4 MiB transaction payload even
 * at 3 bytes per character in UTF-8.
 */
const CHUNKS_PER_TRANSACTION = 32;
const HEADER_ROW = "header";
const MAX_HEADER_ATTEMPTS = 10;
type Part = keyof Report;
const PARTS: readonly Part[] = ["json", "html"];

interface Header {
  version: string;
  chunks: Record<Part, number>;
}

export function splitIntoChunks(text: string, size = CHUNK_CHARS): string[] {
  if (size > MAX_STRING_CHARS) throw new Error("chunk size exceeds the property limit");
  const chunks: string[] = [];
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + size, text.length);
    // Never split a surrogate pair: each half alone is not valid UTF-16 on the wire.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

const chunkRowKey = (version: string, part: Part, index: number) =>
  `chunk_${version}_${part}_${String(index).padStart(6, "0")}`;

export async function saveReportRows(
  table: EntityTable,
  partitionKey: string,
  report: Report,
  savedAt: string,
): Promise<void> {
  const version = randomUUID().replace(/-/g, "");
  const operations: UpsertOperation[] = [];
  const chunks = {} as Record<Part, number>;
  for (const part of PARTS) {
    const pieces = splitIntoChunks(report[part]);
    chunks[part] = pieces.length;
    pieces.forEach((data, index) =>
      operations.push({
        mode: "replace",
        entity: { partitionKey, rowKey: chunkRowKey(version, part, index), properties: { data } },
      }),
    );
  }
  for (let i = 0; i < operations.length; i += CHUNKS_PER_TRANSACTION) {
    await table.upsertInTransaction(operations.slice(i, i + CHUNKS_PER_TRANSACTION));
  }
  const header: Entity = {
    partitionKey,
    rowKey: HEADER_ROW,
    properties: { version, chunks: JSON.stringify(chunks), savedAt },
  };
  const replaced = await swapHeader(table, header);
  if (replaced) await deleteChunks(table, partitionKey, replaced);
}

/** Points the header at the new version; returns the header it replaced, if any. */
async function swapHeader(table: EntityTable, header: Entity): Promise<Header | undefined> {
  for (let attempt = 0; attempt < MAX_HEADER_ATTEMPTS; attempt++) {
    const current = await table.get(header.partitionKey, HEADER_ROW);
    try {
      if (!current) {
        await table.insert(header);
        return undefined;
      }
      await table.replace(header, current.etag);
      return parseHeader(current.properties);
    } catch (error) {
      if (error instanceof ConflictError || error instanceof PreconditionFailedError || error instanceof NotFoundError)
        continue;
      throw error;
    }
  }
  throw new PreconditionFailedError("report header kept changing while saving; gave up");
}

async function deleteChunks(table: EntityTable, partitionKey: string, header: Header): Promise<void> {
  for (const part of PARTS) {
    for (let index = 0; index < header.chunks[part]; index++) {
      try {
        await table.delete(partitionKey, chunkRowKey(header.version, part, index), "*");
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
  }
}

export async function loadReportRows(table: EntityTable, partitionKey: string): Promise<Report | undefined> {
  const headerRow = await table.get(partitionKey, HEADER_ROW);
  if (!headerRow) return undefined;
  const header = parseHeader(headerRow.properties);
  const pieces: Record<Part, string[]> = { json: [], html: [] };
  const prefix = `chunk_${header.version}_`;
  // "~" sorts after every character used in chunk row keys.
  for await (const row of table.query({ partitionKey, rowKeyAfter: prefix, rowKeyBefore: `${prefix}~` })) {
    const part = row.rowKey.slice(prefix.length).split("_")[0] as Part;
    pieces[part].push(String(row.properties.data ?? ""));
  }
  for (const part of PARTS) {
    if (pieces[part].length !== header.chunks[part])
      throw new Error(`report ${part} is incomplete: ${pieces[part].length} of ${header.chunks[part]} chunks`);
  }
  return { json: pieces.json.join(""), html: pieces.html.join("") };
}

function parseHeader(properties: Record<string, unknown>): Header {
  return { version: String(properties.version), chunks: JSON.parse(String(properties.chunks)) as Record<Part, number> };
}
