import { describe, expect, it } from 'vitest';
import { dispose, logSoftmax, memory, softmax, tensor, tidy, type Tensor } from '@vane/tensor';
import {
  backward,
  checkGrad,
  customGrad,
  grad,
  jacobian,
  noGrad,
  setRequiresGrad,
  valueAndGrad,
  vjp,
} from './index.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('bad input gives clear errors (function, argument, shapes) or documented behaviour', () => {
  it('grad of a non-scalar output without a seed names the function and the shape', () => {
    tidy(() => {
      expect(() => grad((x: Tensor) => x.square())(tensor([1, 2, 3]))).toThrow(
        /^grad: the value returned by the function has shape \[3\], but a gradient needs a scalar \(one-element\) output; reduce it \(e\.g\. \.sum\(\) or \.mean\(\)\), or use vjp/,
      );
      expect(() => valueAndGrad((x: Tensor) => [x, 1] as never)(tensor([1]))).toThrow(
        /valueAndGrad: the value returned by the function must be a scalar tensor, got an array of length 2/,
      );
    });
  });

  it('vjp takes the seed (cotangent) a non-scalar output needs, and checks its shape', () => {
    tidy(() => {
      const [, pullBack] = vjp((x: Tensor) => x.square(), tensor([1, 2, 3]));
      expect(() => pullBack(tensor([1, 1]), { retainGraph: true })).toThrow(
        /vjp: cotangent leaf 0 has shape \[2\], expected \[3\] \(the output's shape\)/,
      );
      const [dx] = pullBack(tensor([1, 0, 2]));
      expect(values(dx)).toEqual([2, 0, 12]);
    });
  });

  it('grad with respect to an int tensor names the argument, its path and shape', () => {
    tidy(() => {
      const index = tensor([1, 2], { dtype: 'int32' });
      expect(() => grad((x: Tensor) => x.sum())(index)).toThrow(
        "grad: cannot differentiate with respect to argument 0, an int32 tensor of shape [2]: only float32 and float64 tensors have gradients (cast it, or leave it out of 'argnums')",
      );
      expect(() => grad((p: { w: Tensor[] }) => p.w[0]!.sum())({ w: [tensor([1]), index] })).toThrow(
        /argument 0 at 'w\.1', an int32 tensor of shape \[2\]/,
      );
      expect(() => grad((x: Tensor, n: number) => x.mul(n).sum(), { argnums: 1 })(tensor([1]), 3)).toThrow(
        /grad: argument 1 must be a tensor \(or a tree of tensors\) to be differentiated, got number 3/,
      );
      expect(() => grad((x: Tensor) => x.sum(), { argnums: 2 })(tensor([1]))).toThrow(
        /grad: 'argnums' 2 is out of range: the function was called with 1 argument/,
      );
    });
  });

  it('an int output is rejected', () => {
    tidy(() => {
      expect(() => grad((x: Tensor) => x.sum().cast('int32'))(tensor([1.5]))).toThrow(
        /grad: the value returned by the function is an int32 tensor; only float32 and float64 outputs can be differentiated/,
      );
    });
  });

  it('a function that does not depend on its input has a zero gradient, not an error', () => {
    tidy(() => {
      const constant = tensor(5);
      const [value, dx] = valueAndGrad((x: Tensor) => constant.mul(2).add(x.mul(0).sum().mul(0)).sum())(tensor([1, 2]));
      expect(value.item()).toBe(10);
      expect(values(dx)).toEqual([0, 0]);
      const dy = grad((_x: Tensor) => constant.square())(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      );
      expect(dy.shape).toEqual([2, 2]);
      expect(values(dy)).toEqual([0, 0, 0, 0]);
      // Returning a captured tensor hands back a new tensor: disposing it leaves the constant alive.
      const [same] = valueAndGrad((_x: Tensor) => constant)(tensor([1]));
      same.dispose();
      expect(constant.isDisposed).toBe(false);
    });
  });

  it('a second call of a vjp function through its freed graph throws; retainGraph allows it', () => {
    tidy(() => {
      const [, pullBack] = vjp((x: Tensor) => x.exp().sum(), tensor([0, 1]));
      pullBack(tensor(1), { retainGraph: true });
      pullBack(tensor(1));
      expect(() => pullBack(tensor(1))).toThrow(
        "vjp: this vjp function's graph was already freed (by an earlier call without { retainGraph: true }, or by dispose()); call vjp(f, ...primals) again",
      );
    });
  });

  it('differentiating inside noGrad is an error, not silent zeros', () => {
    tidy(() => {
      expect(() => noGrad(() => grad((x: Tensor) => x.sum())(tensor([1])))).toThrow(
        /grad: cannot differentiate inside noGrad\(\)/,
      );
    });
  });

  it('a disposed argument is named', () => {
    const x = tensor([1, 2]);
    x.dispose();
    expect(() => grad((v: Tensor) => v.sum())(x)).toThrow(
      /grad: argument 0 \(a float32 tensor of shape \[2\]\) was disposed/,
    );
  });

  it('hasAux needs a [value, aux] pair', () => {
    tidy(() => {
      expect(() => valueAndGrad((x: Tensor) => x.sum() as never, { hasAux: true })(tensor([1]))).toThrow(
        /valueAndGrad: with hasAux the function must return a \[value, aux\] pair, got a float32 tensor of shape \[\]/,
      );
    });
  });

  it('a custom backward with the wrong number of gradients names the custom function', () => {
    tidy(() => {
      const twice = customGrad(
        (a: Tensor, b: Tensor) => a.add(b),
        (g) => [g],
        { name: 'sumOfTwo' },
      );
      expect(() => grad((a: Tensor) => twice(a, a).sum())(tensor([1]))).toThrow(
        /grad: backward through 'customGrad\(sumOfTwo\)' \(inputs \[1\], \[1\] → output \[1\]\) failed: customGrad\(sumOfTwo\): backward must return one gradient \(or null\) per input: expected 2/,
      );
      const wrongShape = customGrad(
        (a: Tensor) => a.mul(2),
        () => tensor([1, 2, 3]),
        { name: 'badShape' },
      );
      expect(() => grad((a: Tensor) => wrongShape(a).sum())(tensor([1, 2]))).toThrow(
        /grad: the gradient rule of 'customGrad\(badShape\)' \(inputs \[2\] → output \[2\]\) returned shape \[3\] for input 0, which has shape \[2\]/,
      );
    });
  });

  it('every transform and backward rejects an unknown option, naming it and the valid ones', () => {
    const loose = (fn: unknown) => fn as (...args: unknown[]) => unknown;
    const square = (x: Tensor) => x.square().sum();
    expect(() => loose(grad)(square, { argnum: 1 })).toThrow(
      "grad: unknown option 'argnum'; expected one of 'argnums', 'hasAux'",
    );
    expect(() => loose(valueAndGrad)(square, { has_aux: true })).toThrow(
      "valueAndGrad: unknown option 'has_aux'; expected one of 'argnums', 'hasAux'",
    );
    expect(() => loose(jacobian)(square, { argnum: 0 })).toThrow(
      "jacobian: unknown option 'argnum'; expected one of 'argnums'",
    );
    expect(() => loose(customGrad)(square, (g: Tensor) => g, { label: 'x' })).toThrow(
      "customGrad: unknown option 'label'; expected one of 'name'",
    );
    expect(() => loose(checkGrad)(square, [tensor([1], { dtype: 'float64' })], { tolerance: 1 })).toThrow(
      "checkGrad: unknown option 'tolerance'; expected one of 'eps', 'rtol', 'atol'",
    );
    tidy(() => {
      const x = setRequiresGrad(tensor([1, 2]));
      const y = x.square().sum();
      expect(() => loose(backward)(y, undefined, { retain_graph: true })).toThrow(
        "backward: unknown option 'retain_graph'; expected one of 'retainGraph', 'createGraph'",
      );
      expect(() => loose(y.backward.bind(y))(undefined, { keepGraph: true })).toThrow(
        "backward: unknown option 'keepGraph'",
      );
      const [, pullBack] = vjp((v: Tensor) => v.square(), tensor([1, 2]));
      expect(() => loose(pullBack)(tensor([1, 1]), { retain: true })).toThrow(
        "vjp: unknown option 'retain'; expected one of 'retainGraph'",
      );
    });
  });

  it('softmax and logSoftmax over an empty axis differentiate to an empty gradient, as PyTorch', () => {
    tidy(() => {
      const empty = tensor([[], []]);
      expect(grad((x: Tensor) => softmax(x).sum())(empty).shape).toEqual([2, 0]);
      expect(grad((x: Tensor) => logSoftmax(x, 0).sum())(tensor([[], []]).reshape([0, 2])).shape).toEqual([0, 2]);
    });
  });

  it('errors leave no tensors behind', () => {
    const x = tensor([1, 2, 3]);
    const before = memory().numTensors;
    for (let attempt = 0; attempt < 3; attempt++) expect(() => grad((v: Tensor) => v.exp().square())(x)).toThrow();
    expect(memory().numTensors).toBe(before);
    dispose(x);
  });
});
