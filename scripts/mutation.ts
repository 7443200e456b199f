/**
 * `npm run mutation`: StrykerJS on the code that guards people and the irreversible step (docs/testing.md#mutation).
 * Each module of scripts/mutationModules.ts is mutated on its own, against the jest tests that exercise it (jest
 * alone: no conformance tier, no dotnet), one test process at a time so the run fits a shared 2-core machine. Prints
 * the score per module and the run's duration; writes each module's HTML report to artifacts/mutation/<module>.html
 * and the scores to artifacts/mutation/summary.json. Exits non-zero when a module scores under its target, and with 2
 * before anything runs when a module names a guard that no longer exists.
 *
 * `npm run mutation -- tally closing` runs only the modules named, in that order. `--typecheck` adds Stryker's
 * TypeScript checker, which leaves out the mutants that would not compile; it costs several seconds a mutant on a
 * shared 2-core machine, so by default those mutants run too (jest's transform only strips the types) and, when one survives, it is
 * listed like any other.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startAzurite } from "../local/azurite";
import { MODULES, TARGET, resolveModules, type MutationModule } from "./mutationModules";

/** jest.config.js: the mutants load the code through the same transform as `npm test`. */
const jestConfig = require("../jest.config.js") as { transform: Record<string, unknown> };

const root = path.resolve(__dirname, "..");
const out = path.join(root, "artifacts", "mutation");
const stryker = path.join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");

interface ModuleScore {
  name: string;
  guards: string;
  score: number | null;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  invalid: number;
  seconds: number;
  survivors: string[];
}

/** The Stryker options for one module: the jest config without Azurite's global setup (this script starts one). */
function strykerConfig(m: MutationModule, mutate: string[], typecheck: boolean): Record<string, unknown> {
  return {
    packageManager: "npm",
    testRunner: "jest",
    plugins: ["@stryker-mutator/jest-runner", "@stryker-mutator/typescript-checker"],
    ...(typecheck
      ? {
          checkers: ["typescript"],
          tsconfigFile: "tsconfig.mutation.json",
          typescriptChecker: { prioritizePerformanceOverAccuracy: true },
        }
      : {}),
    coverageAnalysis: "perTest",
    jest: {
      projectType: "custom",
      enableFindRelatedTests: true,
      config: {
        testEnvironment: "node",
        transform: jestConfig.transform,
        testMatch: m.tests.map((t) => `<rootDir>/${t}`),
        moduleNameMapper: { "^@azure/functions-core$": "<rootDir>/local/host/fakeCore.ts" },
        testTimeout: 60000,
        // The custom config is laid over jest.config.js: its global setup would start an Azurite for every mutant.
        globalSetup: null,
        globalTeardown: null,
      },
    },
    mutate,
    // A mutant of a module-level constant would need every test again: not worth it for these modules.
    ignoreStatic: true,
    concurrency: 1,
    timeoutMS: 20000,
    timeoutFactor: 2,
    reporters: ["html", "json", "progress"],
    htmlReporter: { fileName: path.join("artifacts", "mutation", `${m.name}.html`) },
    jsonReporter: { fileName: path.join("artifacts", "mutation", `${m.name}.json`) },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    ignorePatterns: ["artifacts", ".azurite", ".demo", ".package", "dist", "conformance/**/bin", "conformance/**/obj"],
    incremental: false,
    logLevel: "info",
    fileLogLevel: "off",
  };
}

interface ReportMutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

/** The mutation score as Stryker counts it: killed and timed out over all valid mutants (no compile errors). */
function scoreOf(m: MutationModule, seconds: number): ModuleScore {
  const report = JSON.parse(fs.readFileSync(path.join(out, `${m.name}.json`), "utf8")) as {
    files: Record<string, { mutants: ReportMutant[] }>;
  };
  // Anything else was left out: static mutants (ignoreStatic), and mutants that do not compile or fail to load.
  const count = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, invalid: 0 };
  const survivors: string[] = [];
  for (const [file, { mutants }] of Object.entries(report.files))
    for (const mutant of mutants) {
      if (mutant.status in count) count[mutant.status as keyof typeof count]++;
      else count.invalid++;
      if (mutant.status === "Survived" || mutant.status === "NoCoverage")
        survivors.push(
          `${file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName}` +
            `${mutant.replacement !== undefined ? ` → ${mutant.replacement.replace(/\s+/g, " ").slice(0, 80)}` : ""}` +
            ` (${mutant.status})`,
        );
    }
  const valid = count.Killed + count.Timeout + count.Survived + count.NoCoverage;
  return {
    name: m.name,
    guards: m.guards,
    score: valid ? Math.round(((count.Killed + count.Timeout) / valid) * 1000) / 10 : null,
    killed: count.Killed,
    survived: count.Survived,
    noCoverage: count.NoCoverage,
    timeout: count.Timeout,
    invalid: count.invalid,
    seconds,
    survivors,
  };
}

/**
 * Runs Stryker on one module's config; Ctrl-C (or a kill) reaches Stryker, which stops its workers, and then this
 * script, which stops Azurite.
 */
function runStryker(configFile: string, env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, [stryker, "run", configFile], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      if (signal) interrupted = true;
      resolve(signal ? null : code);
    }),
  );
}

let interrupted = false;

async function main(): Promise<void> {
  const typecheck = process.argv.includes("--typecheck");
  const chosen = process.argv.slice(2).filter((arg) => arg !== "--typecheck");
  const unknown = chosen.filter((n) => !MODULES.some((m) => m.name === n));
  if (unknown.length) {
    console.error(
      `mutation: no module named ${unknown.join(", ")}; the modules: ${MODULES.map((m) => m.name).join(", ")}`,
    );
    process.exit(2);
  }
  const modules = chosen.length ? chosen.map((name) => MODULES.find((m) => m.name === name)!) : MODULES;
  // Before anything starts: a guard renamed or removed since its entry was written stops the run here.
  let ranges: Map<string, string[]>;
  try {
    ranges = resolveModules(modules, root);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  const started = Date.now();
  // One Azurite for every module's test runs (the store tests run against it as in `npm test`).
  const azurite = await startAzurite();
  const scores: ModuleScore[] = [];
  try {
    for (const m of modules) {
      const configFile = path.join(out, `${m.name}.stryker.json`);
      fs.writeFileSync(configFile, JSON.stringify(strykerConfig(m, ranges.get(m.name)!, typecheck), null, 2));
      console.log(`\nmutation: ${m.name} (${m.guards}): ${ranges.get(m.name)!.join(", ")}`);
      const moduleStarted = Date.now();
      const status = await runStryker(configFile, {
        TEST_STORAGE_CONNECTION: azurite.connectionString,
        TEST_AZURITE_TABLE_ENDPOINT: azurite.tableEndpoint,
      });
      if (interrupted) break;
      const seconds = Math.round((Date.now() - moduleStarted) / 1000);
      if (status !== 0 || !fs.existsSync(path.join(out, `${m.name}.json`))) {
        scores.push({
          name: m.name,
          guards: m.guards,
          score: null,
          killed: 0,
          survived: 0,
          noCoverage: 0,
          timeout: 0,
          invalid: 0,
          seconds,
          survivors: [`Stryker exited with ${status}: see the output above`],
        });
        continue;
      }
      scores.push(scoreOf(m, seconds));
    }
  } finally {
    await azurite.stop();
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  fs.writeFileSync(
    path.join(out, "summary.json"),
    JSON.stringify({ target: TARGET, seconds, modules: scores }, null, 2),
  );

  console.log(`\nmutation scores (target ${TARGET} % killed per module, jest alone):`);
  for (const s of scores) {
    const verdict = s.score !== null && s.score >= TARGET ? "meets the target" : "UNDER THE TARGET";
    console.log(
      `  ${s.name.padEnd(10)} ${s.score === null ? "  n/a" : `${s.score.toFixed(1).padStart(5)} %`}  ` +
        `${s.killed + s.timeout} killed, ${s.survived} survived, ${s.noCoverage} not covered, ` +
        `${s.invalid} left out (static, or not compiling or loading); ${s.seconds} s; ${verdict}`,
    );
    for (const survivor of s.survivors) console.log(`      survivor: ${survivor}`);
  }
  console.log(
    `mutation: ${Math.floor(seconds / 60)} min ${seconds % 60} s in all; HTML reports in artifacts/mutation/`,
  );
  process.exit(scores.every((s) => s.score !== null && s.score >= TARGET) ? 0 : 1);
}

void main();
