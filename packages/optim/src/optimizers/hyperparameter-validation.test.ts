/**
 * Bad hyperparameters fail when the optimizer is built, with an error that names the
 * optimizer, the option and the value.
 */
import { describe, expect, it } from 'vitest';
import type { GradientTransformation } from '../transform.js';
import { adabelief } from './adabelief.js';
import { adadelta } from './adadelta.js';
import { adafactor } from './adafactor.js';
import { adagrad } from './adagrad.js';
import { adam, amsgrad } from './adam.js';
import { adamax } from './adamax.js';
import { adamw } from './adamw.js';
import { lamb } from './lamb.js';
import { lars } from './lars.js';
import { lion } from './lion.js';
import { nadam } from './nadam.js';
import { radam } from './radam.js';
import { rmsprop } from './rmsprop.js';
import { rprop } from './rprop.js';
import { sgd } from './sgd.js';
import { signSgd, signum } from './sign-sgd.js';

type Factory = (options: any) => GradientTransformation<unknown>;

const ALL: Record<string, Factory> = {
  sgd,
  adam,
  adamw,
  amsgrad,
  adamax,
  nadam,
  radam,
  adabelief,
  adagrad,
  adadelta,
  rmsprop,
  rprop,
  lion,
  signSgd,
  signum,
  lamb,
  lars,
  adafactor,
};
const WITH_BETAS = ['adam', 'adamw', 'amsgrad', 'adamax', 'nadam', 'radam', 'adabelief', 'lion', 'lamb'];
// LARS's eps is an optional extra term in the trust ratio's denominator (default 0), so 0 is
// valid there; Adafactor's eps is a pair, checked below.
const WITH_EPS = [
  'adam',
  'adamw',
  'amsgrad',
  'adamax',
  'nadam',
  'radam',
  'adabelief',
  'adagrad',
  'adadelta',
  'rmsprop',
  'lamb',
];

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
};

describe('every optimizer builds with its defaults', () => {
  it.each(Object.keys(ALL))('%s', (name) => {
    expect(() => ALL[name]!({})).not.toThrow();
  });
});

describe('a negative learning rate fails at construction', () => {
  it.each(Object.keys(ALL))('%s', (name) => {
    expect(message(() => ALL[name]!({ lr: -0.1 }))).toBe(
      `${name}: 'lr' must be ${name === 'rprop' ? 'a finite number > 0' : 'a finite number ≥ 0'}, got -0.1`,
    );
  });
});

describe('betas outside [0, 1) fail at construction', () => {
  it.each(WITH_BETAS)('%s', (name) => {
    expect(message(() => ALL[name]!({ betas: [1, 0.999] }))).toBe(`${name}: 'betas[0]' must be in [0, 1), got 1`);
    expect(message(() => ALL[name]!({ betas: [0.9, 1.5] }))).toBe(`${name}: 'betas[1]' must be in [0, 1), got 1.5`);
    expect(message(() => ALL[name]!({ betas: [-0.1, 0.9] }))).toBe(`${name}: 'betas[0]' must be in [0, 1), got -0.1`);
    expect(message(() => ALL[name]!({ betas: [0.9] }))).toBe(
      `${name}: 'betas' must be a pair [beta1, beta2], got [0.9]`,
    );
  });
});

describe('eps ≤ 0 fails at construction', () => {
  it.each(WITH_EPS)('%s', (name) => {
    expect(message(() => ALL[name]!({ eps: 0 }))).toBe(`${name}: 'eps' must be a finite number > 0, got 0`);
    expect(message(() => ALL[name]!({ eps: -1e-8 }))).toBe(`${name}: 'eps' must be a finite number > 0, got -1e-8`);
  });
  it('adafactor', () => {
    expect(message(() => adafactor({ eps: [0, 1e-3] }))).toBe(`adafactor: 'eps[0]' must be a finite number > 0, got 0`);
  });
});

describe('other bad options', () => {
  it('rejects snake_case names copied from PyTorch', () => {
    expect(message(() => adam({ weight_decay: 0.1 } as never))).toMatch(
      /^adam: unknown option 'weight_decay'; expected one of 'lr', 'betas'/,
    );
  });
  it('names the value of other options', () => {
    expect(message(() => sgd({ momentum: -0.5 }))).toBe(`sgd: 'momentum' must be a finite number ≥ 0, got -0.5`);
    expect(message(() => sgd({ nesterov: true }))).toBe(
      `sgd: 'nesterov' must be used with momentum > 0 and dampening 0, got momentum 0, dampening 0`,
    );
    expect(message(() => rmsprop({ alpha: 1 }))).toBe(`rmsprop: 'alpha' must be in [0, 1), got 1`);
    expect(message(() => rprop({ etas: [1.2, 0.5] }))).toBe(
      `rprop: 'etas' must be a pair [etaMinus, etaPlus] with 0 < etaMinus < 1 < etaPlus, got [1.2, 0.5]`,
    );
    expect(message(() => adagrad({ lrDecay: -1 }))).toBe(`adagrad: 'lrDecay' must be a finite number ≥ 0, got -1`);
    expect(message(() => adamw({ weightDecay: Number.NaN }))).toBe(
      `adamw: 'weightDecay' must be a finite number ≥ 0, got NaN`,
    );
    expect(message(() => adadelta({ rho: 1.5 }))).toBe(`adadelta: 'rho' must be in [0, 1], got 1.5`);
    expect(message(() => lars({ trustCoefficient: 0 }))).toBe(
      `lars: 'trustCoefficient' must be a finite number > 0, got 0`,
    );
    expect(message(() => adafactor({ clipThreshold: 0 }))).toBe(
      `adafactor: 'clipThreshold' must be a finite number > 0, got 0`,
    );
    expect(message(() => signum({ momentum: 1 }))).toBe(`signum: 'momentum' must be in [0, 1), got 1`);
  });
});
