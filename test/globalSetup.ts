/**
 * Starts one in-memory Azurite for the whole jest run (tests read its connection string from the env), makes the
 * simulators' one signing key (local/selfSignedCertificate.ts) and, when the
 * run includes a browser test file, one Chromium the browser tests connect to (test/browser/chromium.ts).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { BrowserServer } from "playwright-core";
import { startAzurite, type AzuriteHandle } from "../local/azurite";
import { generatePrivateKeyPem, SIMULATOR_KEY_ENV } from "../local/selfSignedCertificate";

declare global {
  var __AZURITE__: AzuriteHandle | undefined;
  var __CHROMIUM__: BrowserServer | undefined;
}

const BROWSER_TESTS = path.join(__dirname, "browser");

/** Whether jest's path pattern (empty: every file) selects a file in test/browser. */
function runsBrowserTests(testPathPattern: string): boolean {
  const pattern = new RegExp(testPathPattern, "i");
  return readdirSync(BROWSER_TESTS).some(
    (name) => name.endsWith(".test.ts") && pattern.test(path.join(BROWSER_TESTS, name)),
  );
}

export default async function globalSetup(globalConfig: { testPathPattern: string }): Promise<void> {
  const azurite = await startAzurite();
  globalThis.__AZURITE__ = azurite;
  process.env.TEST_STORAGE_CONNECTION = azurite.connectionString;
  process.env.TEST_AZURITE_TABLE_ENDPOINT = azurite.tableEndpoint;
  // One signing key for the simulated certificates of every test file (and the processes they start).
  process.env[SIMULATOR_KEY_ENV] = generatePrivateKeyPem();
  // Loaded only when needed: playwright-core takes half a second to load, a run of the fast tests does not need it.
  if (runsBrowserTests(globalConfig.testPathPattern)) {
    const { startSharedChromium } = await import("./browser/chromium");
    globalThis.__CHROMIUM__ = await startSharedChromium();
  }
}
