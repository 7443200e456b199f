/**
 * The conformance tier: runs each scenario on the real Durable Task extension (conformance/Harness, on Azurite)
 * and on the local host, compares them, prints one line per scenario and a closing line, and writes
 * artifacts/conformance.json (scripts/test.js and .ci/run add its counts to the test summary).
 *
 *   node -r sucrase/register/ts conformance/node/run.ts [part of a scenario name[|another part] ...]
 *
 * With names, only the scenarios whose name contains one of them run. Every run writes the extension's
 * histories to artifacts/conformance-histories/; with --record-fixtures, those of the scenarios in
 * REPLAY_FIXTURES also replace test/fixtures/extension-histories/, which the replay tests read.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { registry } from "../../local/host/fakeCore";
import { installCoreShim } from "../../local/host/installCoreShim";
import { plural } from "../../shared/domain/plural";
import { holds } from "../fixtures/holds";
import { writeFixtures, type RecordedExecution } from "../../local/host/replay";
import { differences, executions, type Trace } from "./compare";
import { recordedExecutions } from "./histories";
import { Recorder } from "./recorder";
import { buildHarness, extensionVersion, startStorage } from "./realHost";
import { scenarios, type Scenario } from "./scenarios";
import { strictnessScenarios } from "./strictnessScenarios";
import { workflowScenarios } from "./workflowScenarios";
import { ExtensionSide, LocalSide, type Side } from "./sides";
import { startWorker } from "./worker";

installCoreShim();
require("../fixtures/index"); // registers the fixtures: only after the shim, or @azure/functions drops them
require("../fixtures/appMigration"); // the app's orchestrations, its activities stubbed
require("../fixtures/strictness"); // L1–L3 of issue 24
require("../fixtures/versioned");
require("../fixtures/failing");

const root = path.resolve(__dirname, "..", "..");
const artifacts = path.join(root, "artifacts");
const resultsFile = path.join(artifacts, "conformance.json");
const historiesDir = path.join(artifacts, "conformance-histories");
const fixturesDir = path.join(root, "test", "fixtures", "extension-histories");

/**
 * The scenarios whose histories on the extension are kept as replay fixtures: the app's own orchestrators
 * (the replay tests register only those), each a different part of the runbook.
 */
const REPLAY_FIXTURES = [
  "app: deletion approval gate",
  "app: needs attention, then resume",
  "app: onboarding window, two reminders, the deadline",
  "app: Phase 2, one batch fails while another is held",
  "app: cancel command",
  "app: merge task",
];
const slug = (name: string) => name.replace(/\W+/g, "-").replace(/^-|-$/g, "").toLowerCase();

interface Result {
  name: string;
  passed: boolean;
  /** A known divergence that is still there (counted as skipped). */
  skipped?: boolean;
  seconds: number;
  notes: string[];
  extension?: Trace;
  local?: Trace;
  /** The extension's histories of the scenario, as replay fixtures. */
  histories?: RecordedExecution[];
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

async function runOn(
  side: Side,
  scenario: Scenario,
  recorder: Recorder,
): Promise<Trace & { histories: RecordedExecution[] }> {
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
  const episodes = recorder.take();
  const instances = executions(episodes, id, !!scenario.unordered);
  const finalStatus: Record<string, string> = {};
  for (const instanceId of Object.keys(instances))
    finalStatus[instanceId] = (await side.client().getStatus(instanceId)).runtimeStatus;
  return {
    instances,
    status: status.runtimeStatus,
    output: status.output ?? null,
    histories: recordedExecutions(slug(scenario.name), episodes, id, finalStatus),
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
  // Parts of names, as arguments or with "|" between them: "L1|L2|L3" runs those scenarios only.
  const filters = process.argv
    .slice(2)
    .filter((a) => !a.startsWith("--"))
    .flatMap((a) => a.split("|"));
  const recordFixtures = process.argv.includes("--record-fixtures");
  const selected = [...scenarios, ...strictnessScenarios, ...workflowScenarios].filter(
    (s) => filters.length === 0 || filters.some((f) => s.name.includes(f)),
  );
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
        const { histories, ...onExtension } = await withTimeout(
          runOn(extension, scenario, recorder),
          scenario.timeoutMs ?? 90_000,
          "extension",
        );
        result.extension = onExtension;
        result.histories = histories;
        writeFixtures(historiesDir, slug(scenario.name), histories);
        local = await LocalSide.create();
        const { histories: _, ...onLocalHost } = await withTimeout(
          runOn(local, scenario, recorder),
          scenario.timeoutMs ?? 90_000,
          "local host",
        );
        result.local = onLocalHost;
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
  if (recordFixtures) recordReplayFixtures(results);
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
    scenarios: results.map(({ histories: _, ...r }) => r),
  });
  const known = skipped ? `, ${skipped} skipped (known divergence)` : "";
  console.log(
    `conformance: ${results.length} scenarios on Microsoft.Azure.WebJobs.Extensions.DurableTask ${version}: ${passed} passed, ${failed} failed${known}`,
  );
  return failed === 0 && results.length > 0 ? 0 : 1;
}

/** Replaces the committed replay fixtures of each REPLAY_FIXTURES scenario that passed in this run. */
function recordReplayFixtures(results: Result[]): void {
  for (const name of REPLAY_FIXTURES) {
    const result = results.find((r) => r.name === name);
    if (!result?.passed || !result.histories) {
      console.log(`  replay fixtures: '${name}' did not run and pass here: its committed histories are kept`);
      continue;
    }
    const files = writeFixtures(fixturesDir, slug(name), result.histories);
    console.log(`  replay fixtures: ${plural(files.length, "file")} for '${name}'`);
  }
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
