#!/usr/bin/env node
// `npm run sizes`: what Vane adds to a browser bundle, minified and gzipped. Builds the
// packages (tsc -b), then bundles with esbuild (`platform: 'browser'`, no externals, so any
// Node-only import in a main entry fails the run) two kinds of programs:
// - the whole public API of a set of packages (`export * from ...`: nothing tree-shaken);
// - an application that trains an MLP (what tree shaking keeps).
// `--write` replaces the table between the markers in docs/install.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const everything = (...names) => names.map((name) => `export * from '@vane/${name}';`).join('\n');
const MLP_APP = `
import { seed } from '@vane/tensor';
import { adam } from '@vane/optim';
import { Sequential, Linear, ReLU, crossEntropy, fit } from '@vane/nn';
export function train(inputs, targets) {
  const model = new Sequential(new Linear(64, 64, { generator: seed(0) }), new ReLU(), new Linear(64, 10));
  return fit(model, adam({ lr: 3e-3 }), [{ input: inputs, target: targets }], { epochs: 1, loss: crossEntropy });
}`;

const ROWS = [
  ['tensor + optim (whole API)', everything('tensor', 'optim')],
  ['tensor + autodiff + nn + optim (whole API)', everything('tensor', 'autodiff', 'nn', 'optim')],
  ['… + datasets (whole API, embedded digits included)', everything('tensor', 'autodiff', 'nn', 'optim', 'datasets')],
  [
    '… + datasets + gpu (whole API, gpu.js included)',
    everything('tensor', 'autodiff', 'nn', 'optim', 'datasets', 'gpu'),
  ],
  ['an MLP training app (tensor, autodiff, nn, optim; tree-shaken)', MLP_APP],
];

const rows = [];
for (const [label, contents] of ROWS) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  rows.push({ label, minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length });
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const table = [
  '| bundle (esbuild, platform browser, minified) | minified | min + gzip |',
  '|---|---:|---:|',
  ...rows.map((row) => `| ${row.label} | ${kb(row.minified)} | ${kb(row.gzipped)} |`),
].join('\n');
console.log(table);

const core = rows[1].gzipped;
const goal = 60 * 1024;
console.log(`\ntensor + autodiff + nn + optim: ${kb(core)} gzip, goal ≤ 60 KB: ${core <= goal ? 'met' : 'MISSED'}`);

if (process.argv.includes('--write')) {
  const path = join(root, 'docs/install.md');
  const text = readFileSync(path, 'utf8');
  const start = '<!-- sizes:start -->';
  const end = '<!-- sizes:end -->';
  const note = `\n_Measured by \`npm run sizes\` (esbuild ${(await import('esbuild')).version}, Node ${process.version})._\n`;
  writeFileSync(path, text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${table}\n${note}${end}`));
  console.log(`wrote the table into ${path}`);
}
