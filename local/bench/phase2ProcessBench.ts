/**
 * Phase 2 on several instances, in real time: one wave's batch activities in worker processes against
 * one Peig simulator enforcing the contract's limit (phase2Processes.ts). The in-process rows
 * (phase2Bench.ts) run one process, where a per-process pacer would look right; this row shows the
 * limit holding for the app.
 */
import { startAzurite } from "../azurite";
import { contractRateLimit } from "../peig-simulator";
import type { BenchRow } from "./benchRow";
import { runPhase2InProcesses } from "./phase2Processes";

const PROCESSES = 4;
const USERS_PER_BATCH = 50;

export async function phase2ProcessBenchmarks(): Promise<BenchRow[]> {
  const azurite = await startAzurite();
  try {
    const run = await runPhase2InProcesses({
      processes: PROCESSES,
      usersPerBatch: USERS_PER_BATCH,
      storageConnection: azurite.connectionString,
    });
    const limit = `${contractRateLimit.requestsPerSecond} requests/s, burst ${contractRateLimit.burst}`;
    return [
      {
        benchmark: `Phase 2 wave in ${run.processes} processes: ${run.accounts} Peig accounts at the contract's ${limit} (real time)`,
        figure: `${run.seconds.toFixed(1)} s; minimum ${run.minimumSeconds.toFixed(1)} s (${(run.seconds / run.minimumSeconds).toFixed(2)}×); ${run.rateLimited} answered 429 for the rate; ${run.requests} requests; accounts created once: ${run.createdOnce ? "yes" : "NO"}`,
        target: "≤ 1.2 × minimum, no 429",
        met: run.seconds <= 1.2 * run.minimumSeconds && run.rateLimited === 0 && run.createdOnce,
        note:
          `${run.batches} batches of ${USERS_PER_BATCH} (one wave, phase2Concurrency) dealt to ${run.processes} worker processes (local/bench/phase2Worker.ts), each with its own Peig client, as separate Function App instances; ` +
          `each activity keeps to 1/${run.batches} of the app's budget (PeigApiClient.sharedBy, docs/architecture.md#limits-for-the-whole-app). ` +
          `Time = first to last createPeigAccount request in the simulator's log; minimum = (requests − burst ${contractRateLimit.burst}) ÷ ${contractRateLimit.requestsPerSecond}/s.`,
      },
    ];
  } finally {
    await azurite.stop();
  }
}
