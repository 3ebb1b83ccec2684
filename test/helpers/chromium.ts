// Debian's Chromium driven by playwright-core, for the tests that look at pages as a user
// does; where it is missing, those tests are reported as skipped with the reason.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.MPSYNC_CHROMIUM ?? "/usr/bin/chromium";

/** why the browser tests cannot run here, or null */
export const chromiumMissing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (npm test, through npm run services -- --browser, installs Debian's chromium as root; or set MPSYNC_CHROMIUM)`;

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
