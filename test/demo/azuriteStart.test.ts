/** The Azurite the demo (and the test run) starts has no telemetry SDK to load: it runs with --disableTelemetry. */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { startAzurite } from "../../local/azurite";

const root = path.resolve(__dirname, "../..");

/** Runs `script` in a fresh node from the project's root, as Azurite's own process would load its modules. */
function inFreshNode(script: string): string {
  return execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
}

describe("Azurite's telemetry SDK", () => {
  it("is not installed: Azurite's telemetry module takes the stand-in and loads no SDK module", () => {
    const loaded = inFreshNode(`
      const { AzuriteTelemetryClient } = require("azurite/dist/src/common/Telemetry");
      if (!AzuriteTelemetryClient.appInsights) throw new Error("Azurite did not take its telemetry module");
      process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(applicationinsights|@opentelemetry|@azure\\/monitor)/.test(f))));`);
    expect(JSON.parse(loaded)).toEqual([]);
    expect(require.resolve("applicationinsights", { paths: [root] })).toBe(
      path.join(root, "local", "azuriteTelemetryOff", "index.js"),
    );
  });

  it("fails loudly, naming --disableTelemetry, if anything starts telemetry", () => {
    const said = inFreshNode(`
      const { AzuriteTelemetryClient } = require("azurite/dist/src/common/Telemetry");
      try { AzuriteTelemetryClient.appInsights.setup("InstrumentationKey=x"); process.stdout.write("no error"); }
      catch (error) { process.stdout.write(error.message); }`);
    expect(said).toMatch(/^applicationinsights\.setup: Azurite's telemetry SDK is not installed .*--disableTelemetry/);
  });

  it("is not needed to start Azurite and serve a table request", async () => {
    const azurite = await startAzurite();
    try {
      const res = await fetch(`${azurite.tableEndpoint}/Tables`, { headers: { accept: "application/json" } });
      // Unsigned, so refused, but by Azurite's table server checking the signature: it started and answers.
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("<Code>AuthorizationFailure</Code>");
    } finally {
      await azurite.stop();
    }
  });
});
