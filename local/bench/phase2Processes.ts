/**
 * Phase 2's wave on several Functions instances at once: worker processes (phase2Worker.ts) run the
 * wave's createPeigAccounts activities, with the inputs the batch sub-orchestration gives them, against
 * one Peig simulator that enforces the contract's rate limit on real time. Shows that the app as a whole,
 * not each process, keeps to Peig's limit (docs/architecture.md#limits-for-the-whole-app). Used by
 * test/workflow/phase2Processes.test.ts and the bench.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { OrchestrationContext } from "durable-functions";
import { createPeigAccountsBatch, phase2Concurrency } from "../../orchestrations/createMissingPeigAccounts";
import { systemClock } from "../../shared/clock";
import { TableMigrationStore } from "../../shared/store";
import type { ActivityInput } from "../../orchestrations/common";
import { generateTenant, inScopeUsers } from "../fixtures/tenant";
import { contractRateLimit, startPeigSimulator } from "../peig-simulator";
import { stopChild } from "../stopChild";
import type { Phase2WorkerConfig } from "./phase2Worker";

const root = resolve(__dirname, "../..");

export interface Phase2ProcessesOptions {
  /** Worker processes (instances); the wave's batches are dealt out among them. */
  processes: number;
  usersPerBatch: number;
  storageConnection: string;
}

export interface Phase2ProcessesResult {
  processes: number;
  batches: number;
  accounts: number;
  /** createPeigAccount requests the simulator answered, and how many of them with 429 for being over the rate. */
  requests: number;
  rateLimited: number;
  /** Accounts that exist once per planned user afterwards. */
  createdOnce: boolean;
  /** From the first request to the last, as the simulator logged them. */
  seconds: number;
  /** The least that span can be under the limit: (requests − burst) ÷ rate. */
  minimumSeconds: number;
}

/** The activity input the batch sub-orchestration schedules, read from the orchestration code itself. */
export function batchActivityInput(
  migrationId: string,
  batch: number,
  version: string,
): ActivityInput<"createPeigAccounts"> {
  const context = {
    df: {
      version,
      callActivity: (name: string, input: unknown) => ({ name, input }),
    },
  };
  const first = createPeigAccountsBatch.run(context as unknown as OrchestrationContext, { migrationId, batch }).next();
  const action = first.value as unknown as { name: string; input: ActivityInput<"createPeigAccounts"> };
  if (action.name !== "createPeigAccounts") throw new Error(`the batch scheduled ${action.name} first`);
  return action.input;
}

function startWorker(config: Phase2WorkerConfig): { child: ChildProcess; lines: AsyncIterableIterator<string> } {
  const child = spawn(
    process.execPath,
    ["-r", "sucrase/register/ts", join(root, "local", "bench", "phase2Worker.ts"), JSON.stringify(config)],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
  );
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function nextLine(worker: { lines: AsyncIterableIterator<string> }): Promise<string> {
  const next = await worker.lines.next();
  if (next.done) throw new Error("a Phase 2 worker exited early");
  return next.value;
}

export async function runPhase2InProcesses(options: Phase2ProcessesOptions): Promise<Phase2ProcessesResult> {
  const version = (
    JSON.parse(readFileSync(join(root, "host.json"), "utf8")) as {
      extensions: { durableTask: { defaultVersion: string } };
    }
  ).extensions.durableTask.defaultVersion;
  const batches = phase2Concurrency;
  const tenant = generateTenant({
    users: Math.ceil(batches * options.usersPerBatch * 1.3) + 20,
    seed: 11,
    missRate: 1,
    mismatchRate: 0,
  });
  const users = inScopeUsers(tenant).slice(0, batches * options.usersPerBatch);
  if (users.length < batches * options.usersPerBatch) throw new Error("the tenant has too few users in scope");

  const simulator = await startPeigSimulator({ clock: systemClock, tenant, rateLimit: contractRateLimit });
  const tablePrefix = `Wave${Date.now().toString(36)}`;
  const migrationId = "wave";
  const store = new TableMigrationStore(
    { connectionString: options.storageConnection },
    { tablePrefix, clock: systemClock },
  );
  const workers: ReturnType<typeof startWorker>[] = [];
  try {
    await store.upsertUsers(
      migrationId,
      users.map((user, i) => ({
        userId: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
        state: "notOnboarded" as const,
        phase2: { attempts: 0, planned: true },
        phase2Batch: Math.floor(i / options.usersPerBatch),
      })),
    );
    const inputs = Array.from({ length: batches }, (_, batch) => ({
      ...batchActivityInput(migrationId, batch, version),
      pass: 1,
    }));
    for (let p = 0; p < options.processes; p++) {
      workers.push(
        startWorker({
          peigBaseUrl: simulator.baseUrl,
          peigApiKey: simulator.apiKey,
          storageConnection: options.storageConnection,
          tablePrefix,
          inputs: inputs.filter((_, i) => i % options.processes === p),
        }),
      );
    }
    // Every process loaded first, so the span below is the requests', not the processes' start-up.
    for (const worker of workers) if ((await nextLine(worker)) !== "ready") throw new Error("a worker did not start");
    for (const worker of workers) worker.child.stdin!.end("go\n");
    const results = (await Promise.all(workers.map(async (w) => JSON.parse(await nextLine(w))))) as {
      created: number;
    }[][];
    const created = results.flat().reduce((sum, r) => sum + r.created, 0);

    const log = simulator.requestLog.filter((r) => r.operationId === "createPeigAccount");
    const times = log.map((r) => Date.parse(r.at));
    const linked = simulator.state
      .peigAccounts()
      .map((a) => a.microsoft365UserId)
      .filter((id): id is string => id !== null);
    const ids = new Set(users.map((u) => u.id));
    return {
      processes: options.processes,
      batches,
      accounts: created,
      requests: log.length,
      rateLimited: log.filter((r) => r.fault === "rateLimited").length,
      createdOnce: linked.length === ids.size && linked.every((id) => ids.has(id)),
      seconds: (Math.max(...times) - Math.min(...times)) / 1000,
      minimumSeconds: Math.max(0, log.length - contractRateLimit.burst) / contractRateLimit.requestsPerSecond,
    };
  } finally {
    await Promise.all(workers.map(({ child }) => stopChild(child)));
    await simulator.stop();
  }
}
