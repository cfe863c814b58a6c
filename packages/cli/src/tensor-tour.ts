/**
 * A short tour of the tensor core, run by `npm run demo` until the training studies land:
 * it fits a least-squares line by gradient descent (gradients written by hand), convolves an
 * image, and prints memory statistics, so a newcomer sees the core work end to end.
 */
import { conv2d, matmul, memory, randn, seed, sub, sum, tensor, tidy, type Tensor } from '@vane/tensor';

/** Runs the tour and returns the fitted weights (for the test). */
export function tensorTour(log: (line: string) => void = console.log): { weights: number[]; loss: number } {
  const generator = seed(7);
  const inputs = randn([256, 3], { generator });
  const trueWeights = tensor([[2], [-1], [0.5]]);
  const targets = matmul(inputs, trueWeights).add(randn([256, 1], { generator, std: 0.01 }));
  let weights: Tensor = tensor([[0], [0], [0]]);
  let loss = Number.NaN;
  for (let step = 0; step < 200; step++) {
    const next = tidy(() => {
      const residual = sub(matmul(inputs, weights), targets);
      // d/dw of mean squared error: 2/N · Xᵀ r.
      const gradient = matmul(inputs.T, residual).mul(2 / inputs.shape[0]!);
      loss = sum(residual.square()).item() / inputs.shape[0]!;
      return weights.sub(gradient.mul(0.1));
    });
    weights.dispose();
    weights = next;
    if (step % 50 === 0) log(`step ${step.toString().padStart(3)}  mse ${loss.toExponential(3)}`);
  }
  log(`fitted weights ${String(weights.reshape([3]))} (true: [2, -1, 0.5])`);
  const image = randn([1, 1, 8, 8], { generator });
  const edge = tensor([
    [
      [
        [1, 0, -1],
        [2, 0, -2],
        [1, 0, -1],
      ],
    ],
  ]);
  log(`Sobel filter over an 8x8 image -> output shape [${conv2d(image, edge, { padding: 'same' }).shape.join(',')}]`);
  log(`live tensors: ${memory().numTensors}`);
  return { weights: Array.from(weights.dataSync()), loss };
}
