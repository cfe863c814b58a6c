// Lint configuration for the whole monorepo: ESLint's and typescript-eslint's recommended
// rules, with the few exceptions the kernels need (see comments), and two rules on the shape
// of the code: no import cycles, and no relative import that reaches into another package.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { packageBoundaries } from './scripts/eslint/package-boundaries.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'docs/api/**',
      '**/.readme-*/**',
      '**/test-results/**',
      'runs/**',
      '**/*.min.js',
      'packages/*/fixtures/**',
      'benchmarks/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      // Kernels are generated with `new Function` so V8 can inline each elementwise function.
      'no-new-func': 'off',
      '@typescript-eslint/no-implied-eval': 'off',
      // Tree helpers and the recorder are typed over heterogeneous leaves.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // NaN checks (x !== x) keep kernels free of function calls, which GPU transpilers need.
      'no-self-compare': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // Import cycles. A cycle makes a module's exports `undefined` while it is being loaded,
    // depending on which file of the cycle is imported first. Type-only imports are erased
    // and do not count. Packages import each other through their `@vane/*` names, which
    // resolve to their `src/index.ts` (decision 0001), so a cycle between packages is found
    // too; the test-only package edges of decision 0004 stay out of it because no source file
    // imports a test file.
    plugins: { 'import-x': importX, vane: { rules: { 'package-boundaries': packageBoundaries } } },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.d.ts', '.js', '.mjs'],
          conditionNames: ['types', 'import', 'default'],
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'vane/package-boundaries': 'error',
    },
  },
);
