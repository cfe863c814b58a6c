import { describe, expect, it } from 'vitest';
import { add, isRecording, maxPool2d, memory, mul, sum, tensor, tidy, type Tensor } from '@vane/tensor';
import { backward, customGrad, detach, grad, noGrad, setRequiresGrad, stopGradient, zeroGrad } from './index.js';

const values = (t: Tensor | null) => Array.from(t!.dataSync());

function cleanUp(...leaves: Tensor[]): void {
  zeroGrad(leaves);
  for (const leaf of leaves) leaf.dispose();
}

describe('PyTorch-style gradients', () => {
  it('accumulates into .grad across backward calls, and zeroGrad clears it', () => {
    const w = tensor([1, 2, 3]).requiresGrad_();
    tidy(() => w.square().sum().backward());
    expect(values(w.grad)).toEqual([2, 4, 6]);
    tidy(() => mul(w, 3).sum().backward());
    expect(values(w.grad)).toEqual([5, 7, 9]);
    zeroGrad(w);
    expect(w.grad).toBeNull();
    cleanUp(w);
  });

  it('gives each leaf its own .grad tensor even when the rule shares one', () => {
    const a = tensor([1, 2]).requiresGrad_();
    const b = tensor([3, 4]).requiresGrad_();
    tidy(() => add(a, b).sum().backward());
    expect(a.grad).not.toBe(b.grad);
    a.grad!.dispose();
    expect(values(b.grad)).toEqual([1, 1]);
    cleanUp(a, b);
  });

  it('takes a seed for non-scalar outputs and rejects a missing one', () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    tidy(() => {
      const y = x.square();
      expect(() => y.backward()).toThrow(
        /backward: the output has shape \[3\]; backward\(\) without a seed needs a one-element output/,
      );
      y.backward(tensor([1, 0, -1]));
    });
    expect(values(x.grad)).toEqual([2, 0, -6]);
    cleanUp(x);
  });

  it('frees the graph after backward: a second backward throws unless retainGraph', () => {
    const x = tensor([1, 2]).requiresGrad_();
    tidy(() => {
      const loss = x.exp().sum();
      loss.backward(undefined, { retainGraph: true });
      loss.backward();
      expect(() => loss.backward()).toThrow(
        /backward: the graph through '(sum|exp)' .* was already freed by an earlier backward\(\); pass \{ retainGraph: true \}/,
      );
    });
    expect(values(x.grad)).toEqual([2 * Math.fround(Math.exp(1)), 2 * Math.fround(Math.exp(2))].map(Math.fround));
    cleanUp(x);
  });

  it('reports a graph whose tensors a tidy already disposed', () => {
    const x = tensor([1, 2]).requiresGrad_();
    const loss = tidy(() => x.exp().sum()); // exp's output is freed with the scope
    expect(() => loss.backward()).toThrow(
      /backward: backward through 'exp' \(inputs \[2\] → output \[2\]\) failed: .*was disposed \(a tensor of the recorded graph was freed/,
    );
    loss.dispose();
    cleanUp(x);
  });

  it('rejects backward from a tensor that does not require gradients', () => {
    tidy(() => {
      const y = tensor([1, 2]).square().sum();
      expect(() => y.backward()).toThrow(
        /backward: tensor #\d+ \(a float32 tensor of shape \[\]\) does not require gradients/,
      );
    });
  });

  it('does not record inside noGrad, and detach/stopGradient cut the graph', () => {
    const x = tensor([2]).requiresGrad_();
    tidy(() => {
      const constant = noGrad(() => x.square());
      expect(() => constant.backward()).toThrow(/does not require gradients/);
      // y = x·stop(x) + x·detach(x): dy/dx = 2x, not 4x.
      add(mul(x, stopGradient(x)), mul(x, x.detach()))
        .sum()
        .backward();
      expect(detach(x).requiresGrad).toBe(false);
    });
    expect(values(x.grad)).toEqual([4]);
    cleanUp(x);
  });

  it('rejects marking an integer tensor', () => {
    const index = tensor([1, 2], { dtype: 'int32' });
    expect(() => index.requiresGrad_()).toThrow(
      /setRequiresGrad: only float32 and float64 tensors can require gradients, got an int32 tensor of shape \[2\]/,
    );
    const other = tensor([1]);
    expect(() => setRequiresGrad({ weights: [other, index] })).toThrow(/at 'weights.1'/);
    expect(other.requiresGrad).toBe(false);
    other.dispose();
    index.dispose();
  });

  it('supports createGraph for second derivatives', () => {
    const x = tensor([3], { dtype: 'float64' }).requiresGrad_();
    const cube = x.pow(3).sum();
    cube.backward(undefined, { createGraph: true });
    const first = x.grad!; // 3x² = 27, still attached to the graph
    expect(values(first)).toEqual([27]);
    x.grad = null;
    first.sum().backward();
    expect(values(x.grad)).toEqual([18]); // 6x
    first.dispose();
    cleanUp(x);
  });

  it('uninstalls the recorder once no marked tensor is alive, and frees maxPool2d indices', () => {
    const before = memory().numTensors;
    const x = tensor([
      [
        [
          [1, 5],
          [3, 2],
        ],
      ],
    ]).requiresGrad_();
    expect(isRecording()).toBe(true);
    tidy(() => maxPool2d(x, 2).sum().backward());
    expect(values(x.grad)).toEqual([0, 1, 0, 0]);
    cleanUp(x);
    // The recorder notices disposed leaves when it next prunes (at the next backward or mark).
    const other = tensor([1]).requiresGrad_();
    other.requiresGrad_(false);
    other.dispose();
    expect(isRecording()).toBe(false);
    expect(memory().numTensors).toBe(before);
  });

  it('runs custom rules, and frees their saved tensors with the graph', () => {
    const x = tensor([-2, 0.5]).requiresGrad_();
    const before = memory().numTensors;
    const halfGradient = customGrad(
      (v: Tensor) => ({ output: v.square(), saved: v.mul(2) }),
      (g, { saved }) => g.mul(saved as Tensor).mul(0.5),
    );
    tidy(() => halfGradient(x).sum().backward());
    expect(values(x.grad)).toEqual([-2, 0.5]);
    zeroGrad(x);
    expect(memory().numTensors).toBe(before);
    cleanUp(x);
  });

  it('composes with the functional API: grad of a function of a marked tensor', () => {
    const w = tensor([1, 2]).requiresGrad_();
    const dw = grad((v: Tensor) => sum(mul(v, v)))(w);
    expect(values(dw)).toEqual([2, 4]);
    expect(w.grad).toBeNull();
    dw.dispose();
    cleanUp(w);
    expect(() => backward(tensor([1]))).toThrow(/does not require gradients/);
  });
});
