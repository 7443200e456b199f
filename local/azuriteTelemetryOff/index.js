/**
 * What `require("applicationinsights")` gives Azurite here. Azurite requires its telemetry SDK (Application Insights,
 * through it OpenTelemetry and the Azure Monitor exporter: 200 packages, 35,000 files, half of node_modules) while it
 * loads, but uses it only with telemetry on. The project always starts Azurite with --disableTelemetry
 * (local/azurite.ts), so package.json's `overrides` install this folder in the SDK's place: `npm ci` unpacks about 40 %
 * fewer files, and Azurite starts without loading the SDK. Anything that does use it fails, saying why.
 */
"use strict";

module.exports = new Proxy(
  {},
  {
    get(_, key) {
      // Symbols (util.inspect's) and `then` (an await) ask whether it is something, not to use it.
      if (typeof key === "symbol" || key === "then") return undefined;
      throw new Error(
        `applicationinsights.${String(key)}: Azurite's telemetry SDK is not installed in this project (package.json ` +
          "overrides it with local/azuriteTelemetryOff); start Azurite with --disableTelemetry, as local/azurite.ts does",
      );
    },
  },
);
