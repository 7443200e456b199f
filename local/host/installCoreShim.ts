/**
 * Makes `require("@azure/functions-core")` resolve to the local stand-in in plain Node (the jest
 * configuration does the same with `moduleNameMapper`). Must run before the app's first `app.*` call.
 */
import Module from "node:module";
import * as fakeCore from "./fakeCore";

const CORE_MODULE = "@azure/functions-core";
let installed = false;

export function installCoreShim(): typeof fakeCore {
  if (!installed) {
    // Module._load is not in the public typings, but it is the documented hook point used by require hooks.
    const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const originalLoad = mod._load;
    mod._load = function (request: string, parent: unknown, isMain: boolean) {
      if (request === CORE_MODULE) return fakeCore;
      return originalLoad.call(this, request, parent, isMain);
    };
    installed = true;
  }
  return fakeCore;
}
