/**
 * One Functions instance of a Phase 2 wave, in a process of its own (local/bench/phase2Processes.ts starts
 * several): `node -r sucrase/register/ts local/bench/phase2Worker.ts <config JSON>`. It builds
 * the ports an activity uses (the app's store on Azurite, the Peig API client), prints `ready`, waits for
 * `go` on stdin, then runs its createPeigAccounts activities at once, as an instance running several
 * activities does, and prints their results as one JSON line.
 */
import { createInterface } from "node:readline";
import { createPeigAccounts } from "../../activities/phase2";
import { systemClock } from "../../shared/clock";
import { PeigApiClient } from "../../shared/peig/apiClient";
import type { ApiModeServices } from "../../shared/services";
import { TableMigrationStore } from "../../shared/store";
import type { ActivityInput } from "../../orchestrations/common";

export interface Phase2WorkerConfig {
  peigBaseUrl: string;
  peigApiKey: string;
  storageConnection: string;
  tablePrefix: string;
  inputs: ActivityInput<"createPeigAccounts">[];
}

/** The ports createPeigAccounts does not use fail loudly instead of standing in silently. */
function unused(name: string): never {
  return new Proxy(
    {},
    {
      get: () => {
        throw new Error(`createPeigAccounts used ${name}`);
      },
    },
  ) as never;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as Phase2WorkerConfig;
  const services: ApiModeServices = {
    settings: unused("settings"),
    clock: systemClock,
    store: new TableMigrationStore(
      { connectionString: config.storageConnection },
      { tablePrefix: config.tablePrefix, clock: systemClock },
    ),
    entra: unused("entra"),
    mail: unused("mail"),
    // Each process has its own client, as each instance of the Function App has.
    peig: new PeigApiClient({ baseUrl: config.peigBaseUrl, apiKey: config.peigApiKey, clock: systemClock }),
    counters: unused("counters"),
  };
  console.log("ready");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === "go") break;
  lines.close();
  const results = await Promise.all(config.inputs.map((input) => createPeigAccounts(input, services)));
  console.log(JSON.stringify(results));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
