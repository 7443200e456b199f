#!/usr/bin/env node
/**
 * The entry point of `npm start`, `npm test`, `npm run bench`: installs dependencies when
 * node_modules is missing or older than package-lock.json, then runs its arguments
 * (`node scripts/ensure-install.js scripts/test.js …`) on the Node that package.json pins as the
 * `node` devDependency (node_modules/.bin/node), whatever Node the machine has.
 *
 * Why a launcher and not `ensure-install && node x`: npm puts node_modules/.bin first on the
 * scripts' PATH, but on a fresh clone that folder appears only during this script, and the shell
 * npm runs (dash) has already looked `node` up and keeps using the machine's.
 *
 * Why npm runs through `npm exec --package=node@<pinned>`: npm checks every package's `engines`
 * against the Node that runs npm itself (npm 11 takes it from process.version, with no setting to
 * override it). On a machine whose Node is 20, a plain `npm ci` therefore warns EBADENGINE for the
 * packages that need Node 22 (@azure/identity, @azure/core-process, …), although no project code
 * ever runs on 20. `npm exec` puts the pinned Node first on the PATH, so the `npm ci` it starts runs
 * on Node 22 and its engine check is the true one.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const lock = path.join(root, "package-lock.json");
const marker = path.join(root, "node_modules", ".package-lock.json");
const pinnedNode = path.join(root, "node_modules", ".bin", "node");
const pinnedVersion = require(path.join(root, "package.json")).devDependencies.node;

function stale() {
  if (!fs.existsSync(marker) || !fs.existsSync(pinnedNode)) return true;
  return fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (stale()) {
  console.log(`Installing dependencies (npm ci on Node ${pinnedVersion})...`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // --prefer-offline: the lock file pins every tarball's integrity, so a tarball already in npm's cache is the one
  // wanted; npm takes it without asking the registry again, and fetches only what the cache lacks.
  const ci = ["ci", "--no-audit", "--no-fund", "--prefer-offline"];
  const status =
    process.versions.node === pinnedVersion
      ? run(npm, ci)
      : run(npm, ["exec", "--yes", `--package=node@${pinnedVersion}`, "--", npm, ...ci]);
  if (status !== 0) process.exit(status);
}

process.exit(run(pinnedNode, process.argv.slice(2)));
