/** Debian's Chromium for the browser tests: where it is, how it is launched offline, where screenshots go. */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

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

export const skipBrowserTests = process.env.SKIP_BROWSER_TESTS === "1";

/** A fresh browser (launch() gives every run a temporary profile; executablePath keeps Playwright from fetching one). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Install it as root with \`node scripts/ensureChromium.js\` (or \`apt-get update && apt-get install -y chromium\`), or set SKIP_BROWSER_TESTS=1 to skip these tests.`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
