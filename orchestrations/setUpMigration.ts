/**
 * Runbook "Phase 1: Set up the Migration App" and "Set the Migration Configuration in Peig":
 * read [SERVER] from the IDP Entity ID, create PeigMigrationManager with SAML SSO and an active
 * signing certificate, then put its Application ID and certificate into Peig's Migration section.
 */
import type { OrchestrationContext } from "durable-functions";
import { Activities, type MigrationState } from "../shared/workflow";
import { call, enterPhase, publishProgress, type PhaseStep } from "./common";
import { waitForPeople } from "./humanTasks";

export function* setUpMigration(context: OrchestrationContext, state: MigrationState, linkTtlMs: number): PhaseStep {
  publishProgress(context, state, { waitingFor: "Entra migration app" });
  state.server = yield* call<string>(context, Activities.resolvePeigServer, { migrationId: state.migrationId });
  state.app = yield* call<MigrationState["app"]>(context, Activities.createMigrationApp, { migrationId: state.migrationId, server: state.server });

  if (state.peigMode === "api") {
    yield* call(context, Activities.configurePeigMigration, { migrationId: state.migrationId });
  } else {
    publishProgress(context, state, { waitingFor: "the Peig admin to save the migration configuration" });
    const outcome = yield* waitForPeople(context, state, "peigConfiguration", { round: 1, required: 1, linkTtlMs });
    // As at the approval gate: the dispatcher's next read sees the cancellation and stops the migration,
    // telling the admins the reason and who cancelled.
    if (outcome === "cancelled") return;
    if (outcome !== "done") {
      state.stoppedBecause = `the Peig configuration task ${outcome}`;
      return yield* enterPhase(context, state, "failed", state.stoppedBecause);
    }
  }
  yield* enterPhase(context, state, "onboarding");
}
