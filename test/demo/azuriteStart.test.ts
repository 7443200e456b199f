/** The Azurite the demo (and the test run) starts loads no telemetry SDK: it runs with --disableTelemetry. */
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

/** Loads Azurite's telemetry module in a fresh node, as its table server does, and lists the SDK modules that came with it. */
function telemetryModulesLoaded(preload: string[]): string[] {
  const script = `
    const { AzuriteTelemetryClient } = require("azurite/dist/src/common/Telemetry");
    if (!AzuriteTelemetryClient.appInsights) throw new Error("Azurite did not take its telemetry module");
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(applicationinsights|@opentelemetry)\\//.test(f))));`;
  return JSON.parse(execFileSync(process.execPath, [...preload, "-e", script], { cwd: root, encoding: "utf8" }));
}

describe("starting Azurite", () => {
  it("defers Azurite's telemetry SDK, which --disableTelemetry never uses, and Azurite takes the stand-in", () => {
    expect(telemetryModulesLoaded(["--require", path.join(root, "local/azuriteDeferTelemetry.js")])).toEqual([]);
  });
});
