import { describe, expect, it } from 'vitest';
import { checkOptimizerExpression } from '../optimizers/optimizer-expression.js';
import { GRAFT_PRESETS, graftExpression, graftOperand, graftSpecs } from './graft-grid.js';

describe('the grafting grid', () => {
  it('gives each optimizer the momentum its own way (option, β1, or a trace on its update)', () => {
    expect(graftOperand('sgd', 0.01, 0.9)).toBe('sgd(lr=0.01,momentum=0.9)');
    expect(graftOperand('rmsprop', 1e-4, 0.9)).toBe('rmsprop(lr=0.0001,momentum=0.9)');
    expect(graftOperand('adam', 1e-3, 0.9)).toBe('adam(lr=0.001,beta1=0.9)');
    expect(graftOperand('adagrad', 0.01, 0.9)).toBe('trace(adagrad(lr=0.01),decay=0.9)');
    // Without a grid momentum the expressions are those of the quick and full presets (their run ids unchanged).
    expect(graftOperand('adagrad', 0.01)).toBe('adagrad(lr=0.01)');
    expect(graftExpression(GRAFT_PRESETS.quick!, 'adagrad', 'sgd')).toBe('graft(adagrad(lr=0.01),sgd(lr=0.1))');
  });

  it('the paper preset: momentum 0.9 everywhere, the schedule on every run, every cell builds', () => {
    const paper = GRAFT_PRESETS.paper!;
    const specs = graftSpecs(paper);
    expect(specs).toHaveLength(16 * paper.seeds);
    expect(new Set(specs.map((spec) => spec.optimizer)).size).toBe(16);
    expect(specs.every((spec) => spec.schedule === paper.schedule && spec.dataset === 'fashion-mnist')).toBe(true);
    expect(graftExpression(paper, 'adagrad', 'rmsprop')).toBe(
      `graft(trace(adagrad(lr=${paper.optimizers.adagrad}),decay=0.9),rmsprop(lr=${paper.optimizers.rmsprop},momentum=0.9))`,
    );
    for (const spec of specs) expect(() => checkOptimizerExpression(spec.optimizer, spec.lr)).not.toThrow();
  });
});
