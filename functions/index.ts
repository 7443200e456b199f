/**
 * The app's entry point (package.json "main" → dist/functions/index.js), loaded by the Functions host: builds
 * the production services once from the validated settings (a bad setting stops the app here, naming it) and
 * registers the app on them.
 */
import { loadSettings } from "../shared/config";
import { useInvocationLogging } from "../shared/migrationLog";
import { productionServices } from "../shared/services";
import { registerApp } from "./registerApp";

useInvocationLogging();
registerApp(productionServices(loadSettings()));
