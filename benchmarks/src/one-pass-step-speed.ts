/**
 * Benchmark: the AdamW step in one pass (`updateAndApply`) against the passes it replaces, on
 * the two rows of `npm run bench` it changes: the optimizer step on 10M float32 parameters
 * (4 × 2500×1000) and the MLP training step (784-256-256-10, batch 128, forward, backward and
 * the step). Three forms of the same AdamW step (lr 1e-3, decay 0.01), in alternating rounds
 * so that a change in machine load hits all alike:
 *   - "three passes": the step as it was before the one-pass work (m and v in one fusedMapMany,
 *     the direction with the learning rate and decay in a second pass, `applyUpdates`' add in a
 *     third), written out here with the same kernels;
 *   - "update + applyUpdates": `adamw().update` (now m, v and the update in one pass) then the add;
 *   - "updateAndApply": m, v and p in one pass.
 * Each ratio is the median of the per-round ratios. The three are first checked to give the
 * same parameters bit for bit.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/one-pass-step-speed.ts [--rounds 9] [--mlp-steps 10]
 */
import os from 'node:os';
import { valueAndGrad } from '@vane/autodiff';
import { adamw, applyUpdates, disposeReplaced, updateAndApply, type TensorTree } from '@vane/optim';
import * as vane from '@vane/tensor';
import { defineKernel, dispose, expression as e, fusedMap, fusedMapMany, type Tensor } from '@vane/tensor';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = argument('rounds', 9);
const MLP_STEPS = argument('mlp-steps', 10);
const [LR, BETA1, BETA2, EPS, DECAY] = [1e-3, 0.9, 0.999, 1e-8, 0.01];

type TensorMap = Record<string, Tensor>;
interface AdamState {
  count: number;
  m: TensorMap;
  v: TensorMap;
}

// The kernels of the three-pass step: the same expressions as @vane/optim's (scale-by-adam.ts,
// kernels.ts, compose-final-kernel.ts's 'Affine' composition), so the same bits.
const MOMENTS = { inputs: ['m', 'v', 'g'], scalars: ['beta1', 'beta2'] } as const;
const FIRST = defineKernel('bench.adam.first', MOMENTS, ({ m, g, beta1 }) =>
  e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g)),
);
const SECOND = defineKernel('bench.adam.second', MOMENTS, ({ v, g, beta2 }) =>
  e.add(e.mul(beta2, v), e.mul(e.mul(e.sub(1, beta2), g), g)),
);
const DIRECTION_AFFINE = defineKernel(
  'bench.adam.directionAffine',
  { inputs: ['m', 'v', 'p'], scalars: ['c1', 'c2', 'eps', 'a', 'b'] },
  ({ m, v, p, c1, c2, eps, a, b }) =>
    e.add(e.mul(a, e.div(e.mul(m, c1), e.add(e.mul(e.sqrt(v), c2), eps))), e.mul(b, p)),
);
const ADD = defineKernel('bench.add', { inputs: ['a', 'b'] }, ({ a, b }) => e.add(a, b));

/** The step before the one-pass work: three passes per leaf. */
function threePassStep(grads: TensorMap, state: AdamState, params: TensorMap): [TensorMap, AdamState] {
  const count = state.count + 1;
  const scalars = [1 / (1 - BETA1 ** count), 1 / Math.sqrt(1 - BETA2 ** count), EPS, -LR, -LR * DECAY];
  const next: AdamState = { count, m: {}, v: {} };
  const nextParams: TensorMap = {};
  for (const name of Object.keys(params)) {
    const [m, v] = fusedMapMany([FIRST, SECOND], [state.m[name]!, state.v[name]!, grads[name]!], [BETA1, BETA2]);
    const update = fusedMap(DIRECTION_AFFINE, [m!, v!, params[name]!], scalars);
    nextParams[name] = fusedMap(ADD, [params[name]!, update]);
    dispose(update);
    next.m[name] = m!;
    next.v[name] = v!;
  }
  return [nextParams, next];
}

/** One AdamW step in one of the three forms; returns the new parameters and a function that steps again. */
type Form = 'three passes' | 'update + applyUpdates' | 'updateAndApply';
const FORMS: Form[] = ['three passes', 'update + applyUpdates', 'updateAndApply'];

/** A stepper over `params` in `form`: each call takes one step with `grads` and frees what it replaced. */
function stepper(form: Form, initial: TensorMap) {
  let params = initial;
  if (form === 'three passes') {
    const zeros = () => Object.fromEntries(Object.entries(params).map(([name, p]) => [name, vane.zerosLike(p)]));
    let state: AdamState = { count: 0, m: zeros(), v: zeros() };
    return {
      step: (grads: TensorMap) => {
        const [nextParams, next] = threePassStep(grads, state, params);
        dispose([...Object.values(params), ...Object.values(state.m), ...Object.values(state.v)]);
        [params, state] = [nextParams, next];
      },
      params: () => params,
      finish: () => dispose([...Object.values(params), ...Object.values(state.m), ...Object.values(state.v)]),
    };
  }
  const optimizer = adamw({ lr: LR, betas: [BETA1, BETA2], eps: EPS, weightDecay: DECAY });
  let state = optimizer.init(params);
  return {
    step: (grads: TensorMap) => {
      let nextParams: TensorTree;
      let next: typeof state;
      if (form === 'updateAndApply') [nextParams, next] = updateAndApply(optimizer, grads, state, params);
      else {
        const [updates, nextState] = optimizer.update(grads, state, params);
        nextParams = applyUpdates(params, updates);
        next = nextState;
        dispose(Object.values(updates as TensorMap));
      }
      disposeReplaced([params, state], [nextParams, next, grads]);
      [params, state] = [nextParams as TensorMap, next];
    },
    params: () => params,
    finish: () => disposeReplaced([params, state], []),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const bits = (map: TensorMap) =>
  Object.values(map).flatMap((t) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer)));

/** Times `run(form)` for every form in alternating rounds (two warm-up rounds); prints medians and ratios. */
function compare(label: string, run: (form: Form) => number): void {
  const load = os.loadavg();
  const times = FORMS.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS + 2; round++) {
    FORMS.forEach((form, index) => {
      const elapsed = run(form);
      if (round >= 2) times[index]!.push(elapsed);
    });
  }
  console.log(
    `\n${label}: ${ROUNDS} rounds; load before ${load.map((x) => x.toFixed(2)).join(', ')}, after ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  const last = times[FORMS.length - 1]!;
  FORMS.forEach((form, index) => {
    const ratios = times[index]!.map((time, round) => time / last[round]!);
    console.log(
      `  ${form.padEnd(22)} ${median(times[index]!).toFixed(2)} ms (min ${Math.min(...times[index]!).toFixed(2)}), ` +
        `${median(ratios).toFixed(2)}x the time of updateAndApply (median of per-round ratios)`,
    );
  });
}

// 1. The optimizer step on 10M float32 parameters, as the bench's "optimizer step adamw, 10M params" row.
{
  const generator = vane.seed(7);
  const shapes = [
    [2500, 1000],
    [2500, 1000],
    [2500, 1000],
    [2500, 1000],
  ];
  const initial = () =>
    Object.fromEntries(shapes.map((shape, index) => [`p${index}`, vane.randn(shape, { generator })]));
  const start = initial();
  const grads = initial();
  const copy = (map: TensorMap) => Object.fromEntries(Object.entries(map).map(([name, t]) => [name, vane.add(t, 0)]));
  const steppers = new Map(FORMS.map((form) => [form, stepper(form, copy(start))]));
  // Bit for bit the same parameters after two steps.
  for (const form of FORMS) for (let index = 0; index < 2; index++) steppers.get(form)!.step(grads);
  const reference = bits(steppers.get('three passes')!.params());
  for (const form of FORMS) {
    const other = bits(steppers.get(form)!.params());
    if (other.length !== reference.length || other.some((value, index) => value !== reference[index]))
      throw new Error(`one-pass-step-speed: ${form} differs from the three passes`);
  }
  compare('AdamW step, 10M float32 parameters (4 x 2500x1000)', (form) => {
    const begin = performance.now();
    steppers.get(form)!.step(grads);
    return performance.now() - begin;
  });
  for (const form of FORMS) steppers.get(form)!.finish();
  dispose([...Object.values(start), ...Object.values(grads)]);
}

// 2. The MLP training step, as the bench's "MLP step 784-256-256-10, batch 128, Adam" row.
{
  const generator = vane.seed(7);
  const batch = 128;
  const images = vane.randn([batch, 784], { generator });
  const targets = vane.oneHot(vane.randint(0, 10, [batch], { generator }), 10, { dtype: 'float32' });
  const sizes = [784, 256, 256, 10];
  const start: TensorMap = Object.fromEntries(
    sizes.slice(1).flatMap((size, index) => [
      [`w${index}`, vane.randn([sizes[index]!, size], { generator, std: Math.sqrt(2 / sizes[index]!) })],
      [`b${index}`, vane.zeros([size])],
    ]),
  );
  const loss = (params: TensorMap) => {
    let hidden = images;
    for (let index = 0; index < 3; index++) {
      hidden = vane.add(vane.matmul(hidden, params[`w${index}`]!), params[`b${index}`]!);
      if (index < 2) hidden = vane.relu(hidden);
    }
    return vane.neg(vane.mean(vane.sum(vane.mul(targets, vane.logSoftmax(hidden, -1)), -1)));
  };
  const lossAndGrad = valueAndGrad(loss);
  const copy = (map: TensorMap) => Object.fromEntries(Object.entries(map).map(([name, t]) => [name, vane.add(t, 0)]));
  const steppers = new Map(FORMS.map((form) => [form, stepper(form, copy(start))]));
  const trainingStep = (form: Form) => {
    const current = steppers.get(form)!;
    const [value, grads] = lossAndGrad(current.params());
    current.step(grads as TensorMap);
    value.dataSync();
    dispose([value, ...Object.values(grads as TensorMap)]);
  };
  for (const form of FORMS) for (let index = 0; index < 2; index++) trainingStep(form);
  const reference = bits(steppers.get('three passes')!.params());
  for (const form of FORMS) {
    const other = bits(steppers.get(form)!.params());
    if (other.some((value, index) => value !== reference[index]))
      throw new Error(`one-pass-step-speed: the MLP's ${form} differs from the three passes`);
  }
  compare(`MLP training step 784-256-256-10, batch 128 (time of ${MLP_STEPS} steps per round)`, (form) => {
    const begin = performance.now();
    for (let index = 0; index < MLP_STEPS; index++) trainingStep(form);
    return performance.now() - begin;
  });
  for (const form of FORMS) steppers.get(form)!.finish();
}
