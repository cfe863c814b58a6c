#!/usr/bin/env node
// Runs a package's vitest suite (from its directory) under a virtual X display when one is
// needed and available (used by @vane/gpu and by @vane/optim's CPU-vs-GPU tests):
// headless-gl needs an X server (GLX) and gpu.js silently falls back to WebAssembly without one.
// Without xvfb-run the suite still runs; the GPU tests then report themselves as skipped (or
// fail, when VANE_GPU_REQUIRED=1 says this machine must have the WebGL path).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

const vitest = [
  'vitest',
  'run',
  '--passWithNoTests',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
  ...process.argv.slice(2),
];
const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((folder) => existsSync(join(folder, name)));

let command = 'npx';
let args = vitest;
if (process.env.DISPLAY) {
  console.log(`vitest-with-display: using the existing X display ${process.env.DISPLAY}`);
} else if (process.platform === 'linux' && onPath('xvfb-run')) {
  console.log('vitest-with-display: running the suite under xvfb-run -a (headless-gl needs an X display)');
  command = 'xvfb-run';
  args = ['-a', '-s', '-screen 0 1024x768x24 -nolisten tcp', 'npx', ...vitest];
} else {
  console.log(
    'vitest-with-display: no X display and no xvfb-run: the WebGL tests will report themselves as skipped (install xvfb, see docs/gpu.md)',
  );
}
// A machine with a built `gl` and an X display (real or Xvfb) has everything the WebGL path
// needs, so falling back there is a failure, not a skip. Deciding it here, rather than only
// from VANE_GPU_REQUIRED, matters because turbo's strict environment mode does not pass
// unknown variables through to this script; VANE_GPU_REQUIRED=0 still turns it off.
function glLoads() {
  try {
    createRequire(import.meta.url)('gl');
    return true;
  } catch {
    return false;
  }
}
const hasDisplay = Boolean(process.env.DISPLAY) || command === 'xvfb-run';
const required =
  process.env.VANE_GPU_REQUIRED === '1' || (process.env.VANE_GPU_REQUIRED !== '0' && hasDisplay && glLoads());
console.log(
  `vitest-with-display: the WebGL path is ${required ? 'required (a fallback fails the suite)' : 'optional (without it the GPU tests are skipped)'}`,
);

// Mesa's software renderer mallocs texture memory; with glibc's default thresholds memory freed
// by texture.delete() in batches is never reused (docs/decisions/0003-gpu-through-gpu-js.md).
const environment = { MALLOC_MMAP_THRESHOLD_: '1048576', ...process.env, VANE_GPU_REQUIRED: required ? '1' : '0' };
const run = spawnSync(command, args, { stdio: 'inherit', env: environment });
process.exit(run.status ?? 1);
