import { describe, expect, it } from 'vitest';
import { runId, type RunConfiguration } from './run-configuration.js';

const spec = { model: 'mlp', dataset: 'digits', optimizer: 'adamw', lr: 1e-3, batchSize: 64, epochs: 1, seed: 0 };

describe('runId', () => {
  it('is a hash of the configuration: stable across key order and unset fields, different for any changed setting', () => {
    const id = runId({ kind: 'training', spec });
    expect(id).toMatch(/^training-[0-9a-f]{16}$/);
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as typeof spec;
    expect(runId({ kind: 'training', spec: { ...reordered, trainLimit: undefined } } as RunConfiguration)).toBe(id);
    expect(runId({ kind: 'training', spec: { ...spec, lr: 1e-2 } })).not.toBe(id);
    expect(runId({ kind: 'training', spec: { ...spec, trainLimit: 64 } })).not.toBe(id);
  });
});
