/**
 * Battery page: whole training steps on the `webgpu` backend — an MLP's forward pass, its
 * reverse-mode gradients (valueAndGrad) and optimizer updates from @vane/optim, and a small
 * convolutional network — against the same steps on the CPU backend. Each case returns the
 * losses of every step and the final parameters. See battery.ts.
 */
import { valueAndGrad } from '@vane/autodiff';
import {
  active,
  adam,
  adamw,
  applyUpdates,
  disposeReplaced,
  graft,
  lion,
  sgd,
  type GradientTransformation,
} from '@vane/optim';
import {
  add,
  conv2d,
  dispose,
  gather,
  logSoftmax,
  matmul,
  maxPool2d,
  mean,
  neg,
  relu,
  reshape,
  tensor,
  tidy,
  type Tensor,
} from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

interface Parameters {
  [name: string]: Tensor;
}

const matrix = (rows: number, columns: number, seed: number, scale: number) =>
  tensor(seededValues(rows * columns, seed, -scale, scale)).reshape([rows, columns]);

function mlpLoss(parameters: Parameters, x: Tensor, labels: Tensor): Tensor {
  const hidden = relu(add(matmul(x, parameters.w1!), parameters.b1!));
  const logits = add(matmul(hidden, parameters.w2!), parameters.b2!);
  return neg(mean(gather(logSoftmax(logits, -1), 1, labels)));
}

function convolutionLoss(parameters: Parameters, x: Tensor, labels: Tensor): Tensor {
  const features = maxPool2d(relu(conv2d(x, parameters.kernel!, { padding: 1 })), 2);
  const flat = reshape(features, [x.shape[0]!, -1]);
  const logits = add(matmul(flat, parameters.w!), parameters.b!);
  return neg(mean(gather(logSoftmax(logits, -1), 1, labels)));
}

/**
 * Trains `steps` steps of `optimizer` on `loss` from the given parameters and returns the loss
 * of every step (stacked) and the final parameters.
 */
function train(
  optimizer: GradientTransformation<any>,
  loss: (parameters: Parameters, x: Tensor, labels: Tensor) => Tensor,
  initial: () => Parameters,
  x: () => Tensor,
  steps: number,
): Tensor[] {
  let parameters = initial();
  const inputs = x();
  const labels = tensor(seededValues(inputs.shape[0]!, 99, 0, 10).map(Math.floor), { dtype: 'int32' }).reshape([
    inputs.shape[0]!,
    1,
  ]);
  let state = optimizer.init(parameters);
  const losses: Tensor[] = [];
  const lossAndGradients = valueAndGrad(loss);
  for (let step = 0; step < steps; step++) {
    const [value, gradients] = lossAndGradients(parameters, inputs, labels);
    const [next, nextState] = tidy(() => {
      const [updates, updatedState] = optimizer.update(gradients, state, parameters);
      return [applyUpdates(parameters, updates) as Parameters, updatedState] as const;
    });
    // Some optimizers (active) carry tensors of the old state into the new one: keep those.
    disposeReplaced([parameters, state, gradients], [next, nextState]);
    parameters = next;
    state = nextState;
    losses.push(value);
  }
  dispose([state, inputs, labels]);
  return [tensor(0).add(0), ...losses, ...Object.values(parameters)];
}

const mlpParameters = (): Parameters => ({
  w1: matrix(64, 32, 1, 0.2),
  b1: tensor(seededValues(32, 2, -0.01, 0.01)),
  w2: matrix(32, 10, 3, 0.2),
  b2: tensor(seededValues(10, 4, -0.01, 0.01)),
});
const mlpInputs = () => matrix(16, 64, 5, 1);

const OPTIMIZERS: [string, () => GradientTransformation<any>][] = [
  ['sgd with momentum', () => sgd({ lr: 0.05, momentum: 0.9 })],
  ['adam', () => adam({ lr: 0.01 })],
  ['adamw', () => adamw({ lr: 0.01, weightDecay: 0.01 })],
  ['lion', () => lion({ lr: 0.001 })],
  ['active(adamw)', () => active(adamw({ lr: 0.01 }), { period: 2 })],
  ['graft(adam, sgd)', () => graft({ magnitude: adam({ lr: 0.01 }), direction: sgd({ lr: 0.05 }) })],
];

// Losses and parameters after several steps: float32 rounding in a different order (GPU sums,
// products) compounds through the steps, so 1e-4 relative (the testkit's backend-agreement bound).
const TRAINING_TOLERANCE = { absolute: 1e-5, relative: 1e-4 };

const cases: BatteryCase[] = [
  ...OPTIMIZERS.map(([name, optimizer]): BatteryCase => ({
    name: `MLP 64-32-10, 4 steps of ${name}`,
    run: () => train(optimizer(), mlpLoss, mlpParameters, mlpInputs, 4),
    tolerance: TRAINING_TOLERANCE,
  })),
  {
    name: 'convolutional network (conv 3×3, ReLU, max pool, linear), 3 steps of adam',
    run: () =>
      train(
        adam({ lr: 0.01 }),
        convolutionLoss,
        () => ({
          kernel: tensor(seededValues(4 * 1 * 3 * 3, 6, -0.3, 0.3)).reshape([4, 1, 3, 3]),
          w: matrix(4 * 4 * 4, 10, 7, 0.1),
          b: tensor(seededValues(10, 8, -0.01, 0.01)),
        }),
        () => tensor(seededValues(8 * 8 * 8, 9, 0, 1)).reshape([8, 1, 8, 8]),
        3,
      ),
    tolerance: TRAINING_TOLERANCE,
  },
];

void reportBattery(cases);
