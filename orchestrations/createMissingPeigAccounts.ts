/**
 * Runbook "Phase 2: Handle users who did not onboard": for every Microsoft 365 user without a Peig
 * account, "Create Peig Account" (MS365 Identifiers > Microsoft 365 Accounts). Batches run as
 * sub-orchestrations, a few at a time; one wave per execution keeps history bounded at any size.
 */
import type { OrchestrationContext } from "durable-functions";
import { stepFailureFrom } from "../shared/domain/stepFailure";
import { atLeast, since } from "../shared/versions";
import {
  Orchestrations,
  PHASE2_BATCHES_AT_ONCE,
  phase2BatchInstanceId,
  type BatchResult,
  type MigrationState,
  type Phase2Outcome,
  type Phase2Plan,
} from "../shared/workflow";
import { MINUTE } from "../shared/domain/duration";
import {
  at,
  call,
  callSubOrchestrations,
  enterPhase,
  publishProgress,
  StepFailedError,
  waitOnce,
  type PhaseResult,
  type PhaseStep,
  type SubOrchestration,
} from "./common";
import { humanGate, isSleep } from "./humanGate";
import { askPeigAdminForAccounts } from "./peigAccountsTask";

/**
 * Batches in flight at once (Peig and Graph are rate-limited services, not a fan-out target). Each
 * batch's activity keeps to 1/phase2Concurrency of the app's Peig budget, so a wave stays within Peig's
 * limit on any number of instances (docs/architecture.md#limits-for-the-whole-app).
 */
export const phase2Concurrency = PHASE2_BATCHES_AT_ONCE;

export function* createMissingPeigAccounts(context: OrchestrationContext, state: MigrationState): PhaseResult {
  const { migrationId, request } = state;
  if (!state.phase2) {
    if (request.phase2 === "skip") return yield* finish(context, state, { created: 0, failed: 0, skipped: true });
    const plan = yield* call(context, "planPhase2", { migrationId });
    if (plan.users === 0) return yield* finish(context, state, { created: 0, failed: 0, skipped: true });
    if (request.phase2 === "approve" && !state.phase2Approved) {
      const outcome = yield* humanGate(context, state, "phase2Approval", 1, request.requiredApprovals);
      if (isSleep(outcome)) return outcome;
      if (outcome !== "approved")
        return yield* finish(
          context,
          state,
          { created: 0, failed: 0, skipped: true },
          `Phase 2 not approved (${outcome})`,
        );
      state.phase2Approved = true;
    }
    if (state.peigMode === "operator") {
      if (!atLeast(context.df.version, since.peigAccountsRounds)) return yield* askPeigAdminOnce(context, state, plan);
      const asked = yield* askPeigAdminForAccounts(context, state);
      if (asked !== "done") return asked;
      // Whether the accounts are really there is the verification's to check (it asks again if not).
      const confirmed = `Phase 2: the Peig admin confirmed the task for ${plan.users} users (round ${state.peigAccounts!.round})`;
      return yield* finish(context, state, { created: plan.users, failed: 0, skipped: false }, confirmed);
    }
    state.phase2 = { created: 0, failed: 0, skipped: false, nextBatch: 0, batches: plan.batches };
  }

  const progress = state.phase2;
  if (progress.nextBatch! >= progress.batches!)
    return yield* finish(context, state, { created: progress.created, failed: progress.failed, skipped: false });
  const wave = Array.from(
    { length: Math.min(phase2Concurrency, progress.batches! - progress.nextBatch!) },
    (_, i) => progress.nextBatch! + i,
  );
  publishProgress(context, state, {
    waitingFor: `Phase 2: batches ${wave[0] + 1}-${wave[wave.length - 1] + 1} of ${progress.batches}`,
  });
  let results: BatchResult[];
  try {
    results = yield* callSubOrchestrations(
      context,
      createPeigAccountsBatch,
      wave.map((batch) => ({
        input: { migrationId, batch },
        instanceId: phase2BatchInstanceId(migrationId, batch, progress.waveRetries),
      })),
    );
  } catch (error) {
    progress.waveRetries = (progress.waveRetries ?? 0) + 1;
    throw new StepFailedError(stepFailureFrom("createPeigAccounts", error));
  }
  // The whole wave again after a failure: its accounts already made are found, not made twice.
  const failure = results.find((r) => r.failure)?.failure;
  if (failure) {
    progress.waveRetries = (progress.waveRetries ?? 0) + 1;
    throw new StepFailedError(failure);
  }
  for (const r of results) {
    progress.created += r.created;
    progress.failed += r.failed;
  }
  progress.nextBatch! += wave.length;
  if (progress.nextBatch! >= progress.batches!)
    yield* finish(context, state, { created: progress.created, failed: progress.failed, skipped: false });
}

/** Version 1.0: one round; an expired task counts every listed user failed, and the verification re-checks. */
function* askPeigAdminOnce(context: OrchestrationContext, state: MigrationState, plan: Phase2Plan): PhaseResult {
  const outcome = yield* humanGate(context, state, "peigAccounts", 1, 1);
  if (isSleep(outcome)) {
    publishProgress(context, state, { waitingFor: "the Peig admin to create the missing accounts" });
    return outcome;
  }
  return yield* finish(context, state, {
    created: outcome === "done" ? plan.users : 0,
    failed: outcome === "done" ? 0 : plan.users,
    skipped: false,
  });
}

function* finish(
  context: OrchestrationContext,
  state: MigrationState,
  result: Phase2Outcome,
  detail?: string,
): PhaseStep {
  yield* enterPhase(
    context,
    state,
    "verification",
    detail ?? (result.skipped ? "Phase 2 not needed" : `Phase 2: ${result.created} created, ${result.failed} failed`),
    { phase2: result },
  );
  state.phase2 = result;
}

/**
 * One batch: create its accounts, then give the failures one more chance after a pause. A service
 * failure ends the batch with a typed result (the parent pauses the migration); it never fails it.
 */
export const createPeigAccountsBatch: SubOrchestration<{ migrationId: string; batch: number }, BatchResult> = {
  name: Orchestrations.phase2Batch,
  run: createPeigAccountsOfBatch,
};

function* createPeigAccountsOfBatch(
  context: OrchestrationContext,
  input: { migrationId: string; batch: number },
): PhaseStep<BatchResult> {
  // The batches of a wave share the app's Peig budget: this one takes 1/peers of it (a constant, not
  // the sub-orchestration input, which replay compares).
  const peers = phase2Concurrency;
  try {
    let result = yield* call(context, "createPeigAccounts", { ...input, pass: 1, peers });
    if (result.failed > 0) {
      yield* waitOnce(context, at(context, 5 * MINUTE), { wake: false });
      result = yield* call(context, "createPeigAccounts", { ...input, pass: 2, peers });
    }
    return result;
  } catch (error) {
    if (error instanceof StepFailedError) return { created: 0, failed: 0, failure: error.failure };
    throw error;
  }
}
