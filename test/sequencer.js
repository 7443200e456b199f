/**
 * jest runs the slowest test files first so that no worker is left with a long file at the end while the other
 * idles. Its own sequencer knows a file's time only from its cache of earlier runs on this machine; a clean clone (CI)
 * has none, and jest then orders by file size, which put the scenario files that spawn processes or wait on real
 * time (phase2Processes, the demo tests) last. The times of the last full run, committed in test/durations.json, stand
 * in where the cache has none (`npm test` writes them to artifacts/durations.json; docs/testing.md).
 */
const Sequencer = require("@jest/test-sequencer").default;
const path = require("node:path");
const durations = require("./durations.json");

/** A file new since test/durations.json was written: about what most files take. */
const UNKNOWN_SECONDS = 1;

class SlowestFirst extends Sequencer {
  time(test) {
    const cached = super.time(test);
    if (cached !== undefined) return cached;
    const file = path.relative(test.context.config.rootDir, test.path).split(path.sep).join("/");
    return (durations[file] ?? UNKNOWN_SECONDS) * 1000;
  }
}

module.exports = SlowestFirst;
