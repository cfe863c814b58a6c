/**
 * The optimizer bad-input battery (issue 13): optimizers, transforms, wrappers and schedules
 * called the ways a user can get wrong. Every case must end in a clear error naming the
 * function; the summary line counts what was tried.
 */
import { runBadInputBattery, type BadInputCase } from '@vane/testkit';
import { ones, tensor, zeros, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import {
  active,
  activeAdamw,
  activeSgd,
  adabelief,
  adadelta,
  adafactor,
  adagrad,
  adam,
  adamax,
  adamHd,
  adamw,
  amsgrad,
  addDecayedWeights,
  applyIfFinite,
  chain,
  clip,
  clipByGlobalNorm,
  constant,
  cosineDecay,
  ema,
  exponentialDecay,
  freeze,
  graft,
  identity,
  joinSchedules,
  lamb,
  lars,
  linear,
  lion,
  lookahead,
  masked,
  multiSteps,
  nadam,
  namedChain,
  oneCycle,
  partition,
  piecewiseConstant,
  polynomial,
  radam,
  reduceOnPlateau,
  rmsprop,
  rprop,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  scaleBySchedule,
  sgd,
  sgdHd,
  sgdr,
  signSgd,
  trace,
  warmupCosineDecay,
  warmupExponentialDecay,
  type GradientTransformation,
  type TensorTree,
} from './index.js';

const params = (): TensorTree => ({ layers: [{ weight: ones([2]) }] });
const gradients = (): TensorTree => ({ layers: [{ weight: ones([2]) }] });

/** init, then one update with `updates` (and `withParams`), returning the updates. */
function step(optimizer: GradientTransformation<any>, updates: unknown, withParams: unknown = params()): unknown {
  const p = params();
  const state = optimizer.init(p);
  return optimizer.update(updates as TensorTree, state, withParams as TensorTree);
}

/** Runs `steps` updates with a schedule-driven optimizer. */
function run(optimizer: GradientTransformation<any>, steps: number): void {
  const p = params();
  let state = optimizer.init(p);
  for (let index = 0; index < steps; index++) [, state] = optimizer.update(gradients(), state, p);
}

const wrongShape = { layers: [{ weight: ones([3]) }] };
const missingKey = { layers: [{}] };
const extraKey = { layers: [{ weight: ones([2]), bias: ones([2]) }] };

const optimizers: [string, () => GradientTransformation<any>][] = [
  ['sgd', () => sgd({ lr: 0.1, momentum: 0.9 })],
  ['adam', () => adam()],
  ['adamw', () => adamw()],
  ['adamax', () => adamax()],
  ['nadam', () => nadam()],
  ['radam', () => radam()],
  ['adabelief', () => adabelief()],
  ['adagrad', () => adagrad()],
  ['adadelta', () => adadelta()],
  ['rmsprop', () => rmsprop()],
  ['rprop', () => rprop()],
  ['lion', () => lion()],
  ['signSgd', () => signSgd({ lr: 0.1 })],
  ['lamb', () => lamb()],
  ['lars', () => lars({ lr: 0.1 })],
  ['adafactor', () => adafactor()],
  ['adamHd', () => adamHd()],
  ['sgdHd', () => sgdHd({ lr: 0.1 })],
];

const optimizerCases: BadInputCase[] = optimizers.flatMap(([name, make]): BadInputCase[] => [
  {
    name: `${name}().init({ w: [1, 2] })`,
    run: () => make().init({ w: [1, 2] } as never),
    message: new RegExp(`^${name}\\.init: parameter 'w\\.0' must be a Tensor, got 1`),
  },
  {
    name: `${name} gradient of the wrong shape`,
    run: () => step(make(), wrongShape),
    message: new RegExp(`^${name}\\.update: gradient 'layers\\.0\\.weight' has shape \\[3\\], parameter has \\[2\\]`),
  },
]);

const unknownOptionCases: BadInputCase[] = [
  {
    name: 'amsgrad({ amsgrad: false })',
    run: () => amsgrad({ amsgrad: false } as never),
    message: /^amsgrad: option 'amsgrad' is false, but amsgrad\(\) always keeps the running maximum; use adam\(\)$/,
  },
  {
    name: 'adam({ weight_decay: 0.1 })',
    run: () => adam({ weight_decay: 0.1 } as never),
    message: /^adam: unknown option 'weight_decay'; expected one of 'lr'/,
  },
  {
    name: 'sgd({ nesterov: true, lr: 0.1, dampening: 0, momentum: 0.9, foo: 1 })',
    run: () => sgd({ lr: 0.1, foo: 1 } as never),
    message: /^sgd: unknown option 'foo'/,
  },
  { name: 'adamw(3)', run: () => adamw(3 as never), message: /^adamw: options must be an object, got 3/ },
  {
    name: 'scaleByAdam({ beta1: 0.9 })',
    run: () => scaleByAdam({ beta1: 0.9 } as never),
    message: /^scaleByAdam: unknown option 'beta1'/,
  },
  {
    name: 'trace({ momentum: 0.9 })',
    run: () => trace({ momentum: 0.9 } as never),
    message: /^trace: unknown option 'momentum'/,
  },
  {
    name: 'lookahead(sgd, { k: 5 })',
    run: () => lookahead(sgd({ lr: 0.1 }), { k: 5 } as never),
    message: /^lookahead: unknown option 'k'/,
  },
  {
    name: "graft(..., { granularity: 'layer' })",
    run: () => graft({ magnitude: sgd({ lr: 0.1 }), direction: adam() }, { granularity: 'layer' } as never),
    message: /^graft: .*granularity/,
  },
  {
    name: 'active(sgd, { perod: 2 })',
    run: () => active(sgd({ lr: 0.1 }), { period: 2, perod: 2 } as never),
    message: /^active: unknown option 'perod'/,
  },
  {
    name: 'scaleByLearningRate(0.1, { flip: false })',
    run: () => scaleByLearningRate(0.1, { flip: false } as never),
    message: /^scaleByLearningRate: unknown option 'flip'/,
  },
  {
    name: 'ema(0.9, { debiased: true })',
    run: () => ema(0.9, { debiased: true } as never),
    message: /^ema: unknown option 'debiased'/,
  },
];

const updateMisuseCases: BadInputCase[] = [
  {
    name: 'adamw: gradient tree lacks a parameter',
    run: () => step(adamw(), missingKey),
    message: /^adamw\.update: tree structures differ at 'layers\.0': 'updates' lacks 'layers\.0\.weight'/,
  },
  {
    name: 'adamw: gradient tree has an extra key',
    run: () => step(adamw(), extraKey),
    message: /^adamw\.update: tree structures differ at 'layers\.0': 'updates' has extra 'layers\.0\.bias'/,
  },
  {
    name: 'adam: gradient leaf is an array',
    run: () => step(adam(), { layers: [{ weight: [1, 2] }] }),
    message: /^adam\.update: gradient 'layers\.0\.weight\.0' must be a Tensor, got 1/,
  },
  {
    name: 'adam.update(undefined, state)',
    run: () => step(adam(), undefined),
    message: /^adam\.update: the gradients must be a tree of Tensors, got undefined/,
  },
  {
    name: 'adam.update without params, wrong shape (shapes remembered from init)',
    run: () => {
      const optimizer = adam();
      const state = optimizer.init(params());
      return optimizer.update(wrongShape, state);
    },
    message: /^adam\.update: gradient 'layers\.0\.weight' has shape \[3\], parameter has \[2\]/,
  },
  {
    name: 'adam.update(grads, undefined, params)',
    run: () => adam().update(gradients(), undefined as never, params()),
    message: /^adam\.update: 'state' must be the object adam\.init returned, got undefined/,
  },
  {
    name: 'adam.update with a disposed gradient',
    run: () => {
      const gradient = ones([2]);
      gradient.dispose();
      return step(adam(), { layers: [{ weight: gradient }] });
    },
    message: /^adam\.update: gradient 'layers\.0\.weight' is a disposed Tensor/,
  },
  {
    name: 'sgd: params of the wrong shape',
    run: () => step(sgd({ lr: 0.1 }), gradients(), wrongShape),
    message: /^sgd\.update: gradient 'layers\.0\.weight' has shape \[2\], parameter has \[3\]/,
  },
  {
    name: 'chain(scaleByAdam()).init({ w: 3 })',
    run: () => chain(scaleByAdam(), scaleByLearningRate(0.1)).init({ w: 3 } as never),
    message: /^chain\.init: parameter 'w' must be a Tensor, got 3/,
  },
  {
    name: 'chain: gradient of the wrong shape',
    run: () => step(chain(scaleByAdam(), scaleByLearningRate(0.1)), wrongShape),
    message: /^chain\.update: gradient 'layers\.0\.weight' has shape \[3\]/,
  },
  {
    name: 'namedChain: missing gradient',
    run: () => step(namedChain({ adam: scaleByAdam() }), missingKey),
    message: /^namedChain\.update: tree structures differ/,
  },
  {
    name: 'chain(3)',
    run: () => chain(3 as never),
    message: /^chain: 'transforms\[0\]' must be a gradient transformation/,
  },
  {
    name: 'namedChain({ adam: {} })',
    run: () => namedChain({ adam: {} as never }),
    message: /^namedChain: 'adam' must be a gradient transformation/,
  },
];

const wrapperCases: BadInputCase[] = [
  {
    name: 'active(sgd).init({ w: [1] })',
    run: () => active(sgd({ lr: 0.1 }), { period: 2 }).init({ w: [1] } as never),
    message: /^active\.init: parameter 'w\.0' must be a Tensor/,
  },
  {
    name: 'active(sgd): gradient of the wrong shape',
    run: () => step(active(sgd({ lr: 0.1 }), { period: 2 }), wrongShape),
    message: /^active\.update: gradient 'layers\.0\.weight' has shape \[3\]/,
  },
  {
    name: 'activeSgd({ lr: -1, period: 2 })',
    run: () => activeSgd({ lr: -1, period: 2 }),
    message: /^sgd: 'lr' must be a finite number ≥ 0, got -1/,
  },
  {
    name: 'activeAdamw({ period: 0 })',
    run: () => activeAdamw({ period: 0 }),
    message: /^active: 'period' must be a positive integer, got 0/,
  },
  {
    name: 'graft: gradient of the wrong shape',
    run: () => step(graft({ magnitude: sgd({ lr: 0.1 }), direction: adam() }), wrongShape),
    message: /^graft\.update: gradient 'layers\.0\.weight' has shape \[3\]/,
  },
  {
    name: 'graft({ magnitude: 3 })',
    run: () => graft({ magnitude: 3 as never, direction: adam() }),
    message: /^graft: .*magnitude/,
  },
  {
    name: 'masked(adam, { layers: [{ weight: 1 }] })',
    run: () => step(masked(adam(), { layers: [{ weight: 1 }] } as never), gradients()),
    message: /^masked.*layers\.0\.weight/,
  },
  {
    name: 'masked(adam, mask missing a leaf)',
    run: () => step(masked(adam(), { layers: [{}] } as never), gradients()),
    message: /^masked/,
  },
  {
    name: 'multiSteps(adam, 0)',
    run: () => multiSteps(adam(), 0),
    message: /^multiSteps: 'everyKSteps' must be a positive integer, got 0/,
  },
  {
    name: 'multiSteps(adam, 2): gradient of the wrong shape',
    run: () => step(multiSteps(adam(), 2), wrongShape),
    message: /^(multiSteps|adam)\.update: .*gradient 'layers\.0\.weight' has shape \[3\]/,
  },
  {
    name: 'lookahead(adam): gradient of the wrong shape',
    run: () => step(lookahead(adam()), wrongShape),
    message: /^(lookahead|adam)\.update: .*'layers\.0\.weight' has shape \[3\]/,
  },
  {
    name: 'lookahead(adam, { slowStepSize: 2 })',
    run: () => lookahead(adam(), { slowStepSize: 2 }),
    message: /^lookahead: 'slowStepSize'/,
  },
  {
    name: 'applyIfFinite(adam, -1)',
    run: () => applyIfFinite(adam(), -1),
    message: /^applyIfFinite: 'maxConsecutiveErrors'/,
  },
  {
    name: 'partition({ a: adam() }, labels naming b)',
    run: () => step(partition({ a: adam() }, { layers: [{ weight: 'b' }] } as never), gradients()),
    message: /^partition.*'b'/,
  },
  { name: 'freeze(3)', run: () => step(freeze(3 as never), gradients()), message: /^(freeze|masked)/ },
  {
    name: 'masked(3, mask)',
    run: () => masked(3 as never, () => true as never),
    message: /^masked: 'inner' must be a gradient transformation/,
  },
  {
    name: 'identity().init({ w: [1] })',
    run: () => step(chain(identity()), { w: [1] }),
    message: /^chain\.update: gradient 'w\.0' must be a Tensor/,
  },
];

const transformCases: BadInputCase[] = [
  { name: 'clipByGlobalNorm(-1)', run: () => clipByGlobalNorm(-1), message: /^clipByGlobalNorm: 'maxNorm'/ },
  { name: 'clip(NaN)', run: () => clip(Number.NaN), message: /^clip: 'maxDelta'/ },
  { name: 'scale("2")', run: () => scale('2' as never), message: /^scale: 'factor'/ },
  { name: 'scaleByRms({ decay: 1 })', run: () => scaleByRms({ decay: 1 }), message: /^scaleByRms: 'decay'/ },
  {
    name: 'scaleByAdam({ betas: [0.9] })',
    run: () => scaleByAdam({ betas: [0.9] as never }),
    message: /^scaleByAdam: 'betas'/,
  },
  {
    name: "scaleByLearningRate('0.1')",
    run: () => scaleByLearningRate('0.1' as never),
    message: /^scaleByLearningRate: 'learningRate'/,
  },
  {
    name: 'scaleBySchedule(0.1)',
    run: () => scaleBySchedule(0.1 as never),
    message: /^scaleBySchedule: 'schedule' must be a function/,
  },
  { name: 'addDecayedWeights(-0.1)', run: () => addDecayedWeights(-0.1), message: /^addDecayedWeights: 'weightDecay'/ },
  { name: 'trace({ decay: -0.5 })', run: () => trace({ decay: -0.5 }), message: /^trace: 'decay'/ },
];

const scheduleCases: BadInputCase[] = [
  {
    name: 'adam({ lr: schedule returning -1 at step 2 })',
    run: () => run(adam({ lr: (step) => (step < 2 ? 0.1 : -1) }), 3),
    message: /^adam: 'lr' schedule returned -1 at step 2; it must be a finite number ≥ 0/,
  },
  {
    name: 'sgd({ lr: schedule returning NaN at step 1 })',
    run: () => run(sgd({ lr: (step) => (step < 1 ? 0.1 : Number.NaN) }), 2),
    message: /^sgd: 'lr' schedule returned NaN at step 1/,
  },
  {
    name: 'adamw({ weightDecay: schedule returning -0.5 })',
    run: () => run(adamw({ weightDecay: () => -0.5 }), 1),
    message: /^adamw: 'weightDecay' schedule returned -0\.5 at step 0/,
  },
  {
    name: 'scaleByLearningRate(schedule returning -1)',
    run: () =>
      run(
        scaleByLearningRate((step) => 1 - step),
        3,
      ),
    message: /^scaleByLearningRate: 'learningRate' schedule returned -1 at step 2/,
  },
  {
    name: 'adam({ lr: linear from 0.1 to -0.1 })',
    run: () => run(adam({ lr: linear({ init: 0.1, end: -0.1, transitionSteps: 2 }) }), 3),
    message: /^adam: 'lr' schedule returned -0\.1 at step 2/,
  },
  {
    name: 'adam({ lr: () => "0.1" })',
    run: () => adam({ lr: (() => '0.1') as never }),
    message: /^adam: 'lr' must be a schedule returning numbers/,
  },
  {
    name: 'cosineDecay({ decay_steps })',
    run: () => cosineDecay({ init: 1, decaySteps: 3, decay_steps: 3 } as never),
    message: /^cosineDecay: unknown option 'decay_steps'; expected one of 'init', 'decaySteps'/,
  },
  {
    name: 'cosineDecay()',
    run: () => cosineDecay(undefined as never),
    message: /^cosineDecay: options must be an object, got undefined/,
  },
  {
    name: 'cosineDecay(0.1)',
    run: () => cosineDecay(0.1 as never),
    message: /^cosineDecay: options must be an object, got 0\.1/,
  },
  {
    name: 'linear({ steps: 10 })',
    run: () => linear({ init: 1, end: 0, transitionSteps: 10, steps: 10 } as never),
    message: /^linear: unknown option 'steps'/,
  },
  {
    name: 'polynomial({ exponent: 2 })',
    run: () => polynomial({ init: 1, end: 0, transitionSteps: 10, exponent: 2 } as never),
    message: /^polynomial: unknown option 'exponent'/,
  },
  {
    name: 'exponentialDecay({ gamma: 0.9 })',
    run: () => exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.9, gamma: 0.9 } as never),
    message: /^exponentialDecay: unknown option 'gamma'/,
  },
  {
    name: 'warmupCosineDecay({ warmup: 10 })',
    run: () => warmupCosineDecay({ init: 0, peak: 1, warmupSteps: 10, decaySteps: 100, warmup: 10 } as never),
    message: /^warmupCosineDecay: unknown option 'warmup'/,
  },
  {
    name: 'warmupExponentialDecay({ })',
    run: () => warmupExponentialDecay({ foo: 1 } as never),
    message: /^warmupExponentialDecay: unknown option 'foo'/,
  },
  {
    name: 'piecewiseConstant({ boundaries })',
    run: () => piecewiseConstant({ init: 1, boundaries: [10] } as never),
    message: /^piecewiseConstant: unknown option 'boundaries'/,
  },
  {
    name: 'oneCycle({ max_lr })',
    run: () => oneCycle({ totalSteps: 10, maxLr: 1, max_lr: 1 } as never),
    message: /^oneCycle: unknown option 'max_lr'/,
  },
  { name: 'sgdr({ T_0 })', run: () => sgdr({ T_0: 10 } as never), message: /^sgdr: unknown option 'T_0'/ },
  {
    name: 'reduceOnPlateau({ verbose: true })',
    run: () => reduceOnPlateau({ verbose: true } as never),
    message: /^reduceOnPlateau: unknown option 'verbose'/,
  },
  { name: 'constant(-1)(0) used as lr', run: () => run(sgd({ lr: constant(-1) }), 1), message: /^(constant|sgd)/ },
  {
    name: 'constant("0.1")',
    run: () => constant('0.1' as never),
    message: /^constant: 'value' must be a finite number/,
  },
  {
    name: 'cosineDecay(...)(-1)',
    run: () => cosineDecay({ init: 1, decaySteps: 3 })(-1),
    message: /^cosineDecay: 'step' must be a non-negative integer, got -1/,
  },
  {
    name: 'joinSchedules([constant(1)], [5])',
    run: () => joinSchedules([constant(1)], [5]),
    message: /^joinSchedules: /,
  },
];

describe('optimizer bad-input battery', () => {
  it('gives a clear error naming the function for every bad input', async () => {
    const cases = [
      ...optimizerCases,
      ...unknownOptionCases,
      ...updateMisuseCases,
      ...wrapperCases,
      ...transformCases,
      ...scheduleCases,
    ];
    const report = await runBadInputBattery('optimizers, transforms, wrappers and schedules', cases);
    console.log(report.summary);
    expect(report.failures).toEqual([]);
    expect(report.tried).toBeGreaterThanOrEqual(60);
  });

  it('keeps working for good inputs (the checks change nothing)', () => {
    const optimizer = adamw({ lr: 0.1 });
    const p = { w: tensor([1, 2]) as Tensor };
    const state = optimizer.init(p);
    const [updates] = optimizer.update({ w: tensor([0.5, -0.5]) }, state, p);
    expect(Array.from((updates as { w: Tensor }).w.dataSync()).map((value) => Math.sign(value))).toEqual([-1, 1]);
    const scalar = zeros([]);
    expect(() => sgd({ lr: 0.1 }).init({ b: scalar })).not.toThrow();
  });
});
