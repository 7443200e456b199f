/**
 * Runbook Phase 2: plan who gets a Peig account made for them, then create the accounts batch by
 * batch (MS365 Identifiers > Microsoft 365 Accounts > Create Peig Account). Creation is idempotent per
 * user (the Peig client looks up before re-posting); every user's result is recorded, none dropped.
 */
import { loadMigration, type MigrationRuntime } from "../shared/migrationRecord";
import type { ApiModeServices, Services } from "../shared/services";
import { parseIsoDuration } from "../shared/domain/duration";
import { exemptIds } from "../shared/domain/exemptions";
import { windowClosesAt } from "../shared/domain/personalDeadlines";
import { isPerUserFailure, type ExplainedFailure } from "../shared/stepFailure";
import type { UserRecord } from "../shared/store";
import { reconcileAndRecord } from "../shared/reconciliationPass";
import { PHASE2_BATCHES_AT_ONCE, type Phase2Plan } from "../shared/workflow";
import { apiModeOnly } from "./apiModeOnly";

export const PHASE2_BATCH_SIZE = 50;

/**
 * Operator mode learns who onboarded from the sign-in log, whose entries arrive late (SIGN_IN_LOG_LATENCY): planning
 * at the deadline would take whoever signed in just before it for not onboarded. The step waits, as a failure with
 * patience (retried quickly, never shown as needing attention), until the log has caught up.
 */
class SignInLogBehindError extends Error implements ExplainedFailure {
  readonly explained: ExplainedFailure["explained"];
  constructor(latencyMs: number) {
    super(
      `the sign-in log may still lack sign-ins from before the deadline (entries arrive up to ${Math.round(latencyMs / 60_000)} minutes late); ` +
        "Phase 2 is planned once it has caught up",
    );
    this.explained = {
      service: "graph",
      status: null,
      code: "SignInLogLatency",
      fix: "Nothing to do: Entra's sign-in log shows sign-ins late, so Phase 2 is planned once it has caught up with the deadline.",
      patienceMs: latencyMs + 15 * 60_000,
    };
  }
}

export async function planPhase2(input: { migrationId: string }, s: Services): Promise<Phase2Plan> {
  // Planned once: a re-run must not reshuffle batches after some accounts exist.
  const planned = (await s.store.getUsers(input.migrationId)).filter((u) => u.phase2.planned).length;
  if (planned > 0) return { users: planned, batches: Math.ceil(planned / PHASE2_BATCH_SIZE) };
  const { record, runtime } = await loadMigration(s, input.migrationId);
  if (runtime.peigMode === "operator") {
    const latencyMs = parseIsoDuration(s.settings.SIGN_IN_LOG_LATENCY);
    // After the latest deadline anyone has: the window closed then.
    const caughtUpAt = Date.parse(windowClosesAt(record.deadline, runtime.personalDeadlines)) + latencyMs;
    if (s.clock.now().getTime() < caughtUpAt) throw new SignInLogBehindError(latencyMs);
  }
  const exempt = exemptIds(runtime.exemptions);
  const withoutExempted = (ids: readonly string[]) => ids.filter((id) => !exempt.has(id));
  const { reconciliation } = await reconcileAndRecord(s, input.migrationId, runtime, {
    rows: ({ usersWithoutPeigAccount }) => {
      // Batch n is the n-th 50 of the planned users in user-id order, recorded on each row.
      const batchOfUser = new Map(
        withoutExempted(usersWithoutPeigAccount)
          .sort((a, b) => a.localeCompare(b))
          .map((userId, i) => [userId, Math.floor(i / PHASE2_BATCH_SIZE)]),
      );
      return (row) =>
        batchOfUser.has(row.userId)
          ? { ...row, phase2: { attempts: 0, planned: true }, phase2Batch: batchOfUser.get(row.userId) }
          : row;
    },
  });
  // Exempted people get no Phase 2 account: an admin decided they are not part of this migration.
  const missing = withoutExempted(reconciliation.usersWithoutPeigAccount);
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "phase2.planned",
    details: { users: missing.length },
  });
  return { users: missing.length, batches: Math.ceil(missing.length / PHASE2_BATCH_SIZE) };
}

/**
 * Operator mode, Phase 2's task asked again: where everyone stands now (nothing else reads the sign-ins during Phase 2),
 * and whoever in scope has no sign-in and was not listed (they came into scope after the plan) is listed now, so the
 * new round asks for every account the checklist misses. Those listed before stay listed.
 */
export async function extendPhase2Plan(s: Services, migrationId: string, runtime: MigrationRuntime): Promise<void> {
  const listed = new Set((await s.store.getUsers(migrationId)).filter((u) => u.phase2.planned).map((u) => u.userId));
  const exempt = exemptIds(runtime.exemptions);
  let added = 0;
  await reconcileAndRecord(s, migrationId, runtime, {
    rows: ({ usersWithoutPeigAccount }) => {
      const more = new Set(usersWithoutPeigAccount.filter((id) => !listed.has(id) && !exempt.has(id)));
      added = more.size;
      return (row) => (more.has(row.userId) ? { ...row, phase2: { attempts: 0, planned: true } } : row);
    },
  });
  if (added > 0)
    await s.store.appendAudit({ migrationId, actor: "system", action: "phase2.planned", details: { users: added } });
}

/** The planned users of one batch, in a stable order (user id), whatever has happened to them since. */
export function batchOf(users: UserRecord[], batch: number): UserRecord[] {
  return users
    .filter((u) => u.phase2.planned)
    .sort((a, b) => a.userId.localeCompare(b.userId))
    .slice(batch * PHASE2_BATCH_SIZE, (batch + 1) * PHASE2_BATCH_SIZE);
}

export async function createPeigAccounts(
  input: { migrationId: string; batch: number; pass: number; peers?: number },
  s: ApiModeServices,
): Promise<{ created: number; failed: number }> {
  // This batch's share of the app's Peig budget: the wave's batches together keep to Peig's limit,
  // wherever they run (docs/architecture.md#limits-for-the-whole-app).
  const peig = s.peig.sharedBy(input.peers ?? PHASE2_BATCHES_AT_ONCE);
  // Reads the batch's own rows; a plan recorded before batches were stored on the rows reads them all.
  const own = (await s.store.getUsers(input.migrationId, { phase2Batch: input.batch })).filter((u) => u.phase2.planned);
  const users =
    own.length > 0
      ? own.sort((a, b) => a.userId.localeCompare(b.userId))
      : batchOf(await s.store.getUsers(input.migrationId), input.batch);
  let created = users.filter((u) => u.phase2.result === "created").length;
  let failed = 0;
  // Two users in flight: one waits for its share of the budget while the other's result is stored, so
  // the store's latency does not eat into the batch's rate.
  await inLanes(
    users.filter((u) => u.phase2.result !== "created"),
    2,
    async (user) => {
      try {
        const result = await peig.createPeigAccount(user.userId);
        await s.store.updateUser(input.migrationId, user.userId, {
          state: "phase2Created",
          phase2: {
            ...user.phase2,
            attempts: user.phase2.attempts + 1,
            result: "created",
            peigAccountId: result.peigAccountId,
            error: undefined,
          },
        });
        await s.store.appendAudit({
          migrationId: input.migrationId,
          actor: "system",
          action: "peig.account.created",
          details: {
            userId: user.userId,
            userPrincipalName: user.userPrincipalName,
            peigAccountId: result.peigAccountId,
            new: result.created,
          },
        });
        created++;
      } catch (err) {
        // Peig down or refusing the key fails every user alike: that pauses the migration instead.
        if (!isPerUserFailure(err)) throw err;
        // Recorded and reported, never silently dropped; the batch's second pass tries again.
        const error = err instanceof Error ? err.message : String(err);
        await s.store.updateUser(input.migrationId, user.userId, {
          state: "phase2Failed",
          phase2: { ...user.phase2, attempts: user.phase2.attempts + 1, result: "failed", error },
        });
        failed++;
      }
    },
  );
  return { created, failed };
}

/**
 * Runs `work` on the items in order, `lanes` at a time. The first failure stops the lanes from taking
 * more items; it is thrown once the items already started have finished, so none runs on unseen.
 */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure) throw failure.error;
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const phase2Activities = { planPhase2, createPeigAccounts: apiModeOnly(createPeigAccounts) };
