#!/usr/bin/env node
/**
 * Runs the static checks and jest (forwarding any arguments), writes jest's JSON results to
 * artifacts/jest-results.json and ends with the plain summary line `N passed, N failed` so that a run that
 * executed no test shows. A full run (no arguments) also runs the conformance tier (conformance/README.md),
 * which writes its own counts to artifacts/conformance.json; they are added to the summary.
 *
 * The run is CPU-bound on a 2-core machine, so what can run beside jest does: the conformance tier starts
 * first (mostly one process waiting on the real extension), then the Bicep check (the infra tests read the
 * template it writes, and its compiler is restored once) with Chromium's install where it is missing, then jest
 * with the other checks beside it at a lower CPU priority, so that they take the time jest's workers leave idle
 * (waits on Azurite, on real-time limits, on Chromium). Their output goes to artifacts/checks.log and artifacts/conformance.log and is
 * printed once jest is done. The run ends with each stage's wall time and jest's slowest test files, so a
 * slowdown shows the day it lands (the suite's budget: 6 minutes on 2 cores).
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// Which Node runs the tests (and, through process.execPath, every child below and jest's workers).
console.log(`npm test: Node ${process.version}`);
const started = Date.now();

const root = path.resolve(__dirname, "..");
const artifacts = path.join(root, "artifacts");
fs.mkdirSync(artifacts, { recursive: true });
const resultsFile = path.join(artifacts, "jest-results.json");
fs.rmSync(resultsFile, { force: true });
const checksFile = path.join(artifacts, "checks-failed");
const conformanceFile = path.join(artifacts, "conformance.json");
const conformanceLog = path.join(artifacts, "conformance.log");
const checksLog = path.join(artifacts, "checks.log");
const durationsFile = path.join(artifacts, "durations.json");
fs.rmSync(conformanceFile, { force: true });
const jestArguments = process.argv.slice(2);

// Static checks: a type error, a determinism lint error, a file Prettier would format differently
// (`npx prettier --write .` fixes it), an import cycle (dpdm, type-only imports included, over the app's
// folders: a cycle means two modules that cannot be read or changed apart), or a Bicep error or warning (the
// real compiler builds and lints infra/, writing the ARM template the infra tests read) fails the run like a
// failing test.
const cycleFolders = ["activities", "app", "conformance", "functions", "local", "orchestrations", "scripts", "shared"];
const checks = [
  ["typecheck", [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"]],
  ["lint", [path.join(root, "node_modules", "eslint", "bin", "eslint.js"), "."]],
  [
    "format",
    [path.join(root, "node_modules", "prettier", "bin", "prettier.cjs"), "--check", "--log-level", "warn", "."],
  ],
  [
    "cycles",
    [
      path.join(root, "node_modules", "dpdm", "lib", "bin", "dpdm.js"),
      "--no-tree",
      "--no-warning",
      "--no-progress",
      "--exit-code",
      "circular:1",
      ...cycleFolders.filter((folder) => fs.existsSync(path.join(root, folder))).map((folder) => `${folder}/**/*.ts`),
    ],
  ],
];
const bicepCheck = ["bicep", [path.join(root, "scripts", "bicep.js")]];

/**
 * Runs `node args` from the project's root; resolves with its exit status and wall seconds. `output`: "inherit",
 * or a file descriptor for both stdout and stderr. `nice`: run at a lower CPU priority.
 */
function node(args, { output = "inherit", nice = false } = {}) {
  const stageStarted = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: output === "inherit" ? "inherit" : ["ignore", output, output],
  });
  if (nice && child.pid) os.setPriority(child.pid, 10);
  return new Promise((resolve) => {
    child.on("error", (error) => {
      console.error(`could not start ${args[0]}: ${error.message}`);
      resolve({ status: 1, seconds: 0 });
    });
    child.on("close", (code) => resolve({ status: code ?? 1, seconds: (Date.now() - stageStarted) / 1000 }));
  });
}

/** Runs `node args` with its output in `logFile` (it runs beside jest, whose output stays readable). */
async function logged(logFile, args, options = {}) {
  const log = fs.openSync(logFile, "a");
  try {
    return await node(args, { ...options, output: log });
  } finally {
    fs.closeSync(log);
  }
}

/** The conformance tier, its output in a file: skips itself where dotnet is missing. */
function conformanceTier() {
  fs.writeFileSync(conformanceLog, "");
  return logged(conformanceLog, ["-r", "sucrase/register/ts", path.join(root, "conformance", "node", "run.ts")]);
}

/** Runs the checks one after another; resolves with the names of those that failed. */
async function runChecks(list, options) {
  const failed = [];
  for (const [name, args] of list) {
    const { status } = options ? await logged(checksLog, args, options) : await node(args);
    if (status !== 0) failed.push(name);
  }
  return failed;
}

/** The test files of a jest JSON result with their own start-to-end times, slowest first. */
function fileTimes(results) {
  return results.testResults
    .map((file) => ({
      file: path.relative(root, file.name).split(path.sep).join("/"),
      seconds: (file.endTime - file.startTime) / 1000,
    }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
}

async function main() {
  const conformance = jestArguments.length === 0 ? conformanceTier() : undefined;

  // The browser tests drive Debian's Chromium: install it when missing (as root, from Debian's packages), beside the
  // Bicep check (a clean CI machine has neither; apt-get mostly waits on the network).
  const chromium = node([path.join(root, "scripts", "ensureChromium.js")]);

  const bicepStarted = Date.now();
  const failedChecks = await runChecks([bicepCheck]);
  const bicepSeconds = (Date.now() - bicepStarted) / 1000;
  await chromium;
  fs.writeFileSync(checksLog, "");
  const checksStarted = Date.now();
  let checksSeconds = 0;
  const otherChecks = runChecks(checks, { nice: true }).then((failed) => {
    checksSeconds = (Date.now() - checksStarted) / 1000;
    return failed;
  });

  const jest = await node([
    require.resolve("jest/bin/jest"),
    "--json",
    `--outputFile=${resultsFile}`,
    ...jestArguments,
  ]);

  failedChecks.push(...(await otherChecks));
  process.stdout.write(fs.readFileSync(checksLog, "utf8"));
  for (const name of failedChecks) console.error(`${name} failed`);
  fs.writeFileSync(checksFile, String(failedChecks.length));

  let tier = { status: 0, seconds: 0 };
  if (conformance) {
    tier = await conformance;
    process.stdout.write(fs.readFileSync(conformanceLog, "utf8"));
  } else {
    console.log("conformance: not run (jest was given arguments; `npm test` alone runs it)");
  }

  let passed = 0;
  let failed = failedChecks.length;
  if (fs.existsSync(resultsFile)) {
    const results = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
    passed = results.numPassedTests;
    failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
    const times = fileTimes(results);
    console.log(`jest: ${jest.seconds.toFixed(0)} s wall, ${results.testResults.length} files; the slowest:`);
    for (const { file, seconds } of times.slice(0, 10)) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${file}`);
    // A full run's times, in the form test/sequencer.js reads from test/durations.json (the order a clean clone runs).
    if (jestArguments.length === 0)
      fs.writeFileSync(
        durationsFile,
        JSON.stringify(
          Object.fromEntries(times.map(({ file, seconds }) => [file, Math.round(seconds * 10) / 10])),
          null,
          2,
        ) + "\n",
      );
  } else {
    failed += 1;
  }
  if (fs.existsSync(conformanceFile)) {
    const counts = JSON.parse(fs.readFileSync(conformanceFile, "utf8"));
    passed += counts.passed;
    failed += counts.failed;
  } else if (tier.status !== 0) {
    failed += 1;
  }
  const beside = conformance ? `; the conformance tier ${tier.seconds.toFixed(0)} s beside them` : "";
  console.log(
    `npm test: ${((Date.now() - started) / 1000).toFixed(0)} s wall in all (the Bicep check ${bicepSeconds.toFixed(0)} s, then jest ${jest.seconds.toFixed(0)} s with the other checks beside it, ${checksSeconds.toFixed(0)} s${beside})`,
  );
  console.log(`${passed} passed, ${failed} failed`);
  return jest.status === 0 && tier.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (status) => process.exit(status),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
