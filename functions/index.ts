/**
 * The app's entry point (package.json "main" → dist/functions/index.js): the only module with
 * registration side effects. The Functions host loads it; so does the local host.
 */
import { registerActivities } from "../activities";
import { registerOrchestrations } from "../orchestrations";
import { registerMigrationFunctions } from "./migrations";
import { registerPageFunctions } from "./pages";
import { registerTaskFunctions } from "./tasks";

registerOrchestrations();
registerActivities();
registerMigrationFunctions();
registerPageFunctions();
registerTaskFunctions();
