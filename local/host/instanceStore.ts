/**
 * Where the local host keeps orchestration instances: in memory for tests, or in Azure Table Storage
 * (Azurite locally) so that a restarted host resumes running instances where they were.
 */
import type { TableClient, TableEntity } from "@azure/data-tables";
import { tablesSdk } from "../../shared/store/azureEntityTables";
import type { HistoryEvent } from "./history";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated";

export interface PendingTimer {
  taskId: number;
  fireAt: string;
  /** When it was scheduled: Azure Storage counts its visibility delay from then, in whole seconds (engine.ts nextTimer). */
  createdAt?: string;
  /** The orchestrator cancelled it; it fires all the same, as in DTFx. */
  cancelled?: boolean;
}

export interface PendingWork {
  kind: "activity" | "subOrchestration";
  taskId: number;
  name: string;
  /** Deserialised input as the function receives it. */
  input: unknown;
  /** Sub-orchestrations only. */
  instanceId?: string;
  version?: string;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version?: string;
  status: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  /** Increments on continueAsNew; work from an older execution is discarded when it completes. */
  executionId: number;
  continuedAsNew: number;
  history: HistoryEvent[];
  /** Events not yet delivered to the orchestrator. */
  inbox: HistoryEvent[];
  /** Set by continueAsNew: the new execution's first episode takes only this many inbox events (ExecutionStarted and the carried-over events). */
  firstEpisode?: number;
  timers: PendingTimer[];
  work: PendingWork[];
  /** Task ids already turned into TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated. */
  scheduledIds: number[];
  /** This execution's task ids → the path of the action each stands for (local/host/shim.ts). */
  taskPaths?: Record<number, string>;
  /** Signatures of the actions the last episode emitted (non-determinism guard). */
  actionSignatures: string[];
  parent?: { instanceId: string; taskId: number; executionId: number };
  failure?: { message: string; details?: string };
  warnings: string[];
  /** Largest history (events) any execution of this instance reached. */
  maxHistoryLength: number;
}

export interface InstanceStore {
  save(record: InstanceRecord): Promise<void>;
  load(instanceId: string): Promise<InstanceRecord | undefined>;
  /** Every instance, for a host that starts up against existing state. */
  loadAll(): Promise<InstanceRecord[]>;
  delete(instanceId: string): Promise<void>;
}

export class MemoryInstanceStore implements InstanceStore {
  private readonly records = new Map<string, string>();
  async save(record: InstanceRecord): Promise<void> {
    this.records.set(record.instanceId, JSON.stringify(record));
  }
  async load(instanceId: string): Promise<InstanceRecord | undefined> {
    const json = this.records.get(instanceId);
    return json ? (JSON.parse(json) as InstanceRecord) : undefined;
  }
  async loadAll(): Promise<InstanceRecord[]> {
    return [...this.records.values()].map((json) => JSON.parse(json) as InstanceRecord);
  }
  async delete(instanceId: string): Promise<void> {
    this.records.delete(instanceId);
  }
}

/** String properties hold at most 64 KiB (32K UTF-16 chars); entities at most 1 MiB. */
const CHUNK_CHARS = 30_000;
const CHUNKS_PER_ENTITY = 15;

/**
 * One partition per instance: a header row (generation, chunk-row count) and the instance JSON split
 * across chunk rows. Each save writes a new generation in one transaction, so a crash mid-save leaves
 * the previous generation readable.
 */
export class TableInstanceStore implements InstanceStore {
  private ready?: Promise<void>;
  constructor(private readonly table: TableClient) {}

  static fromConnectionString(connectionString: string, tableName = "LocalDurableInstances"): TableInstanceStore {
    return new TableInstanceStore(
      tablesSdk().TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true }),
    );
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.table.createTable().then(() => undefined);
    return this.ready;
  }

  async save(record: InstanceRecord): Promise<void> {
    await this.ensureTable();
    const pk = encodeKey(record.instanceId);
    const previous = await this.header(pk);
    const generation = (previous?.generation ?? 0) + 1;
    const json = JSON.stringify(record);
    const rows: TableEntity[] = [];
    for (let offset = 0, row = 0; offset < json.length || row === 0; row++) {
      const entity: TableEntity = { partitionKey: pk, rowKey: `g${pad(generation)}-${pad(row)}` };
      for (let c = 0; c < CHUNKS_PER_ENTITY && offset < json.length; c++, offset += CHUNK_CHARS) {
        entity[`c${c}`] = json.slice(offset, offset + CHUNK_CHARS);
      }
      rows.push(entity);
    }
    const tx = new (tablesSdk().TableTransaction)();
    for (const row of rows) tx.upsertEntity(row, "Replace");
    tx.upsertEntity(
      { partitionKey: pk, rowKey: "header", generation, rows: rows.length, status: record.status },
      "Replace",
    );
    if (previous) for (let r = 0; r < previous.rows; r++) tx.deleteEntity(pk, `g${pad(previous.generation)}-${pad(r)}`);
    // A transaction holds at most 100 operations; an instance that large is split into two steps.
    if (rows.length + 1 + (previous?.rows ?? 0) <= 100) {
      await this.table.submitTransaction(tx.actions);
    } else {
      for (const row of rows) await this.table.upsertEntity(row, "Replace");
      await this.table.upsertEntity(
        { partitionKey: pk, rowKey: "header", generation, rows: rows.length, status: record.status },
        "Replace",
      );
      if (previous)
        for (let r = 0; r < previous.rows; r++)
          await this.table.deleteEntity(pk, `g${pad(previous.generation)}-${pad(r)}`);
    }
  }

  /**
   * The record as last saved, from one query of its partition: a save is one transaction, so the query sees the
   * header with its generation's rows, never a header whose rows the next save has just deleted (reading the header,
   * then each row, could). Only an instance too large for one transaction is saved in steps; a read that finds its
   * rows incomplete reads again.
   */
  async load(instanceId: string): Promise<InstanceRecord | undefined> {
    await this.ensureTable();
    const pk = encodeKey(instanceId);
    for (let attempt = 1; ; attempt++) {
      const rows = new Map<string, Record<string, unknown>>();
      for await (const entity of this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: `PartitionKey eq '${pk}'` },
      }))
        rows.set(entity.rowKey as string, entity);
      const header = rows.get("header") as { generation: number; rows: number } | undefined;
      if (!header) return undefined;
      let json = "";
      let whole = true;
      for (let r = 0; r < header.rows && whole; r++) {
        const entity = rows.get(`g${pad(header.generation)}-${pad(r)}`);
        if (!entity) whole = false;
        else for (let c = 0; c < CHUNKS_PER_ENTITY && entity[`c${c}`] !== undefined; c++) json += entity[`c${c}`];
      }
      if (whole) return JSON.parse(json) as InstanceRecord;
      if (attempt === 10) throw new Error(`instance ${instanceId}: its header names rows the table does not hold`);
    }
  }

  async loadAll(): Promise<InstanceRecord[]> {
    await this.ensureTable();
    const ids: string[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter: "RowKey eq 'header'" } })) {
      ids.push(decodeKey(entity.partitionKey as string));
    }
    const records = await Promise.all(ids.map((id) => this.load(id)));
    return records.filter((r): r is InstanceRecord => r !== undefined);
  }

  async delete(instanceId: string): Promise<void> {
    await this.ensureTable();
    const pk = encodeKey(instanceId);
    for await (const entity of this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${pk}'` } })) {
      await this.table.deleteEntity(pk, entity.rowKey as string);
    }
  }

  private async header(pk: string): Promise<{ generation: number; rows: number } | undefined> {
    try {
      const h = await this.table.getEntity<{ generation: number; rows: number }>(pk, "header");
      return { generation: h.generation, rows: h.rows };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}

const pad = (n: number) => String(n).padStart(6, "0");
/** Table keys may not contain / \ # ? or control characters; instance ids may. */
const encodeKey = (id: string) => Buffer.from(id, "utf8").toString("base64url");
const decodeKey = (key: string) => Buffer.from(key, "base64url").toString("utf8");
