import { describe, expect, it } from 'vitest';
import { add, div, mul, neg, pow, relu, sub, tensor, tidy, type Tensor } from '@vane/tensor';
import { valueAndGrad } from './index.js';

// The expression from micrograd's README (github.com/karpathy/micrograd), written with Vane
// ops. The README publishes g = 24.7041, dg/da = 138.8338 and dg/db = 645.5773, printed
// with four decimals, so the comparison tolerance is half a unit in the fourth decimal.
const PUBLISHED = { g: 24.7041, a: 138.8338, b: 645.5773 };
const FOUR_DECIMALS = 5e-5;

function expression(a: Tensor, b: Tensor): Tensor {
  let c = add(a, b);
  let d = add(mul(a, b), pow(b, 3));
  c = add(c, add(c, 1));
  c = add(c, add(add(1, c), neg(a)));
  d = add(d, add(mul(d, 2), relu(add(b, a))));
  d = add(d, add(mul(3, d), relu(sub(b, a))));
  const e = sub(c, d);
  const f = pow(e, 2);
  let g = div(f, 2.0);
  g = add(g, div(10.0, f));
  return g;
}

describe("micrograd's README example", () => {
  it('reproduces the published value and gradients with valueAndGrad', () => {
    tidy(() => {
      const a = tensor(-4.0, { dtype: 'float64' });
      const b = tensor(2.0, { dtype: 'float64' });
      const [g, [da, db]] = valueAndGrad(expression, { argnums: [0, 1] })(a, b);
      expect(Math.abs(g.item() - PUBLISHED.g)).toBeLessThan(FOUR_DECIMALS);
      expect(Math.abs(da.item() - PUBLISHED.a)).toBeLessThan(FOUR_DECIMALS);
      expect(Math.abs(db.item() - PUBLISHED.b)).toBeLessThan(FOUR_DECIMALS);
    });
  });

  it('reproduces them PyTorch-style with requiresGrad_() and backward()', () => {
    const a = tensor(-4.0, { dtype: 'float64' }).requiresGrad_();
    const b = tensor(2.0, { dtype: 'float64' }).requiresGrad_();
    const g = tidy(() => {
      const value = expression(a, b);
      value.backward();
      return value.item();
    });
    expect(Math.abs(g - PUBLISHED.g)).toBeLessThan(FOUR_DECIMALS);
    expect(Math.abs(a.grad!.item() - PUBLISHED.a)).toBeLessThan(FOUR_DECIMALS);
    expect(Math.abs(b.grad!.item() - PUBLISHED.b)).toBeLessThan(FOUR_DECIMALS);
    for (const leaf of [a, b]) {
      leaf.grad!.dispose();
      leaf.dispose();
    }
  });

  it('gives the same numbers in float32 to float32 precision', () => {
    tidy(() => {
      const [g, [da, db]] = valueAndGrad(expression, { argnums: [0, 1] })(tensor(-4.0), tensor(2.0));
      // float32 carries ~7 significant digits; these values have 3 before the point.
      expect(g.item()).toBeCloseTo(PUBLISHED.g, 3);
      expect(da.item()).toBeCloseTo(PUBLISHED.a, 2);
      expect(db.item()).toBeCloseTo(PUBLISHED.b, 2);
    });
  });
});
