import { describe, expect, it } from 'vitest';
import { arange, avgPool2d, reshape } from '../index.js';

// Regression: avgPool2d accepted `dilation` (Pool2dOptions) but silently ignored it.
describe('avgPool2d dilation', () => {
  it('averages the dilated window, as maxPool2d does', () => {
    const x = reshape(arange(0, 16, 1, { dtype: 'float32' }), [1, 1, 4, 4]);
    const pooled = avgPool2d(x, 2, { stride: 1, dilation: 2 });
    expect(pooled.shape).toEqual([1, 1, 2, 2]);
    // out[i][j] = mean of x[i][j], x[i][j+2], x[i+2][j], x[i+2][j+2] with x[r][c] = 4r + c.
    expect(Array.from(pooled.dataSync())).toEqual([5, 6, 9, 10]);
  });
});
