#!/usr/bin/env node
// Runs a command under a virtual X display (xvfb-run -a) when there is no display and
// xvfb-run exists, so that headless-gl (the GPU backend in Node) can create its context;
// otherwise runs it as is. Used by `npm run bench` for its GPU rows.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('with-display: usage: node scripts/with-display.mjs <command> [arguments...]');
  process.exit(2);
}
const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((folder) => existsSync(join(folder, name)));
const wrap = !process.env.DISPLAY && process.platform === 'linux' && onPath('xvfb-run');
// Mesa's software renderer keeps freed texture memory unless glibc returns large blocks to
// the system (docs/decisions/0003-gpu-through-gpu-js.md).
const environment = { MALLOC_MMAP_THRESHOLD_: '1048576', ...process.env };
const [program, ...args] = wrap ? ['xvfb-run', '-a', '-s', '-screen 0 1024x768x24 -nolisten tcp', ...command] : command;
const run = spawnSync(program, args, { stdio: 'inherit', env: environment });
process.exit(run.status ?? 1);
