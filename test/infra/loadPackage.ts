/**
 * Loads a staged deployment package's entry point the way the Functions worker does, in a process
 * of its own: `node -r sucrase/register/ts test/infra/loadPackage.ts <package dir>`.
 * Only `@azure/functions-core` comes from outside the package (the worker provides it; here the
 * local host's stand-in does); every other module resolves from the package's own node_modules.
 * Prints one JSON line: each registered function's name and trigger type.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installCoreShim } from "../../local/host/installCoreShim";

const dir = resolve(process.argv[2] ?? "");
const { registry } = installCoreShim();
const main = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { main: string }).main;
require(join(dir, main));
const functions = [...registry.values()].map(({ metadata }) => ({
  name: metadata.name,
  trigger: Object.values(metadata.bindings).find((b) => b.type.endsWith("Trigger"))?.type,
}));
console.log(JSON.stringify({ functions }));
