/**
 * Blocked products laid out in two bands side by side (texel-fetch.ts's productBands), so that
 * llvmpipe's second rasteriser thread takes half of a product whose block grid fits one tile:
 * each product form (blocked, row, outer, batched) and its consumers (an elementwise chain, a
 * further product, a readback) agree with the cpu with bands forced on and off, and a product
 * written in one layout is read correctly after the switch changes.
 */
import * as vane from '@vane/tensor';
import { add, matmul, relu, tidy, transpose, type Tensor } from '@vane/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { overrideProductBands, productBands } from '../src/texel-fetch.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/** Tolerance against the cpu backend: float32 sums over depths up to hundreds in another order. */
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);
const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

describe.runIf(gpuReady)('product bands', () => {
  afterEach(() => overrideProductBands(undefined));

  it('takes two bands only for a grid within one tile that two bands spread over a tile edge', () => {
    overrideProductBands(true);
    expect(productBands(64, 16)).toBe(2);
    expect(productBands(64, 32)).toBe(2);
    expect(productBands(33, 4)).toBe(2);
    expect(productBands(32, 16)).toBe(1);
    expect(productBands(64, 98)).toBe(1);
    expect(productBands(64, 2)).toBe(1);
    expect(productBands(64, 15)).toBe(1);
    overrideProductBands(false);
    expect(productBands(64, 16)).toBe(1);
  });

  it.each([true, false])('each product form agrees with the cpu (bands %s)', (bands) => {
    overrideProductBands(bands);
    tidy(() => {
      const x = random([128, 200], 1);
      const w = random([200, 256], 2);
      const v = random([256, 200], 3);
      const bias = random([256], 4);
      const batched = random([2, 64, 36], 5);
      const right = random([2, 36, 260], 6);
      const gx = x.to('gpu');
      // Row form (w row-major), blocked form (vᵀ), outer form (xᵀ · y), a batched product.
      expectClose(matmul(x, w), matmul(gx, w.to('gpu')), 'x · w');
      expectClose(matmul(x, transpose(v)), matmul(gx, transpose(v.to('gpu'))), 'x · vᵀ');
      const y = random([128, 256], 7);
      expectClose(matmul(transpose(y), y), matmul(transpose(y.to('gpu')), y.to('gpu')), 'yᵀ · y');
      expectClose(matmul(batched, right), matmul(batched.to('gpu'), right.to('gpu')), 'batched');
      // Consumers: an elementwise chain over the product, then a product reading the chain.
      const h = relu(add(matmul(x, w), bias));
      const gh = relu(add(matmul(gx, w.to('gpu')), bias.to('gpu')));
      expectClose(h, gh, 'relu(x · w + b)');
      // Its terms reach about 14 · 256 in magnitude, so its float32 rounding is larger.
      expectCloseToCpu(matmul(h, v), matmul(gh, v.to('gpu')), 'relu(x · w + b) · v', {
        absolute: 2e-3,
        relative: 1e-4,
      });
    });
  });

  it('reads a product written in bands after the switch is turned off', () => {
    tidy(() => {
      const x = random([128, 64], 8);
      const w = random([64, 256], 9);
      overrideProductBands(true);
      const banded = matmul(x.to('gpu'), w.to('gpu'));
      overrideProductBands(false);
      const plain = matmul(x.to('gpu'), w.to('gpu'));
      expectClose(matmul(x, w), add(banded, 0), 'banded, read after the switch');
      expectClose(matmul(x, w), plain, 'one band');
    });
  });
});
