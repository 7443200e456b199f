#!/usr/bin/env node
/**
 * Stages the deployment package: the folder azd zips and uploads to the Function App (azure.yaml:
 * `dist: .package`, `remoteBuild: false`, this script as the service's `prepackage` hook).
 *
 *   dist/            the app, compiled from tsconfig.build.json (whatever folders it includes)
 *   host.json, package.json, package-lock.json
 *   node_modules/    production dependencies only: `npm ci --omit=dev` from the lock file
 *
 * Nothing else: no TypeScript, tests, simulators, local/, scripts or devDependencies. azd zips the
 * folder as it is (with no .funcignore inside it and `remoteBuild: false`, it keeps node_modules:
 * createDeployableZip in Azure/azure-dev cli/azd/pkg/project/project_utils.go), and Flex Consumption
 * runs it without building (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#deployments).
 * test/infra/package.test.ts builds it the same way and checks its size, contents and entry point.
 *
 * Usage: node scripts/package.js [out-dir]   (default .package)
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** The files of the project the package carries besides the compiled app and node_modules. */
const PROJECT_FILES = ["host.json", "package.json", "package-lock.json"];

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}`);
}

/** Bytes and files under a folder (what the package weighs unpacked). */
function measure(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = measure(full);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += fs.lstatSync(full).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * Stages the package in outDir. `typecheck: false` emits without checking types (tsc --noCheck: the same JavaScript,
 * as tsconfig's isolatedModules makes every file's output its own): for a caller that has checked them already, as
 * `npm test`'s typecheck has for test/infra/package.test.ts.
 */
function stagePackage(outDir, { typecheck = true } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  // The compiler of the project (a devDependency) writes straight into the package; tsconfig.build.json
  // says which folders are the app, so a new one (e.g. app/) is packaged without changing this script.
  run(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc", { paths: [root] }),
      "-p",
      path.join(root, "tsconfig.build.json"),
      "--outDir",
      path.join(outDir, "dist"),
      ...(typecheck ? [] : ["--noCheck"]),
    ],
    { cwd: root },
  );
  for (const file of PROJECT_FILES) fs.copyFileSync(path.join(root, file), path.join(outDir, file));

  // Production dependencies exactly as locked. The Node running this script runs npm too (its folder
  // first on the PATH), so engines are checked against it. No lifecycle scripts and no .bin links:
  // the app needs neither, and a zip keeps no symlinks.
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  run(npm, ["ci", "--omit=dev", "--ignore-scripts", "--no-bin-links", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: outDir,
    shell: process.platform === "win32",
    env: {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
      NODE_ENV: "production",
    },
  });
  return measure(outDir);
}

module.exports = { stagePackage, measure, PROJECT_FILES };

if (require.main === module) {
  const outDir = path.resolve(root, process.argv[2] ?? ".package");
  const { bytes, files } = stagePackage(outDir);
  console.log(
    `package: ${path.relative(root, outDir) || outDir}: ${(bytes / 1024 / 1024).toFixed(1)} MB in ${files} files (unpacked)`,
  );
}
