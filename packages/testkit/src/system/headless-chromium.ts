/**
 * Debian's Chromium for browser tests (never a downloaded browser): where it is, whether a test
 * may run, and the flags every Vane browser test launches it with.
 */
import { existsSync } from 'node:fs';
import { systemRequirement, type SystemRequirement } from './system-requirement.js';

/** The Chromium executable: `CHROMIUM` if set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH: string = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for headless runs on a machine without network or GPU: no background networking or
 * component updates (the closed network refuses them, many at a time), and SwiftShader as the
 * software WebGL2, which recent Chromium refuses without the unsafe flag.
 */
export const HEADLESS_CHROMIUM_ARGUMENTS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/**
 * The requirement browser tests check first: skipped with a reason without Chromium, failing
 * under `VANE_BROWSER_REQUIRED=1`.
 *
 * @example
 * it('runs in Chromium', (context) => { chromiumRequirement().skipUnlessAvailable(context); ... });
 */
export function chromiumRequirement(): SystemRequirement {
  return systemRequirement(
    `Chromium at ${CHROMIUM_PATH} (Debian chromium, or set CHROMIUM)`,
    'VANE_BROWSER_REQUIRED',
    () => (existsSync(CHROMIUM_PATH) ? true : `no file at ${CHROMIUM_PATH}`),
  );
}
