/**
 * The version of Vane that this process runs: the `version` of `@vane/cli`'s package.json.
 * It is part of every job id and is checked by workers, because a run executed by another
 * version of the code may give another result than the local run of the same command.
 */
import { readFileSync } from 'node:fs';

/** `@vane/cli`'s version, read once from its package.json (e.g. `0.1.0`). */
export const VANE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
