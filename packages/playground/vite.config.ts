/**
 * Vite configuration of the playground: a static site with relative paths (base './'), so
 * dist/ works from any static file server or sub-directory, and module workers (the training
 * worker loads @vane/gpu only when asked, which needs code-splitting inside the worker).
 * `nodeBuiltinsStub` stands in for the `node:*` modules the libraries import but the page
 * never calls (see node-builtins-stub.ts).
 */
import { defineConfig } from 'vite';
import { nodeBuiltinsStub } from './node-builtins-stub.ts';

export default defineConfig({
  base: './',
  plugins: [nodeBuiltinsStub()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // Not minified: gpu.js compiles Vane's kernels from their JavaScript source text, and a
    // minifier rewrites `a === b ? 1 : 0` into `+(a === b)`, which GLSL refuses ("no operation
    // '+' exists that takes an operand of type bool"). Whitespace and names would be safe, but
    // one rule for the whole site is simpler; gzip takes most of the difference back.
    minify: false,
  },
  worker: { format: 'es', plugins: () => [nodeBuiltinsStub()] },
});
