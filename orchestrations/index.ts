/** The orchestrations, registered under the names callers use. */
import * as df from "durable-functions";
import { Orchestrations } from "../shared/workflow";
import { subOrchestrationHandler } from "./common";
import { createPeigAccountsBatch } from "./createMissingPeigAccounts";
import { migrationOrchestrator } from "./migration";

export function registerOrchestrations(): void {
  df.app.orchestration(Orchestrations.migration, migrationOrchestrator);
  df.app.orchestration(createPeigAccountsBatch.name, subOrchestrationHandler(createPeigAccountsBatch));
}
