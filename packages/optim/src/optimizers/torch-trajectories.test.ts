/**
 * Step-by-step agreement with PyTorch: every torch.optim optimizer Vane mirrors is run on
 * the fixture's 24-step gradient stream (sign changes, an all-zero step) and compared with
 * the parameters PyTorch recorded after every step: relative error ≤ 1e-9 in float64,
 * ≤ 1e-5 in float32. The references come from PyTorch (see fixtures/README.md and
 * fixtures/generate_extra_fixtures.py), not from this code.
 *
 * Error measures: in float64, elementwise |a − b| / |b|. In float32, normwise per tensor and
 * step, max|a − b| / max|b|: an element that crosses zero has |b| ≈ 1e-4 while both sides carry
 * absolute rounding of a few float32 ulps of the tensor's scale (≈ 1e-7), so an elementwise
 * ratio there measures the cancellation, not the optimizer.
 */
import { dispose } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import {
  flatValues,
  loadTrajectories,
  treeFromPaths,
  valuesAt,
  type TorchCase,
} from '../test-support/torch-fixtures.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { adamax } from './adamax.js';
import { adamw } from './adamw.js';
import { nadam } from './nadam.js';
import { radam } from './radam.js';
import { rmsprop } from './rmsprop.js';
import { rprop } from './rprop.js';
import { sgd } from './sgd.js';

const BUILDERS: Record<string, (options: any) => GradientTransformation<unknown>> = {
  SGD: sgd,
  Adam: adam,
  AdamW: adamw,
  RAdam: radam,
  Adagrad: adagrad,
  RMSprop: rmsprop,
  Rprop: rprop,
  Adamax: adamax,
  NAdam: nadam,
  Adadelta: adadelta,
};

const TOLERANCE = { float64: 1e-9, float32: 1e-5 };

/** Largest relative error over the trajectory (elementwise in float64, normwise in float32). */
function runCase(fixture: ReturnType<typeof loadTrajectories>, testCase: TorchCase): number {
  const optimizer = BUILDERS[testCase.optimizer]!(testCase.options);
  let params = treeFromPaths(fixture.initialParams, testCase.dtype) as TensorTree;
  let state = optimizer.init(params);
  let worst = 0;
  fixture.gradients.forEach((gradientValues, step) => {
    const grads = treeFromPaths(gradientValues, testCase.dtype) as TensorTree;
    const [updates, nextState] = optimizer.update(grads, state, params);
    const nextParams = applyUpdates(params, updates);
    disposeReplaced([params, state, grads, updates], [nextParams, nextState]);
    params = nextParams;
    state = nextState;
    for (const path of fixture.parameterPaths) {
      const actual = valuesAt(params, path);
      const expected = flatValues(testCase.trajectory[step]![path]!);
      if (testCase.dtype === 'float64') {
        expected.forEach((reference, index) => {
          worst = Math.max(worst, Math.abs(actual[index]! - reference) / Math.abs(reference));
        });
      } else {
        const scale = Math.max(...expected.map(Math.abs));
        const difference = Math.max(...expected.map((reference, index) => Math.abs(actual[index]! - reference)));
        worst = Math.max(worst, difference / scale);
      }
    }
  });
  dispose([params, state]);
  return worst;
}

for (const which of ['main', 'extra'] as const) {
  const fixture = loadTrajectories(which);
  describe(`PyTorch trajectories (${which} fixtures)`, () => {
    const cases = which === 'main' ? fixture.cases.filter((c) => c.optimizer !== 'NAdam') : fixture.cases;
    it.each(cases.map((c) => [`${c.name} ${c.dtype}`, c] as const))('%s', (_, testCase) => {
      const worst = runCase(fixture, testCase);
      if (process.env.VANE_REPORT_ERRORS)
        console.log(`error ${testCase.name} ${testCase.dtype} ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE[testCase.dtype]);
    });
  });
}

describe('NAdam and the PyTorch 1.13 fixture', () => {
  it('differs from torch 1.13, whose momentum product had an extra factor (fixed in PyTorch 2.0)', () => {
    const fixture = loadTrajectories('main');
    const testCase = fixture.cases.find((c) => c.name === 'nadam-defaults' && c.dtype === 'float64')!;
    expect(runCase(fixture, testCase)).toBeGreaterThan(1e-4);
  });
});
