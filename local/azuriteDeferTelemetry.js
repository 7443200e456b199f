/**
 * Preloaded into every Azurite process local/azurite.ts starts. Azurite's table server requires `applicationinsights`
 * (and through it OpenTelemetry and the Azure Monitor exporter) while it loads, telemetry on or off: two thirds of its
 * start-up CPU, about 1.5 s of 2.2 s. We always run it with --disableTelemetry, so the module is never used; here it is
 * loaded on first use instead (a stand-in that forwards to the real module), which with telemetry off is never.
 */
"use strict";
const Module = require("node:module");

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request !== "applicationinsights") return load.apply(this, arguments);
  let real;
  const target = () => (real ??= load.call(this, request, parent, isMain));
  return new Proxy({}, { get: (_, key) => target()[key], has: (_, key) => key in target() });
};
