/**
 * Phase 2 against the Peig contract's rate limit: a migration in which every in-scope user misses the
 * window, so Phase 2 creates one Peig account each through the real batch sub-orchestrations and
 * activities. Time is the virtual clock's (the simulators', the host skips time): the fewest seconds the
 * limit allows is creations ÷ rate.
 */
import { contractRateLimit } from "../peig-simulator";
import type { BenchRow } from "./benchRow";
import { runMigration, START, type MigrationRunResult } from "./migrationRun";
import { OverlappingSleepClock } from "./overlappingClock";
import { VirtualClock } from "../host/clocks";

/** In scope: just over 3,000 (guests, disabled and sibling-domain members are out of scope). */
const TENANT = { users: 3_300, seed: 7, missRate: 1, mismatchRate: 0 };

const n = (x: number) => x.toLocaleString("en");

function phase2Seconds(run: MigrationRunResult): number {
  const { phase2, verification } = run.phaseEnteredAt;
  if (phase2 === undefined || verification === undefined)
    throw new Error(`Phase 2 did not run to the end (final phase ${run.finalPhase})`);
  return (verification - phase2) / 1000;
}

export async function phase2Benchmarks(): Promise<BenchRow[]> {
  const rate = contractRateLimit.requestsPerSecond;
  const overlapping = await runMigration({
    tenant: TENANT,
    peigRateLimit: contractRateLimit,
    clock: new OverlappingSleepClock(START),
  });
  const serialised = await runMigration({
    tenant: TENANT,
    peigRateLimit: contractRateLimit,
    clock: new VirtualClock(START),
  });
  const creations = overlapping.missedUsers;
  const minimum = creations / rate;
  const seconds = phase2Seconds(overlapping);
  const serialisedSeconds = phase2Seconds(serialised);
  const attempts = overlapping.requests.peig.createPeigAccount ?? 0;
  const limit = `${rate} requests/s, burst ${contractRateLimit.burst}`;

  return [
    {
      benchmark: `Phase 2: ${n(creations)} Peig accounts at the contract's ${limit} (virtual time)`,
      figure: `${seconds.toFixed(0)} s; minimum ${minimum.toFixed(0)} s (${(seconds / minimum).toFixed(2)}×); "${overlapping.phaseDetail.verification ?? "?"}"; wall ${(overlapping.wallMs / 1000).toFixed(1)} s`,
      target: "≤ 1.2 × minimum",
      met: seconds <= 1.2 * minimum,
      note:
        `Rate limit: docs/peig-admin-api.md (Conventions > Rate limit), enforced by the Peig simulator per API key (token bucket on the simulator's clock, 429 + Retry-After in whole seconds). ` +
        `Tenant generateTenant(${JSON.stringify(TENANT)}): all ${n(creations)} in-scope users miss the window. Phase 2 time = virtual time from entering Phase 2 (plan + ${overlapping.phase2Batches} batch sub-orchestrations of 50, phase2Concurrency at a time) to entering verification, from the audit trail; ` +
        `minimum = ${n(creations)} creations ÷ ${rate}/s. Virtual, because the host skips time: requests take no virtual time, waits do. ` +
        `This run's clock lets concurrent waits overlap (local/bench/overlappingClock.ts), as they do in real time.`,
    },
    {
      benchmark: "Phase 2, same run on the host's stock VirtualClock",
      figure: `${serialisedSeconds.toFixed(0)} s (${(serialisedSeconds / minimum).toFixed(2)}×); ${n(serialised.rateLimited)} answers 429`,
      note: "For comparison, not judged: VirtualClock.sleep adds every sleep to the time, so concurrent waits are summed instead of overlapping. Each activity paces itself at its share of the app's Peig budget, so on this clock the shares' waits add up instead of overlapping; without pacing, the 429 Retry-After waits of concurrent activities would be summed here.",
    },
    {
      benchmark: "Phase 2 createPeigAccount requests under the rate limit",
      figure: `${n(attempts)} requests for ${n(creations)} accounts (${(attempts / creations).toFixed(2)}×); ${n(overlapping.rateLimited)} answered 429; ${n(overlapping.peigAccounts)} accounts exist afterwards`,
      note: "For information: each batch activity keeps to its share of the app's Peig budget (PeigApiClient.sharedBy, shared/pacer.ts), so together they are not throttled; 429s that still come are honoured with Retry-After (shared/retry.ts) and count as requests.",
    },
  ];
}
