#!/usr/bin/env node
// Adds explicit extensions to relative module specifiers, as Node's ESM loader and TypeScript's
// `node16`/`nodenext` resolution require: `./x` becomes `./x.js` where `x.ts` exists, and `./dir`
// becomes `./dir/index.js` where `dir/index.ts` exists. It rewrites `import … from`,
// `import type … from`, `export … from`, side-effect `import '…'`, dynamic `import('…')` and
// vitest's `vi.mock`/`vi.doMock`/`vi.importActual`/`vi.importMock` paths, and module
// augmentations (`declare module '../tensor'`).
//
// Idempotent: a specifier that already names a file (`.js`, `.mjs`, `.json`, …) is left alone,
// so running it twice changes nothing the second time. Re-runnable after merges:
//
//   node scripts/add-import-extensions.mjs           # rewrite in place, list changed files
//   node scripts/add-import-extensions.mjs --check   # exit 1 if anything would change
//
// Scope: every package's src/, test/ and fixtures/, benchmarks/src/ and docs/ (the TypeScript
// files that tsconfig.json includes). Specifiers it cannot resolve on disk are reported and
// left unchanged.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
const KNOWN_EXTENSION = /\.(?:[cm]?[jt]sx?|json|wasm|css|node|txt|bin)$/;
// TypeScript source extension → the extension the emitted file (and so the specifier) has.
const EMITTED = {
  '.ts': '.js',
  '.tsx': '.js',
  '.mts': '.mjs',
  '.cts': '.cjs',
  '.js': '.js',
  '.mjs': '.mjs',
  '.cjs': '.cjs',
  '.jsx': '.js',
};

function roots() {
  const list = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    for (const sub of ['src', 'test', 'fixtures']) list.push(join(root, 'packages', name, sub));
  }
  list.push(join(root, 'benchmarks', 'src'), join(root, 'docs'));
  return list.filter((path) => existsSync(path));
}

function* walk(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (/\.(?:[cm]?ts|tsx|[cm]?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const isFile = (path) => existsSync(path) && statSync(path).isFile();

/** The specifier with its extension, or undefined when nothing on disk matches. */
function resolveSpecifier(fromFile, specifier) {
  if (KNOWN_EXTENSION.test(specifier)) return specifier;
  const base = resolve(dirname(fromFile), specifier);
  for (const extension of SOURCE_EXTENSIONS) {
    if (isFile(base + extension)) return specifier + EMITTED[extension];
  }
  if (existsSync(base) && statSync(base).isDirectory()) {
    for (const extension of SOURCE_EXTENSIONS) {
      if (isFile(join(base, 'index' + extension))) return specifier.replace(/\/$/, '') + '/index' + EMITTED[extension];
    }
  }
  return undefined;
}

// `from '…'` (imports, `import type`, `export … from`), `declare module '…'`, `import '…'`,
// `import('…')`, and vitest's module-path helpers. Only relative specifiers (`./`, `../`, `.`, `..`).
const PATTERN =
  /(\bfrom\s*|\bdeclare\s+module\s+|\bimport\s*\(\s*|\bimport\s+|\bvi\.(?:mock|doMock|unmock|doUnmock|importActual|importMock)\s*\(\s*)(['"])(\.{1,2}(?:\/[^'"\n]*)?)\2/g;

let changedFiles = 0;
const unresolved = [];
for (const directory of roots()) {
  for (const file of walk(directory)) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(PATTERN, (match, prefix, quote, specifier) => {
      const resolved = resolveSpecifier(file, specifier);
      if (resolved === undefined) {
        unresolved.push(`${relative(root, file)}: ${specifier}`);
        return match;
      }
      return `${prefix}${quote}${resolved}${quote}`;
    });
    if (next !== text) {
      changedFiles++;
      if (check) console.log(`would change ${relative(root, file)}`);
      else writeFileSync(file, next);
    }
  }
}
for (const line of unresolved) console.warn(`unresolved (left unchanged): ${line}`);
console.log(`${check ? 'would change' : 'changed'} ${changedFiles} file(s)`);
if (check && changedFiles > 0) process.exit(1);
