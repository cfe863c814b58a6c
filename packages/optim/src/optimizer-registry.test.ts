import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as optim from './index.js';
import { OPTIMIZER_NAMES, OPTIMIZER_REGISTRY, optimizerEntry, type OptionKind } from './optimizer-registry.js';

// A value each kind accepts and one it refuses (with every other option left at its default).
const SAMPLES: Record<Exclude<OptionKind, 'other'>, { valid: unknown; invalid: unknown }> = {
  learningRate: { valid: 0.01, invalid: -1 },
  positive: { valid: 0.5, invalid: 0 },
  nonNegative: { valid: 0, invalid: -1 },
  unitInterval: { valid: 0.5, invalid: 1 },
  closedUnitInterval: { valid: 1, invalid: 1.5 },
  betas: { valid: [0.5, 0.9], invalid: [1, 0.9] },
  boolean: { valid: true, invalid: 1 },
};

describe('the optimizer registry', () => {
  it.each(OPTIMIZER_NAMES)("%s: its option names are the factory's own unknown-option list", (name) => {
    const entry = optimizerEntry(name)!;
    let message = '';
    try {
      entry.factory({ notAnOption: 1 });
    } catch (error) {
      message = (error as Error).message;
    }
    const listed = /expected one of (.*)$/
      .exec(message)?.[1]
      ?.match(/'[^']+'/g)
      ?.map((quoted) => quoted.slice(1, -1));
    expect(listed, message).toEqual(Object.keys(entry.options));
  });

  it.each(OPTIMIZER_NAMES)('%s: every option accepts what its kind promises and refuses what it excludes', (name) => {
    const entry = optimizerEntry(name)!;
    for (const [option, kind] of Object.entries(entry.options) as [string, OptionKind][]) {
      if (kind === 'other') continue;
      const { valid, invalid } = SAMPLES[kind];
      expect(() => entry.factory({ [option]: valid }), `${name}.${option} = ${JSON.stringify(valid)}`).not.toThrow();
      expect(() => entry.factory({ [option]: invalid }), `${name}.${option} = ${JSON.stringify(invalid)}`).toThrow(
        new RegExp(`^${name}: '${option}`),
      );
    }
  });

  it('holds every optimizer factory the optimizer modules export, as the package exports it', async () => {
    // relativeStepSize is adafactor's schedule and adamwStages the stages adamw chains.
    const notOptimizers = new Set(['relativeStepSize', 'adamwStages']);
    const directory = new URL('./optimizers/', import.meta.url);
    const exported: string[] = [];
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      const module = (await import(new URL(file, directory).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module))
        if (typeof value === 'function' && !notOptimizers.has(name)) exported.push(name);
    }
    expect([...OPTIMIZER_NAMES].sort()).toEqual(exported.sort());
    for (const name of OPTIMIZER_NAMES)
      expect((optim as Record<string, unknown>)[name]).toBe(OPTIMIZER_REGISTRY[name].factory);
    expect(optimizerEntry('adamw')).toBe(OPTIMIZER_REGISTRY.adamw);
    expect([optimizerEntry('nonsense'), optimizerEntry('toString')]).toEqual([undefined, undefined]);
  });

  it("docs/optim.md's optimizer table lists exactly the registry's optimizers, in its order", () => {
    const guide = readFileSync(new URL('../../../docs/optim.md', import.meta.url), 'utf8');
    const table = guide.slice(guide.indexOf('| optimizer | chain | defaults |'));
    const rows = table.split('\n').slice(2);
    const names = rows
      .slice(
        0,
        rows.findIndex((row) => !row.startsWith('|')),
      )
      .map((row) => /^\| `([^`]+)`/.exec(row)?.[1]);
    expect(names).toEqual(OPTIMIZER_NAMES);
  });
});
