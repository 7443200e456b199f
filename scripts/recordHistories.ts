/**
 * `npm run record-histories`: runs the recording scenarios (test/replay/scenarios.ts) on the local host
 * with the virtual clock and the simulators, and writes every execution's history to
 * test/fixtures/histories/<version>/<scenario>/. test/replay/replay.test.ts replays them.
 */
import path from "node:path";
import { installCoreShim } from "../local/host/installCoreShim";
import { plural } from "../shared/domain/plural";

installCoreShim();

async function main(): Promise<void> {
  // After the shim: loading the scenarios registers the app's functions.
  const { recordAll } = require("../test/replay/scenarios") as typeof import("../test/replay/scenarios");
  const root = path.resolve(__dirname, "..", "test", "fixtures", "histories");
  const files = await recordAll(root, (line) => console.log(line));
  console.log(`${plural(files.length, "file")} under ${path.relative(process.cwd(), root)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
