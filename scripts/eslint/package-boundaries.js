/**
 * ESLint rule `vane/package-boundaries`: a relative import never crosses into or out of a
 * package.
 *
 * Each folder under `packages/` (and the `benchmarks` workspace) is one unit. Code reaches a
 * package only through its name (`@vane/tensor`), which is what its package.json declares and
 * what its `index.ts` exports; a path such as `../../../tensor/src/wasm/simd-fused` would
 * bypass both, and would load a second copy of a module if the packages were ever built
 * (docs/decisions/0001). The repository's own tooling (`eslint.config.js`, `scripts/`,
 * `docs/`, and each package's `vite.config.ts`/`vitest.config.ts`, which share the root's
 * `vitest.shared.ts`) is not a package and may import its neighbours relatively.
 */
import path from 'node:path';

const repositoryRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The package a file belongs to ('packages/<name>' or 'benchmarks'), or '' for the repository's tooling. */
export function unitOf(file) {
  const parts = path.relative(repositoryRoot, file).split(path.sep);
  if (parts[0] === '..') return undefined;
  // A package's build and test configuration is tooling too (it is not shipped).
  if (parts.length === 3 && parts[0] === 'packages' && /^vite(st)?\.config\.[cm]?[jt]s$/.test(parts[2])) return '';
  if (parts[0] === 'packages' && parts.length > 2) return `packages/${parts[1]}`;
  if (parts[0] === 'benchmarks' && parts.length > 1) return 'benchmarks';
  return '';
}

/** The rule: relative specifiers must resolve inside the importing file's unit. */
export const packageBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports stay inside their own package; other packages are imported by name.' },
    messages: {
      crossing:
        "'{{specifier}}' reaches from {{from}} into {{to}}; import it by its package name (and export it there if it is not exported)",
    },
    schema: [],
  },
  create(context) {
    const file = context.physicalFilename;
    const from = unitOf(file);
    if (from === undefined) return {};
    const check = (node) => {
      const specifier = node?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const to = unitOf(path.resolve(path.dirname(file), specifier)) ?? 'outside the repository';
      if (to !== from)
        context.report({
          node,
          messageId: 'crossing',
          data: { specifier, from: from || "the repository's tooling", to: to || "the repository's tooling" },
        });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
