/**
 * The float-arithmetic read of one-value-per-texel storages (value-fetch.ts): the source
 * rewrite on its own, and exact copies through large, scattered indices on the device (a
 * transposed copy of six million values reads every index of the storage in a strided order,
 * so a row of the texture picked wrongly by the division would show as a misplaced value).
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { readValuesDirectly } from '../src/value-fetch.js';
import { gpuReady } from './gpu-availability.js';

describe('readValuesDirectly', () => {
  it('rewrites reads of the named textures, nested ones included, and nothing else', () => {
    expect(readValuesDirectly('return x[i + y[j]] + z[k] + this.thread.x;', ['x', 'y'])).toBe(
      'return vaneValue(x, i + vaneValue(y, j)) + z[k] + this.thread.x;',
    );
    expect(readValuesDirectly('const xs = xOffset + ax[1]; return x[xs];', ['x'])).toBe(
      'const xs = xOffset + ax[1]; return vaneValue(x, xs);',
    );
    expect(readValuesDirectly('return x[0];', [])).toBe('return x[0];');
  });

  it('refuses an unbalanced read with an error', () => {
    expect(() => readValuesDirectly('return x[i;', ['x'])).toThrow(/unbalanced/);
  });
});

describe.runIf(gpuReady)('vaneValue on the device', () => {
  it('a transposed copy of 6,003,000 values is exact', () => {
    tidy(() => {
      const rows = 3000;
      const columns = 2001;
      const x = vane.arange(0, rows * columns, 1, { dtype: 'float32' }).reshape([rows, columns]);
      const copied = x.to('gpu').transpose().contiguous().dataSync();
      const want = x.transpose().contiguous().dataSync();
      let wrong = 0;
      for (let index = 0; index < want.length; index++) if (copied[index] !== want[index]) wrong++;
      expect(wrong).toBe(0);
    });
  });
});
