#!/usr/bin/env node
/**
 * Runs jest (forwarding any arguments), writes its JSON results to artifacts/jest-results.json and
 * ends with the plain summary line `N passed, N failed` so that a run that executed no test shows.
 * A full run (no arguments) then runs the conformance tier (conformance/README.md), which writes its own
 * counts to artifacts/conformance.json; they are added to the summary. The run ends with jest's wall time and
 * its slowest test files, so a slowdown shows the day it lands (the suite's budget: 6 minutes on 2 cores).
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
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

// The browser tests drive Debian's Chromium: install it when missing (as root, from Debian's packages).
spawnSync(process.execPath, [path.join(root, "scripts", "ensureChromium.js")], { cwd: root, stdio: "inherit" });

// Static checks first: a type error, a determinism lint error, a file Prettier would format differently
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
  ["bicep", [path.join(root, "scripts", "bicep.js")]],
];
let failedChecks = 0;
for (const [name, args] of checks) {
  const check = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (check.status !== 0) {
    console.error(`${name} failed`);
    failedChecks++;
  }
}

fs.writeFileSync(checksFile, String(failedChecks));

const jest = require.resolve("jest/bin/jest");
const jestStarted = Date.now();
const run = spawnSync(process.execPath, [jest, "--json", `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
const jestSeconds = (Date.now() - jestStarted) / 1000;

// The conformance tier: the same scenarios on the real Durable Task extension and on the local host. It
// skips itself, saying so, where dotnet is missing.
const conformanceFile = path.join(artifacts, "conformance.json");
fs.rmSync(conformanceFile, { force: true });
let conformanceStatus = 0;
if (process.argv.length > 2) {
  console.log("conformance: not run (jest was given arguments; `npm test` alone runs it)");
} else {
  const tier = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(root, "conformance", "node", "run.ts")],
    { cwd: root, stdio: "inherit" },
  );
  conformanceStatus = tier.status ?? 1;
}

/** The slowest test files of a jest JSON result (each file's own start-to-end time), slowest first. */
function slowestFiles(results, count) {
  return results.testResults
    .map((file) => ({ file: path.relative(root, file.name), seconds: (file.endTime - file.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count);
}

let passed = 0;
let failed = failedChecks;
if (fs.existsSync(resultsFile)) {
  const results = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
  passed = results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  console.log(`jest: ${jestSeconds.toFixed(0)} s wall, ${results.testResults.length} files; the slowest:`);
  for (const { file, seconds } of slowestFiles(results, 10))
    console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${file}`);
} else {
  failed += 1;
}
if (fs.existsSync(conformanceFile)) {
  const tier = JSON.parse(fs.readFileSync(conformanceFile, "utf8"));
  passed += tier.passed;
  failed += tier.failed;
} else if (conformanceStatus !== 0) {
  failed += 1;
}
console.log(`npm test: ${((Date.now() - started) / 1000).toFixed(0)} s wall in all`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && conformanceStatus === 0 && failed === 0 && passed > 0 ? 0 : 1);
