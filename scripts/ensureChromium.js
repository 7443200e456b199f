#!/usr/bin/env node
/**
 * Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (test/browser), installing
 * it with apt-get when we run as root. Never fails the run: when it cannot install it says why, and the
 * browser tests then fail with the install instructions (or are skipped with SKIP_BROWSER_TESTS=1).
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");

const CHROMIUM = "/usr/bin/chromium";

function hasApt() {
  return spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
}

function main() {
  if (fs.existsSync(CHROMIUM)) {
    console.log(`ensureChromium: ${CHROMIUM} is installed.`);
    return;
  }
  if (process.env.SKIP_BROWSER_TESTS === "1") {
    console.log(`ensureChromium: ${CHROMIUM} is missing; not installing it because SKIP_BROWSER_TESTS=1.`);
    return;
  }
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    console.log(
      `ensureChromium: ${CHROMIUM} is missing and this is not root, so it cannot be installed here. Run: sudo apt-get install -y chromium`,
    );
    return;
  }
  if (!hasApt()) {
    console.log(
      `ensureChromium: ${CHROMIUM} is missing and apt-get is not available; install Chromium so that ${CHROMIUM} exists.`,
    );
    return;
  }
  console.log("ensureChromium: installing Chromium (apt-get update -qq && apt-get install -y -qq chromium)...");
  const install = spawnSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq chromium"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (install.status === 0 && fs.existsSync(CHROMIUM)) {
    console.log(`ensureChromium: installed ${CHROMIUM}.`);
  } else {
    console.log(
      `ensureChromium: apt-get failed (exit ${install.status ?? install.signal}); the browser tests will fail until ${CHROMIUM} exists.`,
    );
  }
}

main();
