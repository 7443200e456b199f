/**
 * Operator mode: the Peig admin's Phase 2 task ("Create Peig Account" for each listed user), asked in rounds, as the
 * checklist confirmation is. A round that ends without the accounts (expired unanswered, or confirmed while the
 * verification still finds listed users without one) is told to the admins and asked again with a new task and link;
 * after PEIG_ACCOUNTS_ROUNDS of them in a row the migration needs attention instead, and an admin's resume asks again.
 * Phase 2 asks first (orchestrations/createMissingPeigAccounts.ts), the verification again (verifyMigration.ts).
 */
import type { OrchestrationContext } from "durable-functions";
import { PEIG_ACCOUNTS_ROUNDS, type MigrationState, type StepFailure } from "../shared/workflow";
import { call, publishProgress, StepFailedError, type PhaseStep, type Sleep } from "./common";
import { humanGate, isSleep } from "./humanGate";

/**
 * The round open now, or opened here: "done" once the Peig admin confirms it; a sleep while it is open; nothing when
 * it expired and the next round opens in the next execution.
 */
export function* askPeigAdminForAccounts(
  context: OrchestrationContext,
  state: MigrationState,
): PhaseStep<"done" | Sleep | undefined> {
  const asks = (state.peigAccounts ??= { round: 1, lastRound: PEIG_ACCOUNTS_ROUNDS });
  if (asks.next === "resume") resumed(asks);
  const outcome = yield* humanGate(context, state, "peigAccounts", asks.round, 1);
  // Opened (or open already): a round that ends from now on is one that was asked.
  delete asks.next;
  if (isSleep(outcome)) {
    publishProgress(context, state, {
      waitingFor: `the Peig admin to create the missing accounts${asks.round > 1 ? ` (asked again: round ${asks.round})` : ""}`,
    });
    return outcome;
  }
  if (outcome === "done") return "done";
  yield* askPeigAdminAgain(context, state, "expired");
  return undefined;
}

/**
 * The last round asked ended without the accounts: the admins are told, and the next round is to be asked (by the
 * caller, `next: "ask"`); or, after PEIG_ACCOUNTS_ROUNDS in a row, the step needs attention (thrown) until an admin's
 * resume, which is the ask for the next round. Safe to repeat before that round opens: nothing more has ended.
 */
export function* askPeigAdminAgain(
  context: OrchestrationContext,
  state: MigrationState,
  why: "expired" | "incomplete",
): PhaseStep {
  const asks = (state.peigAccounts ??= { round: 1, lastRound: PEIG_ACCOUNTS_ROUNDS });
  if (asks.next === "ask") return;
  // Back from needing attention: the admin resumed (the attention said why; no notice).
  if (asks.next === "resume") return resumed(asks);
  if (asks.round >= asks.lastRound) {
    asks.next = "resume";
    throw new StepFailedError(peigAdminDidNotCreate(asks.round, why));
  }
  yield* call(context, "notifyAdmins", {
    migrationId: state.migrationId,
    event: `peigAccounts.${why}`,
    details: { round: asks.round },
  });
  asks.round++;
  asks.next = "ask";
}

/** After an admin's resume: the next round is asked, and PEIG_ACCOUNTS_ROUNDS more before it needs attention again. */
function resumed(asks: NonNullable<MigrationState["peigAccounts"]>): void {
  asks.round++;
  asks.lastRound = asks.round + PEIG_ACCOUNTS_ROUNDS - 1;
  asks.next = "ask";
}

/** Needs attention: rounds in a row ended without the accounts; what happened and what to do, in words. */
function peigAdminDidNotCreate(round: number, why: "expired" | "incomplete"): StepFailure {
  const last =
    why === "expired"
      ? `round ${round} expired unanswered`
      : `round ${round} was confirmed, but the checklist still finds users without a Peig account (see "Phase 2 was completed" on the status page)`;
  return {
    step: "peigAccounts",
    service: "people",
    status: null,
    message: `The Peig admin's task to create the missing Peig accounts ended without them ${PEIG_ACCOUNTS_ROUNDS} rounds in a row: ${last}. It is not asked again by itself.`,
    fix: 'Make sure a Peig admin does it: the task e-mails go to this migration\'s admins. The users it lists are under "Not onboarded" on the status page; each gets a Peig account in Peig under MS365 Identifiers, Microsoft 365 Accounts, Create Peig Account. Then press Resume: a new task with a new link goes out. Nothing has been deleted.',
  };
}
