#!/usr/bin/env node
// Adds up the vitest JSON reports that each workspace wrote during `npm test` and prints one
// closing line for the whole monorepo ("N passed, N failed, N skipped"), since turbo's own
// summary counts tasks, not tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'benchmarks'].flatMap((folder) => {
  const path = join(root, folder);
  if (!existsSync(path)) return [];
  return folder === 'benchmarks' ? [path] : readdirSync(path).map((name) => join(path, name));
});

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const workspace of workspaces) {
  const report = join(workspace, 'test-results', 'vitest.json');
  if (!existsSync(report)) {
    // A workspace without a test script (benchmarks) has nothing to report.
    const manifest = join(workspace, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test)
      missing.push(workspace.slice(root.length));
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests ?? 0;
  failed += result.numFailedTests ?? 0;
  skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
}
if (missing.length) console.log(`(no test report from: ${missing.join(', ')})`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
