/**
 * What a migration costs in Azure, from what a bench run measured (docs/cost.md explains each figure): the local
 * host's count of orchestrator episodes, activity executions and queue messages (LocalDurableEngine.counts), the app
 * store's own Table transactions (its RequestCounter), the app's log lines, the mail sent, and how long the migration
 * ran on the virtual clock. Each price carries its public price sheet and the date its figure was taken; the prices
 * are list prices (USD, East US, pay-as-you-go) and change: check the sheet before quoting a customer.
 */
import type { DurableWorkCounts } from "../host/engine";

export interface Price {
  usd: number;
  per: string;
  source: string;
  asOf: string;
}

const FUNCTIONS = "https://azure.microsoft.com/pricing/details/functions/ (Flex Consumption)";
const TABLES = "https://azure.microsoft.com/pricing/details/storage/tables/ (Standard, LRS)";
const QUEUES = "https://azure.microsoft.com/pricing/details/storage/queues/ (General purpose v2, LRS)";
const MONITOR = "https://azure.microsoft.com/pricing/details/monitor/ (Analytics logs, pay-as-you-go)";

/** One home for every price the estimate uses; docs/cost.md lists the same (test/bench/costModel.test.ts). */
export const PRICES = {
  flexOnDemandGbSecond: { usd: 0.000026, per: "GB-s", source: FUNCTIONS, asOf: "2025-05" },
  flexOnDemandExecutions: { usd: 0.4, per: "million executions", source: FUNCTIONS, asOf: "2025-05" },
  flexAlwaysReadyBaselineGbSecond: { usd: 0.000004, per: "GB-s", source: FUNCTIONS, asOf: "2025-05" },
  flexAlwaysReadyExecutionGbSecond: { usd: 0.000016, per: "GB-s", source: FUNCTIONS, asOf: "2025-05" },
  tableTransactions: { usd: 0.00036, per: "10,000 transactions", source: TABLES, asOf: "2025-05" },
  queueOperations: { usd: 0.004, per: "10,000 operations", source: QUEUES, asOf: "2025-05" },
  logIngestion: { usd: 2.3, per: "GB ingested", source: MONITOR, asOf: "2025-05" },
  mail: {
    usd: 0,
    per: "message",
    source:
      "Graph sendMail from the tenant's own mailbox: no per-message charge (https://learn.microsoft.com/graph/api/user-sendmail)",
    asOf: "2025-05",
  },
} satisfies Record<string, Price>;

/** infra/app/api.bicep: instanceMemoryMB 2048; `durableAlwaysReady` 1 instance. */
export const INSTANCE_GB = 2;
export const ALWAYS_READY_INSTANCES = 1;
/** host.json maxQueuePollingInterval: an idle instance polls 4 control queues and the work-item queue this often. */
export const IDLE_POLL_SECONDS = 10;
const POLLED_QUEUES = 5;
/** Assumed size of one Application Insights record (a request or a trace) as ingested. */
export const RECORD_BYTES = 1_000;
/** Assumed records the host writes per function execution: its request, and the Durable extension's tracking traces. */
export const RECORDS_PER_EXECUTION = 3;
/** Assumed wait on each Graph or Peig call in Azure (the simulators answer in-process); billed as execution time. */
export const REMOTE_CALL_SECONDS = 0.15;

/** What one bench run measured. */
export interface MeasuredRun {
  users: number;
  /** Virtual time from the start to the final phase. */
  days: number;
  durable: DurableWorkCounts;
  httpInvocations: number;
  /** The app's own Table transactions (its store's RequestCounter). */
  storeTransactions: number;
  /** Graph and Peig requests made (each waits on the network in Azure). */
  remoteCalls: number;
  logLines: { count: number; bytes: number };
  mailMessages: number;
  /** Users Phase 2 made accounts for, and requests typed with another address (the runbook's manual work). */
  phase2Accounts: number;
  mismatched: number;
}

export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

const perMillion = (n: number, p: Price) => (n / 1e6) * p.usd;
const perTenThousand = (n: number, p: Price) => (n / 1e4) * p.usd;

/**
 * Functions: every execution (orchestrator episodes, activities, HTTP calls) at the executions price; their time at
 * 2 GB, billed at the always-ready execution rate (the `durable` group's always-ready instance runs them), plus the
 * always-ready baseline for the whole migration. Free grants are left out (they are per subscription and month).
 */
export function estimateCost(run: MeasuredRun): { lines: CostLine[]; totalUsd: number } {
  const executions = run.durable.orchestratorEpisodes + run.durable.activityExecutions + run.httpInvocations;
  const executionSeconds =
    (run.durable.orchestratorMs + run.durable.activityMs) / 1000 + run.remoteCalls * REMOTE_CALL_SECONDS;
  const baselineSeconds = run.days * 86_400 * ALWAYS_READY_INSTANCES;
  const hubTable = taskHubTableTransactions(run.durable);
  const hubQueue = taskHubQueueOperations(run.durable, run.days);
  const logRecords = executions * RECORDS_PER_EXECUTION;
  const logGb = (logRecords * RECORD_BYTES + run.logLines.bytes) / 1e9;
  const lines: CostLine[] = [
    {
      item: "Functions executions",
      quantity: `${executions.toLocaleString("en")} executions`,
      usd: perMillion(executions, PRICES.flexOnDemandExecutions),
    },
    {
      item: "Functions execution time",
      quantity: `${Math.round(executionSeconds * INSTANCE_GB).toLocaleString("en")} GB-s`,
      usd: executionSeconds * INSTANCE_GB * PRICES.flexAlwaysReadyExecutionGbSecond.usd,
    },
    {
      item: "Functions always-ready baseline",
      quantity: `${run.days.toFixed(1)} days × ${INSTANCE_GB} GB`,
      usd: baselineSeconds * INSTANCE_GB * PRICES.flexAlwaysReadyBaselineGbSecond.usd,
    },
    {
      item: "Table transactions",
      quantity: `${run.storeTransactions.toLocaleString("en")} app store + ${hubTable.toLocaleString("en")} task hub`,
      usd: perTenThousand(run.storeTransactions + hubTable, PRICES.tableTransactions),
    },
    {
      item: "Queue operations (task hub)",
      quantity: `${hubQueue.toLocaleString("en")} operations`,
      usd: perTenThousand(hubQueue, PRICES.queueOperations),
    },
    {
      item: "Application Insights ingestion",
      quantity: `${(logGb * 1000).toFixed(1)} MB`,
      usd: logGb * PRICES.logIngestion.usd,
    },
    {
      item: "E-mail",
      quantity: `${run.mailMessages.toLocaleString("en")} messages`,
      usd: run.mailMessages * PRICES.mail.usd,
    },
  ];
  return { lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0) };
}

/**
 * The Azure Storage provider's table work per episode (DurableTask.AzureStorage AzureTableTrackingStore): the new
 * history rows in entity-group transactions of up to 100 rows (at least one per episode), one Instances-table update,
 * and, without extended sessions, the history read back in pages of 1,000 rows (at least one query per episode).
 */
export function taskHubTableTransactions(d: DurableWorkCounts): number {
  const writes = Math.max(d.orchestratorEpisodes, Math.ceil(d.historyEventsWritten / 100));
  const reads = Math.max(d.orchestratorEpisodes, Math.ceil(d.historyEventsRead / 1000));
  return writes + d.orchestratorEpisodes + reads;
}

/**
 * Each message is put, fetched and deleted (three operations); an instance that waits polls its five queues every
 * IDLE_POLL_SECONDS while the always-ready instance runs, the whole migration long.
 */
export function taskHubQueueOperations(d: DurableWorkCounts, days: number): number {
  const idlePolls = Math.round(((days * 86_400) / IDLE_POLL_SECONDS) * POLLED_QUEUES * ALWAYS_READY_INSTANCES);
  return d.queueMessages * 3 + idlePolls;
}

/**
 * The same migration by hand, with the runbook (docs/cost.md states each figure): a fixed day for the Entra app, the
 * Peig configuration, the invitations and the close; a minute per 100 users per monitor check (list, compare,
 * remind), twice a week over the window; a minute per Phase 2 account created in the Peig console; two minutes per
 * mistyped request merged.
 */
export const MANUAL = {
  fixedHours: 8,
  minutesPer100UsersPerCheck: 1,
  checksPerWeek: 2,
  minutesPerAccount: 1,
  minutesPerMerge: 2,
};

export function manualAdminHours(run: MeasuredRun): number {
  const checks = Math.max(1, Math.round((run.days / 7) * MANUAL.checksPerWeek));
  const minutes =
    (run.users / 100) * MANUAL.minutesPer100UsersPerCheck * checks +
    run.phase2Accounts * MANUAL.minutesPerAccount +
    run.mismatched * MANUAL.minutesPerMerge;
  return MANUAL.fixedHours + minutes / 60;
}
