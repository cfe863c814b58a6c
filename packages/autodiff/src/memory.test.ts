import { describe, expect, it } from 'vitest';
import {
  add,
  conv2d,
  dispose,
  gather,
  logSoftmax,
  matmul,
  maxPool2d,
  mean,
  memory,
  neg,
  randn,
  relu,
  reshape,
  seed,
  tensor,
  tidy,
  tree,
  type Tensor,
} from '@vane/tensor';
import { customGrad, grad, hvp, jacobian, valueAndGrad, vjp, zeroGrad } from './index.js';

interface Mlp {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

function makeMlp(): { params: Mlp; x: Tensor; labels: Tensor } {
  const generator = seed(3);
  return {
    params: {
      w1: randn([4, 16], { generator, std: 0.5 }),
      b1: randn([16], { generator, std: 0.1 }),
      w2: randn([16, 3], { generator, std: 0.5 }),
      b2: randn([3], { generator, std: 0.1 }),
    },
    x: randn([8, 4], { generator }),
    labels: tensor([[0], [1], [2], [0], [1], [2], [0], [1]], { dtype: 'int32' }),
  };
}

function crossEntropy(params: Mlp, x: Tensor, labels: Tensor): Tensor {
  const hidden = relu(add(matmul(x, params.w1), params.b1));
  const logits = add(matmul(hidden, params.w2), params.b2);
  return neg(mean(gather(logSoftmax(logits, -1), 1, labels)));
}

const live = () => memory().numTensors;

describe('memory: the tape is released after backward', () => {
  it('10,000 valueAndGrad steps on a small MLP do not grow the live tensor count (caller disposes)', () => {
    const { params, x, labels } = makeMlp();
    const step = valueAndGrad(crossEntropy);
    // One warm-up step, then the baseline: nothing may accumulate from here on.
    dispose(step(params, x, labels));
    const baseline = memory();
    let checkpoint = 0;
    for (let iteration = 0; iteration < 10_000; iteration++) {
      const [loss, gradients] = step(params, x, labels);
      loss.dispose();
      dispose(gradients);
      if (iteration === 4_999) checkpoint = live();
    }
    expect(checkpoint).toBe(baseline.numTensors);
    expect(memory().numTensors).toBe(baseline.numTensors);
    expect(memory().numBytes).toBe(baseline.numBytes);
    dispose([params, x, labels]);
    // 10,000 steps take 2–4 s on a machine with two other jobs on its two cores: the default
    // 5 s timed out in full-suite runs there (it checks memory, not speed).
  }, 30_000);

  it('a training loop inside tidy does not leak either (returned tensors are freed with the scope)', () => {
    const { params, x, labels } = makeMlp();
    let current = params;
    const before = live();
    for (let iteration = 0; iteration < 200; iteration++) {
      const next = tidy(() => {
        const [, gradients] = valueAndGrad(crossEntropy)(current, x, labels);
        return tree.map(
          (p: Tensor, g: Tensor) => p.sub(g.mul(0.1)),
          current as unknown as tree.Tree<Tensor>,
          gradients as unknown as tree.Tree<Tensor>,
        ) as unknown as Mlp;
      });
      if (current !== params) dispose(current);
      current = next;
    }
    expect(live()).toBe(before + (current === params ? 0 : 4));
    dispose([params, current, x, labels]);
  });

  it('returns only the value and gradients: everything else is freed when valueAndGrad returns', () => {
    const { params, x, labels } = makeMlp();
    const before = live();
    const [loss, gradients] = valueAndGrad(crossEntropy)(params, x, labels);
    expect(live()).toBe(before + 1 + 4);
    loss.dispose();
    dispose(gradients);
    expect(live()).toBe(before);
    dispose([params, x, labels]);
  });

  it('frees everything after grad(grad(f)), hvp and jacobian', () => {
    const x = tensor([0.5, -1, 2], { dtype: 'float64' });
    const f = (v: Tensor) => v.tanh().pow(3).sum();
    const before = live();
    dispose(grad((v: Tensor) => grad(f)(v).sum())(x));
    dispose(hvp(f, x, tensor([1, 0, 2], { dtype: 'float64' })));
    expect(live()).toBe(before + 1); // the direction v
    dispose(jacobian((v: Tensor) => v.exp().mul(v))(x));
    expect(live()).toBe(before + 1);
  });

  it('vjp keeps its graph until the call (or dispose), then frees it', () => {
    const x = tensor([1, 2, 3]);
    const cotangent = tensor([1, 1, 1]);
    const before = live();
    const [y, pullBack] = vjp((v: Tensor) => v.exp().sum(0, true).mul(v), x);
    const held = live();
    expect(held).toBeGreaterThan(before + 1);
    const [dx] = pullBack(cotangent);
    expect(live()).toBe(before + 2);
    dispose([y, dx]);
    const [y2, pullBack2] = vjp((v: Tensor) => v.square(), x);
    pullBack2.dispose();
    y2.dispose();
    expect(live()).toBe(before);
  });

  it('frees maxPool2d indices, conv intermediates and customGrad saved tensors', () => {
    const generator = seed(5);
    const image = randn([2, 1, 6, 6], { generator });
    const kernel = randn([2, 1, 3, 3], { generator });
    const softClip = customGrad(
      (v: Tensor) => ({ output: v.tanh(), saved: { slope: v.tanh().square().neg().add(1) } }),
      (g, { saved }) => g.mul((saved as { slope: Tensor }).slope),
    );
    const net = (w: Tensor) => softClip(maxPool2d(relu(conv2d(image, w, { padding: 1 })), 2)).sum();
    const before = live();
    for (let iteration = 0; iteration < 20; iteration++) dispose(valueAndGrad(net)(kernel));
    expect(live()).toBe(before);
    dispose([image, kernel]);
  });

  it('PyTorch style: backward inside tidy plus zeroGrad keeps the count constant', () => {
    const { params, x, labels } = makeMlp();
    const leaves = tree.leaves(params as unknown as tree.Tree<Tensor>);
    for (const leaf of leaves) leaf.requiresGrad_();
    tidy(() => crossEntropy(params, x, labels).backward());
    zeroGrad(leaves);
    const before = live();
    for (let iteration = 0; iteration < 200; iteration++) {
      tidy(() => crossEntropy(params, x, labels).backward());
      zeroGrad(leaves);
    }
    expect(live()).toBe(before);
    for (const leaf of leaves) leaf.requiresGrad_(false);
    dispose([params, x, labels]);
  });

  it('shields the tape’s tensors from a tidy inside the function, and still frees them', () => {
    const x = tensor([0.5, 1]);
    const before = live();
    // exp's output is needed by its rule; the inner tidy must not free it before backward.
    const dx = grad((v: Tensor) => tidy(() => v.exp().mul(2).sum()))(x);
    expect(Array.from(dx.dataSync())).toEqual([2 * Math.exp(0.5), 2 * Math.exp(1)].map(Math.fround));
    dx.dispose();
    expect(live()).toBe(before);
    x.dispose();
  });

  it('releases a tape when the function throws', () => {
    const x = tensor([1, 2]);
    const before = live();
    expect(() =>
      grad((v: Tensor) => {
        v.square().exp();
        throw new Error('boom');
      })(x),
    ).toThrow('boom');
    expect(live()).toBe(before);
    x.dispose();
    expect(reshape).toBeDefined();
  });
});
