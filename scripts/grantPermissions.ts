/**
 * `npm run grant-permissions -- --principal-id <id> [--dry-run]`: gives the app's managed identity the
 * Microsoft Graph application permissions it needs (scripts/grantPermissions/). Uses the caller's own
 * sign-in (az login, or a managed identity where one is present) through @azure/identity.
 */
import { createGraphClientFromSettings } from "../shared/graph/client";
import { GraphCaller } from "../shared/graph/graphCaller";
import { systemClock } from "../shared/clock";
import { RequestCounter } from "../shared/requestCounter";
import { parseGrantArguments, usage } from "./grantPermissions/args";
import { grantGraphPermissions } from "./grantPermissions/grant";

async function main(argv: string[]): Promise<number> {
  const parsed = parseGrantArguments(argv);
  if (!parsed.ok) {
    console.error(`${parsed.error}\n\n${usage}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage);
    return 0;
  }
  const args = parsed.value;
  const { client } = createGraphClientFromSettings({
    GRAPH_CLOUD: args.cloud,
    GRAPH_BASE_URL: args.graphBaseUrl,
    AZURE_CLIENT_ID: process.env.AZURE_CLIENT_ID,
  });
  const graph = new GraphCaller({ client, clock: systemClock, counter: new RequestCounter() });
  await grantGraphPermissions(graph, args, (line) => console.log(line));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
