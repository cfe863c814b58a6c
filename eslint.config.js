// Lint configuration for the whole monorepo: ESLint's and typescript-eslint's recommended
// rules, with the few exceptions the kernels need (see comments).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/test-results/**', 'runs/**', '**/*.min.js', 'packages/*/fixtures/**', 'benchmarks/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
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
);
