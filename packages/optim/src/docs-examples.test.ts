import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defineKernel,
  expression as e,
  fusedMap,
  tensor,
  tidy,
  tree,
  zeros,
  zerosLike,
  type Tensor,
} from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import {
  adam,
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  deserializeState,
  disposeReplaced,
  injectHyperparams,
  multiSteps,
  partition,
  scaleByLearningRate,
  serializeState,
  setHyperparams,
  sgd,
  warmupCosineDecay,
  updateAndApply,
  type GradientTransformation,
  type TensorTree,
} from './index.js';

// Each example below is copied verbatim from docs/optim.md; the last test fails if a code block
// of the doc (other than the import list and the interface sketch) no longer appears here.
describe('docs/optim.md examples', () => {
  it('a training loop', () => {
    const params = { w: tensor([1, -2]), b: tensor([0.5]) };
    const optimizer = adamw({ lr: 0.1, weightDecay: 0.01 });
    let state = optimizer.init(params);
    let current = params;
    for (let step = 0; step < 100; step++) {
      // Gradient of ½‖θ‖²: the parameters themselves.
      const grads = { w: current.w.mul(1), b: current.b.mul(1) };
      const [next, nextState] = tidy(() => {
        const [updates, s] = optimizer.update(grads, state, current);
        return [applyUpdates(current, updates), s] as const;
      });
      disposeReplaced([current, state, grads], [next, nextState]);
      current = next as typeof params;
      state = nextState;
    }
    expect(Math.abs(current.w.dataSync()[0]!)).toBeLessThan(0.05);
  });

  it('update and apply in one call', () => {
    const twoCalls = (() => {
      const params = { w: tensor([1, -2]), b: tensor([0.5]) };
      const optimizer = adamw({ lr: 0.1, weightDecay: 0.01 });
      let state = optimizer.init(params);
      let current = params;
      for (let step = 0; step < 100; step++) {
        const grads = { w: current.w.mul(1), b: current.b.mul(1) };
        const [updates, nextState] = optimizer.update(grads, state, current);
        current = applyUpdates(current, updates) as typeof params;
        state = nextState;
      }
      return [...current.w.dataSync(), ...current.b.dataSync()];
    })();
    const params = { w: tensor([1, -2]), b: tensor([0.5]) };
    const optimizer = adamw({ lr: 0.1, weightDecay: 0.01 });
    let state = optimizer.init(params);
    let current = params;
    for (let step = 0; step < 100; step++) {
      const grads = { w: current.w.mul(1), b: current.b.mul(1) };
      const [next, nextState] = updateAndApply(optimizer, grads, state, current);
      disposeReplaced([current, state, grads], [next, nextState]);
      current = next as typeof params;
      state = nextState;
    }
    // Bit for bit the two calls, and the descent reached the minimum at 0.
    expect([...current.w.dataSync(), ...current.b.dataSync()]).toEqual(twoCalls);
    expect(Math.abs(current.w.dataSync()[0]!)).toBeLessThan(0.05);
  });

  it('maximize', () => {
    const ascent = adam({ lr: 0.1, weightDecay: 0.01, maximize: true });
    const descent = adam({ lr: 0.1, weightDecay: 0.01 });
    const theta = { w: tensor([0.5, -1]) };
    const gradient = { w: tensor([0.2, -0.4]) }; // ∇f at θ
    const [up] = ascent.update(gradient, ascent.init(theta), theta);
    const [down] = descent.update({ w: gradient.w.neg() }, descent.init(theta), theta); // ∇(−f) at θ
    expect(Array.from((up as { w: Tensor }).w.dataSync())).toEqual(Array.from((down as { w: Tensor }).w.dataSync()));
  });

  it('parameter groups', () => {
    const groups = partition(
      { decayed: adamw({ lr: 1e-3, weightDecay: 0.1 }), plain: adamw({ lr: 1e-3, weightDecay: 0 }) },
      (params) => tree.map((p) => (p.ndim >= 2 ? 'decayed' : 'plain'), params),
    );
    const groupState = groups.init({ w: zeros([2, 2]), b: tensor([0.5, 0.5]) });
    expect(Object.keys(groupState)).toEqual(['decayed', 'plain']);
  });

  it('injected hyperparameters', () => {
    const tunable = injectHyperparams(adamw)({
      lr: warmupCosineDecay({ init: 0, peak: 1e-3, warmupSteps: 10, decaySteps: 100 }),
      weightDecay: 0.01,
    });
    let tunableState = tunable.init({ w: tensor([1, 2]) });
    expect(tunableState.hyperparams.lr).toBe(0); // the rate of the next update
    tunableState = setHyperparams(tunableState, { weightDecay: 0.05 });
    expect(tunableState.hyperparams.weightDecay).toBe(0.05);
  });

  it('clipping and accumulation', () => {
    const accumulated = multiSteps(chain(clipByGlobalNorm(1), sgd({ lr: 0.1, momentum: 0.9 })), 4);
    const accumulatedState = accumulated.init({ w: tensor([1, 2]) });
    expect(accumulatedState.miniStep).toBe(0);
  });

  it('errors', () => {
    expect(() => adam().init({ w: [1, 2] } as never)).toThrow("adam.init: parameter 'w.0' must be a Tensor, got 1");
    const params = { layers: [{ weight: zeros([2]) }] };
    const wrongGradient = { layers: [{ weight: zeros([3]) }] };
    expect(() => adamw().update(wrongGradient, adamw().init(params), params)).toThrow(
      "adamw.update: gradient 'layers.0.weight' has shape [3], parameter has [2]",
    );
    const falling = sgd({ lr: (step) => 0.1 - 0.2 * step });
    const [, afterOneStep] = falling.update(params, falling.init(params), params);
    expect(() => falling.update(params, afterOneStep, params)).toThrow(
      "sgd: 'lr' schedule returned -0.1 at step 1; it must be a finite number ≥ 0",
    );
  });

  it('writing a new transform', () => {
    const RUNNING_MAXIMUM = defineKernel('docs.runningMaximum', { inputs: ['m', 'g'] }, ({ m, g }) =>
      e.max(m, e.abs(g)),
    );
    const DIVIDE = defineKernel('docs.divideByMaximum', { inputs: ['g', 'm'], scalars: ['eps'] }, ({ g, m, eps }) =>
      e.div(g, e.add(m, eps)),
    );

    function scaleByRunningMaximum(eps = 1e-8): GradientTransformation<{ maximum: TensorTree }> {
      return {
        init: (params) => ({ maximum: tree.map((p: Tensor) => zerosLike(p), params) }),
        update: (updates, state) => {
          tree.assertSameStructure('scaleByRunningMaximum.update', state.maximum, updates, [
            'state.maximum',
            'updates',
          ]);
          return tidy(() => {
            const maximum = tree.map(
              (g: Tensor, m: Tensor) => fusedMap(RUNNING_MAXIMUM, [m, g]),
              updates,
              state.maximum,
            );
            const out = tree.map((g: Tensor, m: Tensor) => fusedMap(DIVIDE, [g, m], [eps]), updates, maximum);
            return [out, { maximum }] as [TensorTree, { maximum: TensorTree }];
          });
        },
      };
    }

    const custom = chain(scaleByRunningMaximum(), scaleByLearningRate(0.1));
    const customParams = { w: tensor([1, 1]) };
    const [customUpdates] = custom.update({ w: tensor([2, -4]) }, custom.init(customParams), customParams);
    expect(Array.from((customUpdates as { w: Tensor }).w.dataSync())).toEqual([-0.1, 0.1].map(Math.fround));
  });

  it('saving and resuming', () => {
    const saveParams = { w: tensor([0.5, -1]) };
    const saver = adamw({ lr: 0.01 });
    const [saveUpdates, savedState] = saver.update({ w: tensor([0.1, 0.2]) }, saver.init(saveParams), saveParams);
    const checkpoint = JSON.stringify(
      serializeState({ params: applyUpdates(saveParams, saveUpdates), optimizer: savedState }),
    );
    // ... later, in another process:
    const restored = deserializeState<{ params: TensorTree; optimizer: typeof savedState }>(JSON.parse(checkpoint));
    expect(restored.optimizer.adam.count).toBe(1);
    const [resumedUpdates] = adamw({ lr: 0.01 }).update(
      { w: tensor([0.3, -0.1]) },
      restored.optimizer,
      restored.params,
    );
    expect(tree.leaves(resumedUpdates)).toHaveLength(1);
  });

  it('every code block of the doc appears in this file', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const doc = readFileSync(join(here, '..', '..', '..', 'docs', 'optim.md'), 'utf8');
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    // Layout-blind (whitespace and trailing commas): prettier may wrap a line here but not in the doc.
    const normalize = (text: string) => text.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const checked = blocks.filter(
      (block) => !block.includes('import ') && !block.startsWith('interface GradientTransformation'),
    );
    expect(checked.length).toBe(9);
    for (const block of checked) expect(normalize(source)).toContain(normalize(block));
  });
});
