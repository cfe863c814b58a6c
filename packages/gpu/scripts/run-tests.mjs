#!/usr/bin/env node
// Runs this package's vitest suite under a virtual X display when one is needed and available:
// headless-gl needs an X server (GLX) and gpu.js silently falls back to WebAssembly without one.
// Without xvfb-run the suite still runs; the GPU tests then report themselves as skipped (or
// fail, when VANE_GPU_REQUIRED=1 says this machine must have the WebGL path).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const vitest = ['vitest', 'run', '--passWithNoTests', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json', ...process.argv.slice(2)];
const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((folder) => existsSync(join(folder, name)));

let command = 'npx';
let args = vitest;
if (process.env.DISPLAY) {
  console.log(`@vane/gpu: using the existing X display ${process.env.DISPLAY}`);
} else if (process.platform === 'linux' && onPath('xvfb-run')) {
  console.log('@vane/gpu: running the suite under xvfb-run -a (headless-gl needs an X display)');
  command = 'xvfb-run';
  args = ['-a', '-s', '-screen 0 1024x768x24 -nolisten tcp', 'npx', ...vitest];
} else {
  console.log('@vane/gpu: no X display and no xvfb-run: the WebGL tests will report themselves as skipped (install xvfb, see docs/gpu.md)');
}
// Mesa's software renderer mallocs texture memory; with glibc's default thresholds memory freed
// by texture.delete() in batches is never reused (docs/decisions/0003-gpu-through-gpu-js.md).
const environment = { MALLOC_MMAP_THRESHOLD_: '1048576', ...process.env };
const run = spawnSync(command, args, { stdio: 'inherit', env: environment });
process.exit(run.status ?? 1);
