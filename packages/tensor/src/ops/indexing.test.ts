import { describe, expect, it } from 'vitest';
import { tensor, tril, triu } from '../index';

describe('triu and tril', () => {
  it('keep the dtype of bool and int32 inputs', () => {
    const mask = tensor([
      [true, true],
      [true, true],
    ]);
    expect(triu(mask).dtype).toBe('bool');
    expect(triu(mask).toArray()).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(tril(mask).toArray()).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(tril(tensor([[1, 2], [3, 4]], { dtype: 'int32' })).dtype).toBe('int32');
  });
});
