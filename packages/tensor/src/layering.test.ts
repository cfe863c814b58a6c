/**
 * The folders of the tensor core import one way: the scalar CPU kernels (`cpu/`) call the
 * WebAssembly SIMD kernels (`wasm/`), which know nothing of `cpu/`, not even its types. Types
 * both sides need live in a neutral file (`kernel-operands.ts`). ESLint's `import-x/no-cycle`
 * ignores type-only imports, so this test is what keeps the type-level layering.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const source = new URL('.', import.meta.url).pathname;

/** Every `import`/`export … from` specifier of a file, type-only ones included. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gm)].map((match) => match[1]!);
}

describe('tensor source layering', () => {
  it('wasm/ never imports from cpu/ (type imports included)', () => {
    const crossings = readdirSync(join(source, 'wasm'))
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        specifiers(join(source, 'wasm', name))
          .filter((specifier) => specifier.startsWith('../cpu/'))
          .map((specifier) => `wasm/${name} imports ${specifier}`),
      );
    expect(crossings).toEqual([]);
  });

  it('reads the imports it checks (a file known to import wasm/ shows up)', () => {
    expect(specifiers(join(source, 'cpu', 'matmul.ts'))).toContain('../wasm/simd-gemm.js');
  });
});
