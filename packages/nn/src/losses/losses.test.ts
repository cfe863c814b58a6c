import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '@vane/autodiff';
import { logSoftmax, mul, sum, tensor, type Tensor } from '@vane/tensor';
import { bceWithLogits, binaryCrossEntropy, crossEntropy, klDiv, nllLoss } from './classification-losses.js';
import { huberLoss, l1Loss, mseLoss } from './regression-losses.js';
import { expectClose, toTensor, torchCase } from '../test-support/torch-fixtures.js';

// float64 on both sides: only summation order differs, so 1e-10 is generous.
const TOLERANCE = { absolute: 1e-10, relative: 1e-10 };

type LossFunction = (input: Tensor, target: Tensor, options: never) => Tensor;

function checkLoss(
  name: string,
  loss: LossFunction,
  extraOptions: (options: Record<string, unknown>) => Record<string, unknown> = (o) => o,
): void {
  const fixture = torchCase(name);
  const input = toTensor(fixture.inputs[0]!);
  const target = toTensor(fixture.inputs[1]!, fixture.targetDtype ?? 'float64');
  const options = extraOptions(fixture.options) as never;
  expectClose(loss(input, target, options), fixture.output, TOLERANCE, `${name} output`);
  const cotangent = toTensor(fixture.cotangent);
  const [, gradient] = valueAndGrad((x: Tensor) => sum(mul(loss(x, target, options), cotangent)))(input);
  expectClose(gradient, fixture.grads.input0!, TOLERANCE, `${name} gradient`);
}

const withPosWeight = (options: Record<string, unknown>) => ({
  ...options,
  posWeight: toTensor(options.posWeight as never),
});
const withWeight = (options: Record<string, unknown>) => ({ ...options, weight: toTensor(options.weight as never) });

describe('losses against torch.nn.functional', () => {
  const cases: [string, LossFunction, ((o: Record<string, unknown>) => Record<string, unknown>)?][] = [
    ['mse', mseLoss],
    ['mse-sum', mseLoss],
    ['l1', l1Loss],
    ['huber', huberLoss],
    ['huber-none', huberLoss],
    ['cross-entropy', crossEntropy],
    ['cross-entropy-smoothing', crossEntropy],
    ['cross-entropy-ignore', crossEntropy],
    ['cross-entropy-ignore-1-smoothing', crossEntropy],
    ['cross-entropy-none', crossEntropy],
    ['cross-entropy-probabilities', crossEntropy],
    ['cross-entropy-probabilities-smoothing', crossEntropy],
    ['cross-entropy-spatial', crossEntropy],
    ['nll', nllLoss],
    ['nll-ignore', nllLoss],
    ['binary-cross-entropy', binaryCrossEntropy],
    ['bce-with-logits', bceWithLogits],
    ['bce-with-logits-pos-weight', bceWithLogits, withPosWeight],
    ['kl-div-batchmean', klDiv],
    ['kl-div-mean', klDiv],
    ['kl-div-log-target', klDiv],
    // Per-class weights (weighted mean Σ w_{y_n}·ℓ_n / Σ w_{y_n}), with ignoreIndex, smoothing, soft and spatial targets.
    ['cross-entropy-weight', crossEntropy, withWeight],
    ['cross-entropy-weight-sum', crossEntropy, withWeight],
    ['cross-entropy-weight-none', crossEntropy, withWeight],
    ['cross-entropy-weight-ignore', crossEntropy, withWeight],
    ['cross-entropy-weight-ignore-smoothing-mean', crossEntropy, withWeight],
    ['cross-entropy-weight-ignore-smoothing-sum', crossEntropy, withWeight],
    ['cross-entropy-weight-ignore-smoothing-none', crossEntropy, withWeight],
    ['cross-entropy-weight-probabilities-smoothing', crossEntropy, withWeight],
    ['cross-entropy-weight-spatial', crossEntropy, withWeight],
    ['nll-weight', nllLoss, withWeight],
    ['nll-weight-ignore', nllLoss, withWeight],
    ['nll-weight-none', nllLoss, withWeight],
  ];
  for (const [name, loss, extra] of cases) it(name, () => checkLoss(name, loss, extra));
});

describe('loss identities and errors', () => {
  it('crossEntropy equals nllLoss of logSoftmax', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [0, -1, 4],
      ],
      { dtype: 'float64' },
    );
    const labels = tensor([2, 0], { dtype: 'int32' });
    expect(crossEntropy(logits, labels).item()).toBeCloseTo(nllLoss(logSoftmax(logits, 1), labels).item(), 12);
  });

  it('weighted mean is Σ w_{y_n}·ℓ_n / Σ w_{y_n}, and unit weights change nothing', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [0, -1, 4],
        [2, 2, 0],
      ],
      { dtype: 'float64' },
    );
    const labels = tensor([2, 0, 1], { dtype: 'int32' });
    const perExample = crossEntropy(logits, labels, { reduction: 'none' }).toArray() as number[];
    const weight = tensor([0.5, 2, 3], { dtype: 'float64' });
    const expected = (3 * perExample[0]! + 0.5 * perExample[1]! + 2 * perExample[2]!) / (3 + 0.5 + 2);
    expect(crossEntropy(logits, labels, { weight }).item()).toBeCloseTo(expected, 12);
    const ones = tensor([1, 1, 1], { dtype: 'float64' });
    expect(crossEntropy(logits, labels, { weight: ones, labelSmoothing: 0.1 }).item()).toBeCloseTo(
      crossEntropy(logits, labels, { labelSmoothing: 0.1 }).item(),
      12,
    );
  });

  it('uniform logits give ln C', () => {
    expect(crossEntropy(tensor([[0, 0, 0, 0]]), tensor([3], { dtype: 'int32' })).item()).toBeCloseTo(Math.log(4), 6);
  });

  it('names the function, argument and shapes', () => {
    expect(() => mseLoss(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(
      "mseLoss: 'target' has shape [3], expected the shape of 'input' [2]",
    );
    expect(() => crossEntropy(tensor([[0, 0]]), tensor([0, 1], { dtype: 'int32' }))).toThrow(
      "crossEntropy: 'target' has shape [2], expected [1] for 'input' of shape [1,2]",
    );
    expect(() => crossEntropy(tensor([[0, 0]]), tensor([2], { dtype: 'int32' }))).toThrow(
      "crossEntropy: 'target' contains class 2, outside [0, 2)",
    );
    expect(() =>
      crossEntropy(tensor([[0, 0]]), tensor([1], { dtype: 'int32' }), { weight: tensor([1, 2, 3]) }),
    ).toThrow("crossEntropy: 'weight' has shape [3], expected [2] (one per class) for 'input' of shape [1,2]");
    expect(() => nllLoss(tensor([[0, 0]]), tensor([1], { dtype: 'int32' }), { weight: tensor([[1, 2]]) })).toThrow(
      "nllLoss: 'weight' has shape [1,2], expected [2] (one per class) for 'input' of shape [1,2]",
    );
  });
});
