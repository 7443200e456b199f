/**
 * The waves' bookkeeping (shared/domain/waves.ts): a wave's start and its pilot review's outcome, kept on the
 * migration row for the status page and the report, and audited. Safe to run twice: the row keeps the first start,
 * and an outcome already recorded is not audited again.
 */
import { loadMigration, updateRuntime } from "../shared/migrationRecord";
import type { Services } from "../shared/services";
import type { WaveProgress } from "../shared/domain/waves";
import { gateId } from "../shared/workflow";

type ReviewOutcome = NonNullable<WaveProgress["review"]>["outcome"];

export async function recordWave(
  input: { migrationId: string; wave: number; started?: true; review?: { round: number; outcome: ReviewOutcome } },
  s: Services,
): Promise<void> {
  const { migrationId, wave, review } = input;
  const { runtime } = await loadMigration(s, migrationId);
  const name = runtime.request.waves?.[wave]?.name ?? `wave ${wave + 1}`;
  const at = s.clock.now().toISOString();
  // Who answered: the decided task of the round (a "Hold" names its admin on the status page).
  const by =
    review && review.outcome !== "open" && review.outcome !== "expired"
      ? (await s.store.listTasks(migrationId, { gate: gateId("pilotReview", review.round) })).find(
          (t) => t.status === "decided" && t.decision !== "delegate",
        )?.decidedBy
      : undefined;
  const current = runtime.waves?.[wave];
  const already = input.started
    ? !!current?.startedAt
    : current?.review?.round === review?.round && current?.review?.outcome === review?.outcome;
  if (already) return;
  await updateRuntime(s, migrationId, (rt) => {
    const waves = [...(rt.waves ?? [])];
    while (waves.length <= wave) waves.push({});
    waves[wave] = input.started
      ? { ...waves[wave], startedAt: waves[wave].startedAt ?? at }
      : { ...waves[wave], review: { round: review!.round, outcome: review!.outcome, at, ...(by ? { by } : {}) } };
    rt.waves = waves;
  });
  await s.store.appendAudit({
    migrationId,
    actor: "system",
    action: input.started ? "wave.started" : `wave.review.${review!.outcome}`,
    details: { wave: name, ...(review ? { round: review.round } : {}), ...(by ? { by } : {}) },
  });
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const waveActivities = { recordWave };
