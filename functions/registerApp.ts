/**
 * Registers the whole app (orchestrations, activities, HTTP functions) on `services`, built once at start-up:
 * production's from validated settings (functions/index.ts), or a local stack's (local/stack.ts: simulators,
 * Azurite, a virtual clock). The activities are bound to them (activities/index.ts); the HTTP functions read
 * the same services from the process (shared/services.ts).
 */
import { createActivities, registerActivities } from "../activities";
import { registerOrchestrations } from "../orchestrations";
import { useServices, type Services } from "../shared/services";
import { registerAccessFunctions } from "./access";
import { registerMigrationFunctions } from "./migrations";
import { registerPageFunctions } from "./pages";
import { registerRetentionFunctions } from "./retention";
import { registerTaskFunctions } from "./tasks";

export function registerApp(services: Services): void {
  useServices(services);
  registerOrchestrations();
  registerActivities(createActivities(services));
  registerAccessFunctions();
  registerMigrationFunctions();
  registerPageFunctions();
  registerTaskFunctions();
  registerRetentionFunctions();
}
