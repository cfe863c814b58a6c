/**
 * Tests that need optional system software (Debian's Python with NumPy, Xvfb and Mesa, Chromium,
 * Redis, a dataset package) skip with a one-line reason on a machine that lacks it, so that
 * `npm test` passes on a fresh clone, and fail instead where CI sets the requirement's
 * `VANE_*_REQUIRED=1` flag after installing it, so that a broken install cannot hide as a skip.
 */

/** The part of a test context this helper needs (vitest's `TestContext` has it). */
export interface SkippableContext {
  skip(note?: string): void;
}

/** A probed piece of optional system software. */
export interface SystemRequirement {
  /** What is needed, in words a user can act on (`/usr/bin/python3 with NumPy (Debian python3-numpy)`). */
  readonly what: string;
  /** The environment variable that makes it required (`VANE_PYTHON_REQUIRED`). */
  readonly flag: string;
  /** Whether the probe found it. */
  readonly available: boolean;
  /** Whether `flag` is `1`. */
  readonly required: boolean;
  /** The one-line reason a test is skipped: `skipped: needs <what> (<probe detail>)`. */
  readonly reason: string;
  /**
   * Call first in a test that needs it: returns when available; otherwise skips the test with
   * `reason` (printing it once), or throws when `flag` is set.
   */
  skipUnlessAvailable(context: SkippableContext): void;
}

const announced = new Set<string>();

/**
 * Probes once for a piece of optional system software.
 *
 * @param what - what is needed and which package provides it.
 * @param flag - the `VANE_*_REQUIRED` variable CI sets where it installs it.
 * @param probe - returns `true` when available, or a string saying what is missing.
 * @example
 * const numpy = systemRequirement('/usr/bin/python3 with NumPy (Debian python3-numpy)', 'VANE_PYTHON_REQUIRED',
 *   () => spawnSync('/usr/bin/python3', ['-c', 'import numpy']).status === 0 || 'import numpy failed');
 * it('reads back in NumPy', (context) => { numpy.skipUnlessAvailable(context); ... });
 */
export function systemRequirement(what: string, flag: string, probe: () => true | string): SystemRequirement {
  let detail: true | string;
  try {
    detail = probe();
  } catch (error) {
    detail = error instanceof Error ? error.message : String(error);
  }
  const available = detail === true;
  const required = process.env[flag] === '1';
  const reason = available ? '' : `skipped: needs ${what} (${detail}); set ${flag}=1 to make this a failure`;
  return {
    what,
    flag,
    available,
    required,
    reason,
    skipUnlessAvailable(context) {
      if (available) return;
      if (required) throw new Error(`${flag}=1 but ${what} is missing: ${String(detail)}`);
      if (!announced.has(reason)) {
        announced.add(reason);
        console.warn(reason);
      }
      context.skip(reason);
    },
  };
}
