/**
 * Where everyone stands, read fresh from the services: Microsoft 365 users in scope (Graph) against
 * Peig's Users & Access and MS365 Identifiers (api mode) or the migration app's sign-ins (operator
 * mode), recorded on the user rows and the migration row's counts. Every activity that needs it (the
 * invitation, the reminders, the monitor, Phase 2 planning, the checklist) runs the same pass.
 */
import { DAY } from "./domain/duration";
import { exemptIds } from "./domain/exemptions";
import { migrationScope } from "./domain/scope";
import { emptyWaveCounts, hasWaves, waveOfPerson, wavesOf, type WaveCounts } from "./domain/waves";
import { reconcile, type Reconciliation, type UserReconciliation } from "./domain/reconcile";
import type { MigrationSignIn } from "./entra/port";
import { updateRuntime, type MigrationRuntime } from "./migrationRecord";
import type { Services } from "./services";
import type { UserRecord, UserState as StoredUserState, UserUpsert } from "./store";
import type { MigrationCounts } from "./workflow";

/**
 * Sign-in log entries can show up late (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-latencies):
 * each incremental read goes back this far before the newest entry already recorded.
 */
const SIGN_IN_OVERLAP_MS = DAY;

/**
 * Reconciles. Operator mode reads the sign-in log incrementally: entries since the cursor (minus the
 * overlap), plus the first sign-ins earlier passes recorded on the user rows, so a pass never reads
 * the whole log again. Read-only: the cursor moves in `reconcileAndRecord`, once the rows are written.
 */
export async function currentReconciliation(
  runtime: MigrationRuntime,
  s: Services,
  stored: ReadonlyMap<string, UserRecord> | undefined,
): Promise<Reconciliation> {
  const users = await s.entra.listUsersInScope(migrationScope(runtime.request));
  if (runtime.peigMode === "api") {
    const peig = s.peig;
    if (!peig)
      throw new Error("this migration runs in api mode, but the app runs with PEIG_MODE=operator: set it back to api");
    const [peigUsers, pendingRequests, microsoft365Accounts] = await Promise.all([
      peig.listUsers(),
      peig.listPendingRequests(),
      peig.listMicrosoft365Accounts(),
    ]);
    return reconcile({ mode: "api", users, peig: { users: peigUsers, pendingRequests, microsoft365Accounts } });
  }
  if (!runtime.app) return reconcile({ mode: "operator", users, signIns: [] });
  const cursor = runtime.signInCursor;
  const since = cursor && new Date(Date.parse(cursor.newestSeen) - SIGN_IN_OVERLAP_MS).toISOString();
  const fresh = await s.entra.listMigrationSignIns({ appId: runtime.app.appId, since });
  const earlier: MigrationSignIn[] = [];
  if (cursor && stored) {
    for (const u of stored.values()) {
      if (u.signedInAt)
        earlier.push({
          id: `recorded:${u.userId}`,
          userId: u.userId,
          userPrincipalName: u.userPrincipalName,
          createdDateTime: u.signedInAt,
        });
    }
  }
  return reconcile({ mode: "operator", users, signIns: [...earlier, ...fresh] });
}

export interface PassOptions {
  /** Changes each row before it is compared and written (Phase 2 planning marks who gets an account). */
  rows?: (reconciliation: Reconciliation) => (row: UserUpsert) => UserUpsert;
  /** More changes to the runtime, written with the counts in the same ETag-guarded write. */
  runtime?: (runtime: MigrationRuntime, reconciliation: Reconciliation) => void;
  /** Sees every stored user row as it was before the pass wrote (the Phase 2 results the pass leaves alone). */
  stored?: (row: UserRecord) => void;
}

/**
 * A pass: reconcile, write the user rows that changed, then the migration row's counts (and, in operator
 * mode, the sign-in cursor at the newest sign-in now recorded) in one write, skipped when nothing changed.
 * Api mode compares with the stored rows page by page after listing: a pass at 100,000 users then holds
 * neither every stored row while it pages the services nor afterwards.
 */
export async function reconcileAndRecord(
  s: Services,
  migrationId: string,
  runtime: MigrationRuntime,
  options: PassOptions = {},
): Promise<{ reconciliation: Reconciliation; counts: MigrationCounts; waveOf?: WaveOf }> {
  const early = runtime.peigMode === "operator" ? await storedUsers(s, migrationId) : undefined;
  const reconciliation = await currentReconciliation(runtime, s, early);
  const waveOf = await waveAssignment(s, runtime.request);
  const edit = options.rows?.(reconciliation);
  const covered = early && phase2CoversListedUsers(runtime, [...early.values()].filter((u) => u.phase2.planned).length);
  const exempt = exemptIds(runtime.exemptions);
  // The migration row's counts, from the rows as the pass writes them.
  const tally = new RowTally(waveOf && wavesOf(runtime.request).length);
  // Every fresh row, until the stored row shows it changes nothing.
  const pending = new Map<string, UserUpsert>();
  for (const fresh of userRows(reconciliation)) {
    const row = edit ? edit(fresh) : fresh;
    // Operator mode: a listed user with no sign-in has the Phase 2 account the Peig admin made, as in api mode.
    if (covered && row.state === "notOnboarded" && early?.get(row.userId)?.phase2.planned) row.state = "phase2Created";
    // Counted apart: an exempted user who has not onboarded is neither mailed nor given a Phase 2 account.
    if (row.state === "notOnboarded" && exempt.has(row.userId)) row.state = "exempted";
    pending.set(row.userId, row);
    tally.state(row, waveOf?.(row.userId));
  }
  // Phase 2 results are not the reconciliation's: the rows keep them (Phase 2 is planned on rows that exist).
  const compare = (stored: UserRecord) => {
    options.stored?.(stored);
    if (stored.phase2.result === "failed") tally.phase2Failed++;
    const row = pending.get(stored.userId);
    if (!row) return;
    tally.phase2(row, row.phase2 ?? stored.phase2);
    if (!changes(row, stored)) pending.delete(stored.userId);
  };
  if (early) early.forEach(compare);
  else await s.store.forEachUserPage(migrationId, (page) => page.forEach(compare));
  await s.store.upsertUsers(migrationId, [...pending.values()]);
  const counts = tally.counts(reconciliation);
  const readAt = s.clock.now().toISOString();
  const newest =
    runtime.peigMode === "operator"
      ? reconciliation.users.reduce<string | undefined>(
          (max, u) => (u.signedInAt && (!max || u.signedInAt > max) ? u.signedInAt : max),
          runtime.signInCursor?.newestSeen,
        )
      : undefined;
  await updateRuntime(s, migrationId, (rt, record) => {
    const cursorMoved = newest !== undefined && newest !== rt.signInCursor?.newestSeen;
    if (cursorMoved) rt.signInCursor = { newestSeen: newest };
    // How fresh the figures are: the status page says up to when the sign-in log was complete.
    if (runtime.peigMode === "operator") rt.signInsReadAt = readAt;
    options.runtime?.(rt, reconciliation);
    if (!options.runtime && !cursorMoved && runtime.peigMode !== "operator" && sameCounts(record.counts, counts))
      return false;
    return { counts };
  });
  return { reconciliation, counts, ...(waveOf ? { waveOf } : {}) };
}

/** Which wave a person is in (undefined: in none); only for a migration with waves. */
export type WaveOf = (userId: string) => number | undefined;

/**
 * Which wave each person is in, from each wave's group read afresh (membership may change during the window, so
 * each pass places people anew; the dry run reads it the same way). Undefined without waves.
 */
export async function waveAssignment(
  s: Pick<Services, "entra">,
  request: MigrationRuntime["request"],
): Promise<WaveOf | undefined> {
  if (!hasWaves(request)) return undefined;
  const waves = wavesOf(request);
  const members: Set<string>[] = [];
  for (const wave of waves) members.push(new Set(wave.group ? await s.entra.listGroupUserIds(wave.group) : []));
  return (userId) => waveOfPerson(waves, members, userId);
}

const sameCounts = (a: MigrationCounts, b: MigrationCounts) =>
  (Object.keys(b) as (keyof MigrationCounts)[]).every((k) =>
    typeof b[k] === "object" ? JSON.stringify(a[k]) === JSON.stringify(b[k]) : a[k] === b[k],
  );

async function storedUsers(s: Services, migrationId: string): Promise<Map<string, UserRecord>> {
  return new Map((await s.store.getUsers(migrationId)).map((u) => [u.userId, u]));
}

const storedState: Record<UserReconciliation["state"], StoredUserState> = {
  onboarded: "onboarded",
  pendingRequest: "pendingRequest",
  mismatched: "mismatched",
  awaitingOnboarding: "phase2Created",
  notOnboarded: "notOnboarded",
};

export const storedStateOf = (u: UserReconciliation): StoredUserState => storedState[u.state];

/** Per-user rows as the monitor sees them (reminder counts and Phase 2 results are kept as they are). */
function* userRows(reconciliation: Reconciliation): Generator<UserUpsert> {
  const suggestions = new Map(
    reconciliation.mismatchedRequests
      .filter((m) => m.suggestedMergeTarget)
      .map((m) => [
        m.suggestedMergeTarget!.userId,
        {
          requestId: m.request.id,
          typedEmail: m.request.email,
          matchedBy: m.suggestedMergeTarget!.matchedBy,
          peigAccountId: m.suggestedMergeTarget!.peigAccountId,
          reason: m.reason,
        },
      ]),
  );
  for (const u of reconciliation.users) {
    yield {
      userId: u.userId,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      mail: u.mail ?? undefined,
      state: storedStateOf(u),
      mergeSuggestion: suggestions.get(u.userId),
      signedInAt: u.signedInAt,
    };
  }
}

/**
 * Whether the upsert would change its stored row: a field it gives differs. A loop over the fields, not
 * `Object.entries`: every pass asks this of every user row (30,000 a pass at scale), and the pairs were its cost.
 */
function changes(row: UserUpsert, stored: UserRecord): boolean {
  const fresh = row as unknown as Record<string, unknown>;
  const current = stored as unknown as Record<string, unknown>;
  for (const field of Object.keys(fresh)) {
    const value = fresh[field];
    if (value === undefined) continue;
    if (typeof value === "object" ? JSON.stringify(value) !== JSON.stringify(current[field]) : value !== current[field])
      return true;
  }
  return false;
}

/** The migration row's counts, from the user rows as the pass writes them. */
class RowTally {
  private readonly states: Record<StoredUserState, number> = {
    notOnboarded: 0,
    pendingRequest: 0,
    mismatched: 0,
    onboarded: 0,
    phase2Created: 0,
    phase2Failed: 0,
    exempted: 0,
  };
  phase2Failed = 0;
  private planned = 0;
  private made = 0;
  private signedInSince = 0;
  private readonly waves?: WaveCounts[];

  /** `waves`: how many waves the migration has (each is tallied apart); absent without waves. */
  constructor(waves?: number) {
    if (waves) this.waves = Array.from({ length: waves }, emptyWaveCounts);
  }

  state(row: UserUpsert, wave?: number): void {
    this.states[row.state]++;
    const counts = wave === undefined ? undefined : this.waves?.[wave];
    if (!counts) return;
    counts.inScope++;
    counts[waveCountOf[row.state]]++;
  }

  /** An in-scope user's Phase 2 result, as their stored row (or this pass's planning) has it. */
  phase2(row: UserUpsert, phase2: UserRecord["phase2"]): void {
    if (!phase2.planned) return;
    this.planned++;
    if (phase2.result === "created") this.made++;
    if (row.state === "onboarded") this.signedInSince++;
  }

  counts(reconciliation: Reconciliation): MigrationCounts {
    return {
      inScope: reconciliation.counts.inScope,
      onboarded: this.states.onboarded,
      pending: this.states.pendingRequest,
      mismatched: reconciliation.counts.mismatchedRequests,
      notOnboarded: this.states.notOnboarded,
      exempted: this.states.exempted,
      phase2Created: this.states.phase2Created,
      phase2Failed: this.phase2Failed,
      phase2Planned: this.planned,
      phase2Made: this.made,
      phase2SignedInSince: this.signedInSince,
      ...(this.waves ? { waves: this.waves } : {}),
    };
  }
}

/** A user row's state as a wave counts it (a failed Phase 2 account leaves the person not onboarded). */
const waveCountOf: Record<StoredUserState, Exclude<keyof WaveCounts, "inScope">> = {
  notOnboarded: "notOnboarded",
  pendingRequest: "pending",
  mismatched: "mismatched",
  onboarded: "onboarded",
  phase2Created: "phase2Created",
  phase2Failed: "notOnboarded",
  exempted: "exempted",
};

/**
 * Operator mode: Phase 2 ended and the Peig admin reported no failure, so every listed user has a Peig account
 * (created, or found already linked). With failures the app cannot tell whose failed: none counts as covered. A report
 * accounts for the `listed` users of its task (created + already linked + failed, as the confirmation checked): once
 * more are listed (a later round added users who came into scope), it covers none until the next one.
 */
export function phase2CoversListedUsers(runtime: MigrationRuntime, listed: number): boolean {
  const ended = runtime.phase2;
  if (!ended || ended.skipped) return false;
  const report = runtime.operatorReports?.phase2;
  if (!report) return ended.failed === 0;
  return report.failed === 0 && report.created + report.alreadyLinked >= listed;
}

/** Only users with a mailbox can be mailed (a UPN without a mailbox receives nothing). */
export const hasMailbox = <T extends { mail: string | null }>(u: T): u is T & { mail: string } => !!u.mail;
