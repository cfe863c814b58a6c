import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COVERED_FACTORIES } from './core-optimizers';

// Keeps the composition matrices complete: every factory exported by an optimizer module of
// the core must be in CORE_OPTIMIZERS (relativeStepSize is a schedule helper and adamwStages the
// stages adamw chains, not optimizers).
const NOT_OPTIMIZERS = new Set(['relativeStepSize', 'adamwStages']);

describe('the composition matrices cover every core optimizer', () => {
  it('lists each exported optimizer factory', async () => {
    const directory = new URL('../../optimizers/', import.meta.url);
    const modules = readdirSync(directory).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    const missing: string[] = [];
    for (const file of modules) {
      const exports = (await import(new URL(file, directory).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value === 'function' && !NOT_OPTIMIZERS.has(name) && !COVERED_FACTORIES.has(name)) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
