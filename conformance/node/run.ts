/**
 * The conformance tier: runs each scenario on the real Durable Task extension (conformance/Harness, on Azurite)
 * and on the local host, compares them, prints one line per scenario and a closing line, and writes
 * artifacts/conformance.json (scripts/test.js and .ci/run add its counts to the test summary).
 *
 *   node -r ts-node/register/transpile-only conformance/node/run.ts [part of a scenario name[|another part...]]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { registry } from "../../local/host/fakeCore";
import { installCoreShim } from "../../local/host/installCoreShim";
import { holds } from "../fixtures/holds";
import { differences, executions, type Trace } from "./compare";
import { Recorder } from "./recorder";
import { buildHarness, extensionVersion, startStorage } from "./realHost";
import { scenarios, type Scenario } from "./scenarios";
import { ExtensionSide, LocalSide, type Side } from "./sides";
import { startWorker } from "./worker";

installCoreShim();
require("../fixtures/index"); // registers the fixtures: only after the shim, or @azure/functions drops them
require("../fixtures/appMigration"); // the app's orchestrations, its activities stubbed
require("../fixtures/strictness"); // L1–L3 of issue 24

const root = path.resolve(__dirname, "..", "..");
const artifacts = path.join(root, "artifacts");
const resultsFile = path.join(artifacts, "conformance.json");

interface Result {
  name: string;
  passed: boolean;
  /** A known divergence that is still there (counted as skipped). */
  skipped?: boolean;
  seconds: number;
  notes: string[];
  extension?: Trace;
  local?: Trace;
}

function write(summary: object): void {
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));
}

function hasDotnet(): boolean {
  return spawnSync("dotnet", ["--version"], { encoding: "utf8" }).status === 0;
}

/** Functions.cs must declare exactly the registered functions (WebJobs only knows what it finds by reflection). */
function checkFunctionList(): void {
  const cs = fs.readFileSync(path.join(__dirname, "..", "Harness", "Functions.cs"), "utf8");
  const declared = [...cs.matchAll(/\[FunctionName\("([^"]+)"\)\]/g)].map((m) => m[1]).sort();
  const expected = [...registry.keys()].sort();
  if (JSON.stringify(declared) !== JSON.stringify(expected)) {
    throw new Error(
      `conformance/Harness/Functions.cs declares [${declared.join(", ")}] but the fixtures are [${expected.join(", ")}]`,
    );
  }
}

async function runOn(side: Side, scenario: Scenario, recorder: Recorder): Promise<Trace> {
  recorder.take();
  holds.reset();
  let id: string | undefined;
  try {
    id = await scenario.run({ side, recorder });
  } finally {
    // Every episode as the host delivered it, for reading a failure (artifacts/conformance-episodes/).
    const episodes = recorder.take();
    const dir = path.join(artifacts, "conformance-episodes");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${scenario.name.replace(/\W+/g, "-")}.${side.name.replace(/\W+/g, "-")}.json`),
      JSON.stringify(episodes, null, 1),
    );
    recorder.restore(episodes);
  }
  const status = await side.client().getStatus(id);
  return {
    instances: executions(recorder.take(), id, !!scenario.unordered),
    status: status.runtimeStatus,
    output: status.output ?? null,
  };
}

function judge(
  scenario: Scenario,
  extension: Trace,
  local: Trace,
): { passed: boolean; skipped?: boolean; notes: string[] } {
  const broken = scenario.brokenOnPurpose;
  if (broken) {
    const correct =
      extension.status === "Completed" && JSON.stringify(extension.output) === JSON.stringify(broken.correct);
    const shows =
      extension.status === broken.extension.status &&
      JSON.stringify(extension.output) === JSON.stringify(broken.extension.output);
    const loud =
      local.status === "Failed" &&
      broken.localHostFails.test(typeof local.output === "string" ? local.output : JSON.stringify(local.output));
    const notes = [
      `extension: ${extension.status} ${JSON.stringify(extension.output)}` +
        (correct
          ? " (correct: the problem did not show)"
          : shows
            ? " (the problem shows, as expected)"
            : ` (expected ${broken.extension.status} ${JSON.stringify(broken.extension.output)})`),
      `local host: ${local.status} ${JSON.stringify(local.output)}${loud ? " (fails loudly, as expected)" : ` (expected Failed matching ${broken.localHostFails})`}`,
    ];
    return { passed: shows && loud, notes };
  }
  const diff = differences(extension, local);
  if (scenario.knownDivergence) {
    if (diff.length === 0)
      return { passed: true, notes: ["the known divergence is gone: remove knownDivergence from this scenario"] };
    return { passed: false, skipped: true, notes: [`known divergence: ${scenario.knownDivergence}`, ...diff] };
  }
  return { passed: diff.length === 0, notes: diff };
}

async function main(): Promise<number> {
  const version = extensionVersion();
  if (!hasDotnet()) {
    console.log(
      "conformance: skipped: dotnet is not on the PATH (the tier needs the .NET SDK to host the real Durable extension)",
    );
    write({ skipped: true, extension: version, passed: 0, failed: 0, scenarios: [] });
    return 0;
  }
  const filter = process.argv[2];
  // Parts of names, "|" between alternatives: "L1|L2|L3" runs those scenarios only.
  const selected = scenarios.filter((s) => !filter || filter.split("|").some((part) => s.name.includes(part)));
  checkFunctionList();
  const started = Date.now();
  buildHarness();
  console.log(`conformance: harness built in ${Math.round((Date.now() - started) / 1000)} s`);

  const recorder = new Recorder();
  recorder.install();
  const logFile = path.join(artifacts, "conformance-harness.log");
  fs.mkdirSync(artifacts, { recursive: true });
  fs.rmSync(logFile, { force: true });
  const workerLog = fs.createWriteStream(path.join(artifacts, "conformance-worker.log"));
  const storage = await startStorage();
  const worker = await startWorker((line) => workerLog.write(`${line}\n`));
  const taskHub = `conformance${Date.now().toString(36)}`;
  const results: Result[] = [];
  let extension: ExtensionSide | undefined;
  try {
    extension = await ExtensionSide.create({
      connectionString: storage.connectionString,
      workerUrl: worker.url,
      taskHub,
      logFile,
    });
    for (const scenario of selected) {
      const t0 = Date.now();
      const result: Result = { name: scenario.name, passed: false, seconds: 0, notes: [] };
      let local: LocalSide | undefined;
      try {
        result.extension = await withTimeout(
          runOn(extension, scenario, recorder),
          scenario.timeoutMs ?? 90_000,
          "extension",
        );
        local = await LocalSide.create();
        result.local = await withTimeout(runOn(local, scenario, recorder), scenario.timeoutMs ?? 90_000, "local host");
        Object.assign(result, judge(scenario, result.extension, result.local));
      } catch (err) {
        result.notes.push(err instanceof Error ? err.message : String(err));
      } finally {
        await local?.stop().catch(() => undefined);
      }
      result.seconds = Math.round((Date.now() - t0) / 100) / 10;
      results.push(result);
      console.log(`  ${result.passed ? "✓" : result.skipped ? "○" : "✗"} ${scenario.name} (${result.seconds} s)`);
      for (const note of result.notes) console.log(`      ${note}`);
    }
  } finally {
    await extension?.stop().catch(() => undefined);
    await worker.close();
    await storage.stop();
    workerLog.end();
  }
  const passed = results.filter((r) => r.passed).length;
  const skipped = results.filter((r) => r.skipped).length;
  const failed = results.length - passed - skipped;
  write({
    skipped: false,
    extension: version,
    passed,
    failed,
    knownDivergences: skipped,
    seconds: Math.round((Date.now() - started) / 1000),
    scenarios: results,
  });
  const known = skipped ? `, ${skipped} skipped (known divergence)` : "";
  console.log(
    `conformance: ${results.length} scenarios on Microsoft.Azure.WebJobs.Extensions.DurableTask ${version}: ${passed} passed, ${failed} failed${known}`,
  );
  return failed === 0 && results.length > 0 ? 0 : 1;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<T>(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error(`${what}: the scenario did not finish within ${ms} ms`)), ms)),
    ),
  ]);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log(
      `conformance: 0 scenarios on Microsoft.Azure.WebJobs.Extensions.DurableTask ${extensionVersion()}: 0 passed, 1 failed`,
    );
    write({ skipped: false, extension: extensionVersion(), passed: 0, failed: 1, error: String(err), scenarios: [] });
    process.exit(1);
  },
);
