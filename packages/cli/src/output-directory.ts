/**
 * The output directory of a command (`--out`): checked before any work starts, created one
 * component at a time afterwards.
 *
 * Why not `mkdirSync(path, { recursive: true })`: Node 20's recursive mkdir loops forever on
 * pseudo file systems such as `/proc` (it retries a component that it can neither create nor
 * stat as a directory), and on a file in the path it throws a raw `ENOTDIR`. Walking the path
 * ourselves gives one clear line instead, before the run starts.
 */
import { accessSync, constants, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/** Magic numbers (statfs `f_type`) of kernel pseudo file systems where results cannot be kept. */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
]);

/** Path prefixes of the same file systems, for platforms where statfs reports no Linux type. */
const PSEUDO_PREFIXES = ['/proc', '/sys'];

function existingKind(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a component above is a file; the walk up finds and names it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/**
 * Checks that `path` is, or can be created as, a writable directory: every existing component
 * is a directory, the nearest existing one is writable, and none is on a kernel pseudo file
 * system (`/proc`, `/sys`). Throws a one-line {@link UsageError} naming the flag, the path and
 * the component at fault. Creates nothing.
 *
 * @example
 * checkOutputDirectory('sweep', '--out', 'runs/quick-sweep');
 */
export function checkOutputDirectory(command: string, flag: string, path: string): void {
  const fail = (problem: string): never => {
    throw new UsageError(`vane ${command}: ${flag} '${path}' cannot be used: ${problem}`);
  };
  if (path.trim() === '') fail('the path is empty');
  const absolute = resolve(path);
  // Walk up to the nearest component that exists.
  let nearest = absolute;
  let kind = existingKind(nearest);
  while (kind === 'missing') {
    const parent = dirname(nearest);
    if (parent === nearest) break;
    nearest = parent;
    kind = existingKind(nearest);
  }
  if (kind === 'other')
    fail(nearest === absolute ? 'it exists and is not a directory' : `'${nearest}' is not a directory`);
  const type = (() => {
    try {
      return statfsSync(nearest).type;
    } catch {
      return undefined;
    }
  })();
  const pseudo =
    (type !== undefined && PSEUDO_FILE_SYSTEMS.get(type)) ||
    PSEUDO_PREFIXES.find((prefix) => absolute === prefix || absolute.startsWith(`${prefix}/`));
  if (pseudo) fail(`'${nearest}' is on the kernel's ${pseudo.replace(/^\//, '')} file system, which cannot hold files`);
  try {
    accessSync(nearest, constants.W_OK | constants.X_OK);
  } catch {
    fail(`'${nearest}' is not writable`);
  }
}

/**
 * Creates `path` and any missing parents, one component at a time (see the module comment),
 * after {@link checkOutputDirectory} has passed.
 *
 * @example
 * createOutputDirectory('runs/quick-sweep/runs');
 */
export function createOutputDirectory(path: string): void {
  const absolute = resolve(path);
  const missing: string[] = [];
  for (let current = absolute; existingKind(current) === 'missing'; current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing) {
    try {
      mkdirSync(directory);
    } catch (error) {
      // Another process (a parallel writer) may have created it in between.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
