/**
 * Runbook "Phase 2: Handle users who did not onboard": for every Microsoft 365 user without a Peig
 * account, "Create Peig Account" (MS365 Identifiers > Microsoft 365 Accounts). Batches run as
 * sub-orchestrations, a few at a time; one wave per execution keeps history bounded at any size.
 */
import type { OrchestrationContext } from "durable-functions";
import { atLeast } from "../shared/versions";
import { Activities, Orchestrations, type MigrationState } from "../shared/workflow";
import { activityRetry, at, call, enterPhase, MINUTE, publishProgress, type PhaseStep } from "./common";
import { waitForPeople } from "./humanTasks";

/**
 * Batches in flight at once (Peig and Graph are rate-limited services, not a fan-out target).
 * Version 2.0 raised it from 4 to 8; instances started under 1.x keep 4, so a Phase 2 that was
 * running during the deploy replays exactly the waves it scheduled.
 */
export function phase2Concurrency(version: string | undefined): number {
  return atLeast(version, "2.0") ? 8 : 4;
}

export interface Phase2Plan {
  users: number;
  batches: number;
}
export interface BatchResult {
  created: number;
  failed: number;
}

export function* createMissingPeigAccounts(context: OrchestrationContext, state: MigrationState, linkTtlMs: number): PhaseStep {
  const { migrationId, request } = state;
  if (!state.phase2) {
    if (request.phase2 === "skip") return yield* finish(context, state, { created: 0, failed: 0, skipped: true });
    const plan = yield* call<Phase2Plan>(context, Activities.planPhase2, { migrationId });
    if (plan.users === 0) return yield* finish(context, state, { created: 0, failed: 0, skipped: true });
    if (request.phase2 === "approve") {
      const outcome = yield* waitForPeople(context, state, "phase2Approval", { round: 1, required: request.requiredApprovals, linkTtlMs });
      if (outcome !== "approved") return yield* finish(context, state, { created: 0, failed: 0, skipped: true }, `Phase 2 not approved (${outcome})`);
    }
    if (state.peigMode === "operator") {
      publishProgress(context, state, { waitingFor: "the Peig admin to create the missing accounts" });
      const outcome = yield* waitForPeople(context, state, "peigAccounts", { round: 1, required: 1, linkTtlMs });
      return yield* finish(context, state, { created: outcome === "done" ? plan.users : 0, failed: outcome === "done" ? 0 : plan.users, skipped: false });
    }
    state.phase2 = { created: 0, failed: 0, skipped: false, nextBatch: 0, batches: plan.batches };
  }

  const progress = state.phase2;
  const wave = Array.from({ length: Math.min(phase2Concurrency(context.df.version), progress.batches! - progress.nextBatch!) }, (_, i) => progress.nextBatch! + i);
  publishProgress(context, state, { waitingFor: `Phase 2: batches ${wave[0] + 1}-${wave[wave.length - 1] + 1} of ${progress.batches}` });
  const results = (yield context.df.Task.all(
    // Batches run under the parent's version, not whatever the host deploys meanwhile.
    wave.map((batch) => context.df.callSubOrchestratorWithRetry(Orchestrations.phase2Batch, activityRetry, { migrationId, batch }, `${migrationId}-phase2-${batch}`, context.df.version)),
  )) as BatchResult[];
  for (const r of results) {
    progress.created += r.created;
    progress.failed += r.failed;
  }
  progress.nextBatch! += wave.length;
  if (progress.nextBatch! >= progress.batches!) yield* finish(context, state, { created: progress.created, failed: progress.failed, skipped: false });
}

function* finish(context: OrchestrationContext, state: MigrationState, result: { created: number; failed: number; skipped: boolean }, detail?: string): PhaseStep {
  state.phase2 = result;
  yield* enterPhase(context, state, "verification", detail ?? (result.skipped ? "Phase 2 not needed" : `Phase 2: ${result.created} created, ${result.failed} failed`));
}

/** One batch: create its accounts, then give the failures one more chance after a pause. */
export function* createPeigAccountsBatch(context: OrchestrationContext): PhaseStep<BatchResult> {
  const input = context.df.getInput<{ migrationId: string; batch: number }>();
  let result = (yield context.df.callActivityWithRetry(Activities.createPeigAccounts, activityRetry, { ...input, pass: 1 })) as BatchResult;
  if (result.failed > 0) {
    yield context.df.createTimer(at(context, 5 * MINUTE));
    result = (yield context.df.callActivityWithRetry(Activities.createPeigAccounts, activityRetry, { ...input, pass: 2 })) as BatchResult;
  }
  return result;
}
