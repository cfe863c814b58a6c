import fc from 'fast-check';
import { capabilitiesOf, type OptimizerCapabilities } from './capabilities.js';
import type { Invariant, InvariantContext } from './invariant.js';
import { ALL_INVARIANTS } from './invariants/index.js';
import { defaultImplementations, type AnyTransform, type OptimImplementations } from './optim-implementations.js';

/** Options of {@link checkOptimizer}. */
export interface CheckOptimizerOptions {
  /**
   * Invariants to run, by name or as objects (default: all of {@link ALL_INVARIANTS}). An
   * invariant named here that cannot run (missing capability or implementation) is an error,
   * not a skip: asking for a check and getting none must not pass.
   */
  readonly invariants?: readonly (string | Invariant)[];
  /** What the optimizer promises; merged over the factory's own `capabilities` property. */
  readonly capabilities?: OptimizerCapabilities;
  /** The optimizer at a given learning rate; enables `learningRateLinearity`. */
  readonly learningRateFactory?: (learningRate: number) => AnyTransform;
  /** Runs per invariant (default 25: a suite over many optimizers stays within seconds). */
  readonly numRuns?: number;
  /** fast-check seed, for reproducing a failure (default: fast-check's random seed). */
  readonly seed?: number;
  /** Replacement combinators (for testing your own `chain`, `masked`, `active`, `graft`, …). */
  readonly implementations?: OptimImplementations;
}

/** What {@link checkOptimizer} ran. */
export interface CheckReport {
  /** Invariants that ran and held. */
  readonly passed: string[];
  /** Invariants that did not apply, with the reason. */
  readonly skipped: { name: string; reason: string }[];
}

/**
 * Property-tests an optimizer against every invariant that applies to it.
 *
 * Each invariant is a fast-check property over random parameter trees and gradient streams;
 * the first one that fails throws an error naming the invariant, its law, and fast-check's
 * shrunk counterexample with the seed to replay it. Capabilities come from
 * `options.capabilities` merged over `factory().capabilities` (see `declareCapabilities`);
 * with none, only the invariants every optimizer must satisfy run.
 *
 * @param factory - returns a FRESH optimizer on every call (fresh closures too: the state
 *   round trip loads saved state into a new instance).
 * @param options - `invariants`, `capabilities`, `learningRateFactory`, `numRuns` (25), `seed`,
 *   `implementations`.
 * @returns which invariants passed and which were skipped (with reasons).
 * @example
 * const report = checkOptimizer(() => adam({ lr: 1e-3 }), {
 *   capabilities: { descends: true, zeroGradientNoOp: true, scaleInvariant: true, nonZeroFirstStep: true },
 *   learningRateFactory: (lr) => adam({ lr }),
 * });
 * report.skipped; // [{ name: 'backendAgreement', reason: "no backend named 'gpu' is registered ..." }, ...]
 */
export function checkOptimizer(factory: () => AnyTransform, options: CheckOptimizerOptions = {}): CheckReport {
  if (typeof factory !== 'function')
    throw new TypeError('checkOptimizer: factory must be a function returning a fresh gradient transformation');
  const sample = factory();
  if (
    sample === null ||
    typeof sample !== 'object' ||
    typeof sample.init !== 'function' ||
    typeof sample.update !== 'function'
  ) {
    throw new TypeError(
      'checkOptimizer: factory() must return a gradient transformation (an object with init and update)',
    );
  }
  const context: InvariantContext = {
    factory,
    capabilities: { ...capabilitiesOf(sample), ...options.capabilities },
    ...(options.learningRateFactory ? { learningRateFactory: options.learningRateFactory } : {}),
    implementations: { ...defaultImplementations(), ...options.implementations },
  };
  const explicit = options.invariants !== undefined;
  const invariants = (options.invariants ?? ALL_INVARIANTS).map(resolveInvariant);
  const report: CheckReport = { passed: [], skipped: [] };
  for (const invariant of invariants) {
    const reason = invariant.skipReason(context);
    if (reason !== undefined) {
      if (explicit)
        throw new Error(`checkOptimizer: invariant '${invariant.name}' was requested but cannot run: ${reason}`);
      report.skipped.push({ name: invariant.name, reason });
      continue;
    }
    const result = fc.check(invariant.property(context) as fc.IRawProperty<unknown, false>, {
      numRuns: options.numRuns ?? 25,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    if (result.failed) {
      const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      const details = `${fc.defaultReportMessage(result) ?? 'failed'}\nCause: ${cause}`;
      throw new Error(
        `checkOptimizer: invariant '${invariant.name}' failed.\nLaw: ${invariant.law}\nReplay with checkOptimizer(factory, { seed: ${result.seed} }).\n${details}`,
      );
    }
    report.passed.push(invariant.name);
  }
  return report;
}

function resolveInvariant(entry: string | Invariant): Invariant {
  if (typeof entry !== 'string') return entry;
  const found = ALL_INVARIANTS.find((invariant) => invariant.name === entry);
  if (!found)
    throw new Error(
      `checkOptimizer: unknown invariant '${entry}' (known: ${ALL_INVARIANTS.map((invariant) => invariant.name).join(', ')})`,
    );
  return found;
}
