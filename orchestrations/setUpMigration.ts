/**
 * Runbook "Phase 1: Set up the Migration App" and "Set the Migration Configuration in Peig":
 * read [SERVER] from the IDP Entity ID, create PeigMigrationManager with SAML SSO and an active
 * signing certificate, then put its Application ID and certificate into Peig's Migration section.
 * Each step is kept in the state once done, so a re-try after a failure goes on from the failed one.
 */
import type { OrchestrationContext } from "durable-functions";
import type { MigrationState } from "../shared/workflow";
import { call, enterPhase, publishProgress, type PhaseResult } from "./common";
import { humanGate, isSleep } from "./humanGate";

export function* setUpMigration(context: OrchestrationContext, state: MigrationState): PhaseResult {
  const { migrationId } = state;
  publishProgress(context, state, { waitingFor: "Entra migration app" });
  const setup = (state.setup ??= {});
  if (!setup.serverResolved) {
    yield* call(context, "resolvePeigServer", { migrationId });
    setup.serverResolved = true;
  }
  if (!setup.appCreated) {
    yield* call(context, "createMigrationApp", { migrationId });
    setup.appCreated = true;
  }

  if (state.peigMode === "api") {
    yield* call(context, "configurePeigMigration", { migrationId });
  } else {
    const outcome = yield* humanGate(context, state, "peigConfiguration", 1, 1);
    if (isSleep(outcome)) {
      publishProgress(context, state, { waitingFor: "the Peig admin to save the migration configuration" });
      return outcome;
    }
    if (outcome !== "done") {
      state.stoppedBecause = `the Peig configuration task ${outcome}`;
      return yield* enterPhase(context, state, "failed", state.stoppedBecause);
    }
  }
  yield* enterPhase(context, state, "onboarding");
}
