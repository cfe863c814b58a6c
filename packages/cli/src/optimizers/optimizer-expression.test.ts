import { describe, expect, it } from 'vitest';
import { OPTIMIZER_NAMES } from '@vane/optim';
import { tensor } from '@vane/tensor';
import { buildOptimizer, formatOptimizerExpression, parseOptimizerExpression } from './optimizer-expression.js';
import { UsageError } from '../usage-error.js';

describe('parseOptimizerExpression', () => {
  it('parses names, nesting and numeric options', () => {
    expect(parseOptimizerExpression('adamw')).toEqual({ name: 'adamw', operands: [], options: {} });
    expect(parseOptimizerExpression(' Active( adamw , decrease=0.5 ) ')).toEqual({
      name: 'active',
      operands: [{ name: 'adamw', operands: [], options: {} }],
      options: { decrease: 0.5 },
    });
    const graft = parseOptimizerExpression('graft(adam(lr=1e-3),sgd(lr=0.1,momentum=0))');
    expect(graft.operands.map((operand) => operand.options)).toEqual([{ lr: 1e-3 }, { lr: 0.1, momentum: 0 }]);
    expect(formatOptimizerExpression(graft)).toBe('graft(adam(lr=0.001),sgd(lr=0.1,momentum=0))');
    expect(formatOptimizerExpression(parseOptimizerExpression('active(graft(adagrad,sgd))'))).toBe(
      'active(graft(adagrad,sgd))',
    );
  });

  it.each([
    ['adamx', /'adamx' is not an optimizer \(valid: sgd, adam, adamw/],
    ['active(adamx)', /'adamx' is not an optimizer/],
    ['active(adamw', /missing \)/],
    ['active()', /active takes 1 optimizer, got 0/],
    ['graft(adam)', /graft takes 2 optimizers, got 1/],
    ['sgd(adam)', /sgd takes no optimizer inside it/],
    ['adam(momentum=0.9)', /adam takes no option 'momentum' \(its options: lr, beta1, beta2, eps, weightDecay\)/],
    ['sgd(lr=abc)', /option lr must be a number/],
    ['sgd(lr=-1)', /must not be negative/],
    ['adamw)', /unexpected '\)' after the expression/],
    ['', /empty expression/],
  ])('rejects %j with one line naming the problem', (text, message) => {
    let caught: unknown;
    try {
      parseOptimizerExpression(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});

describe('buildOptimizer', () => {
  const params = { w: tensor([1, -2, 3]) };
  const grads = { w: tensor([0.5, -0.5, 1]) };
  const step = (text: string, lr: number) => {
    const optimizer = buildOptimizer(parseOptimizerExpression(text), { lr, stepsPerEpoch: 4 });
    const [updates] = optimizer.update(grads, optimizer.init(params), params) as unknown as [
      { w: { dataSync(): Float32Array } },
      unknown,
    ];
    return Array.from(updates.w.dataSync());
  };

  it('uses the context learning rate unless the expression sets one', () => {
    // SGD's first step with momentum is −lr·g (the buffer starts at g).
    expect(step('sgd', 0.1)).toEqual([-0.05, 0.05, -0.1].map(Math.fround));
    expect(step('sgd(lr=1)', 0.1)).toEqual([-0.5, 0.5, -1]);
  });

  it("builds every optimizer of @vane/optim's registry by name (any case), with its numeric options", () => {
    for (const name of OPTIMIZER_NAMES) {
      const optimizer = buildOptimizer(parseOptimizerExpression(name), { lr: 1e-3, stepsPerEpoch: 4 });
      expect(typeof optimizer.update, name).toBe('function');
    }
    expect(formatOptimizerExpression(parseOptimizerExpression('signSgd(weightDecay=0.1)'))).toBe(
      'signsgd(weightDecay=0.1)',
    );
    expect(step('lamb(beta1=0.8,eps=1e-6)', 1e-3)).toHaveLength(3);
  });

  it('builds active and graft around any base', () => {
    // The gains start at 1, so active(X)'s first step is X's.
    expect(step('active(adam)', 1e-3)).toEqual(step('adam', 1e-3));
    // M#D keeps M's per-tensor norm: SGD lr 1 has norm ‖g‖ = 1.2247…, along Adam's sign-like direction.
    const grafted = step('graft(sgd(lr=1),adam)', 1e-3);
    expect(Math.hypot(...grafted)).toBeCloseTo(Math.hypot(0.5, 0.5, 1), 5);
    expect(grafted.map(Math.sign)).toEqual([-1, 1, -1]);
  });
});

describe('trace(X, decay=μ) and a learning-rate scale', () => {
  // One scalar parameter, gradients g_t given: every update has a closed form.
  const run = (text: string, gradients: number[], learningRateScale?: (step: number) => number) => {
    const optimizer = buildOptimizer(parseOptimizerExpression(text), { lr: 0.1, stepsPerEpoch: 4, learningRateScale });
    const params = { w: tensor([0], { dtype: 'float64' }) };
    let state = optimizer.init(params);
    return gradients.map((gradient) => {
      const [updates, next] = optimizer.update(
        { w: tensor([gradient], { dtype: 'float64' }) },
        state,
        params,
      ) as unknown as [{ w: { dataSync(): Float64Array } }, unknown];
      state = next as typeof state;
      return updates.w.dataSync()[0]!;
    });
  };

  it('trace(adagrad) is heavy-ball momentum on AdaGrad’s update: b_t = μ·b_{t−1} + u_t', () => {
    // AdaGrad (PyTorch): u_t = −lr·g_t / (√(Σ g²) + 1e-10). g = 3, 4: u = −0.1, −0.1·4/5.
    const adagrad = [-0.1 * (3 / (3 + 1e-10)), -0.1 * (4 / (5 + 1e-10))];
    const traced = run('trace(adagrad,decay=0.5)', [3, 4]);
    expect(traced[0]).toBeCloseTo(adagrad[0]!, 14);
    expect(traced[1]).toBeCloseTo(0.5 * adagrad[0]! + adagrad[1]!, 14);
  });

  it('rejects a trace without an optimizer or with an unknown option', () => {
    expect(() => parseOptimizerExpression('trace(decay=0.9)')).toThrow(/trace takes 1 optimizer, got 0/);
    expect(() => parseOptimizerExpression('trace(sgd,momentum=0.9)')).toThrow(/trace takes no option 'momentum'/);
  });

  it('multiplies every rate of the expression (the context’s and an explicit lr=) by the scale at each step', () => {
    const scale = (step: number) => [0.5, 1, 0.25][step]!;
    // Plain SGD: u_t = −lr·scale(t)·g_t.
    expect(run('sgd(momentum=0)', [1, 1, 1], scale)).toEqual([-0.05, -0.1, -0.025]);
    expect(run('sgd(lr=1,momentum=0)', [2, 2, 2], scale)).toEqual([-1, -2, -0.5]);
  });
});
