/**
 * Vite configuration of the playground: a static site with relative paths (base './'), so
 * dist/ works from any static file server or sub-directory, and module workers (the training
 * worker loads @vane/gpu only when asked, which needs code-splitting inside the worker).
 * `@vane/*` resolve through the `@vane/source` export condition to their TypeScript sources,
 * as in every test of the repository (docs/decisions/0006-built-packages-with-source-condition.md),
 * so the site builds from a fresh clone without building the packages first. The libraries'
 * main entry points are browser-safe (their file code lives behind `./node`), so no Node
 * module is bundled.
 */
import { defineConfig } from 'vite';
import { sourceResolve } from '../../vitest.shared.ts';

export default defineConfig({
  base: './',
  resolve: sourceResolve.resolve,
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Not minified: one rule for the whole site keeps the shipped kernels readable in the
    // browser's devtools; gzip takes most of the difference back. (@vane/gpu itself survives
    // minification: its functionSource undoes a minifier's `+(a === b)`.)
    minify: false,
  },
  worker: { format: 'es' },
});
