/** Debian's Chromium for the browser tests: where it is, how it is launched offline, where screenshots go. */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserServer } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(__dirname, "../../artifacts/screenshots");
// Without the background-networking flags Chromium dials Google services, which a closed network refuses.
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Where test/globalSetup's Chromium listens, for the test files (jest's workers inherit the env). */
const SHARED_ENDPOINT = "TEST_CHROMIUM_ENDPOINT";

export const skipBrowserTests = process.env.SKIP_BROWSER_TESTS === "1";

/**
 * One Chromium for the whole jest run, started by test/globalSetup when the run includes a browser test file:
 * launching and closing one costs a file more CPU than a page with its screenshot (the browser, GPU, network and
 * storage processes), so the files share one and each opens its own contexts (cookies and storage stay apart).
 * Undefined when Chromium is missing or the browser tests are skipped (connectChromium then says how to install it).
 */
export async function startSharedChromium(): Promise<BrowserServer | undefined> {
  if (skipBrowserTests || !existsSync(CHROMIUM)) return undefined;
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  process.env[SHARED_ENDPOINT] = server.wsEndpoint();
  return server;
}

/**
 * A browser for one test file: a connection to the run's Chromium (closing it closes this file's contexts only), or
 * a fresh one (launch() gives it a temporary profile; executablePath keeps Playwright from fetching one) when the
 * run started none.
 */
export async function connectChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Install it as root with \`node scripts/ensureChromium.js\` (or \`apt-get update && apt-get install -y chromium\`), or set SKIP_BROWSER_TESTS=1 to skip these tests.`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const endpoint = process.env[SHARED_ENDPOINT];
  return endpoint ? chromium.connect(endpoint) : chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Signs a browser context in as this person: the session cookie the local sign-in page sets (test/browser/signIn
 * goes through the page itself; the other browser tests start signed in).
 */
export async function signInContext(
  context: BrowserContext,
  scenario: { host: { baseUrl: string }; signedIn(upn: string): Promise<{ cookie: string }> },
  userPrincipalName: string,
): Promise<void> {
  const { cookie } = await scenario.signedIn(userPrincipalName);
  const at = cookie.indexOf("=");
  await context.addCookies([
    {
      name: cookie.slice(0, at),
      value: cookie.slice(at + 1),
      url: scenario.host.baseUrl,
      httpOnly: true,
      sameSite: "Lax",
    },
  ]);
}
