import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * State round trip into a fresh instance: save → load → step equals step.
 *
 * Math: run instance A over g₁…g_k to state s_k; serialize s_k, deserialize it, and hand it to
 * a FRESH instance B from the factory. Then A.update(g_{k+1}, s_k, p) and
 * B.update(g_{k+1}, load(save(s_k)), p) must give identical updates and next states. Because
 * B is fresh, any state an optimizer keeps outside its returned state (closures, module
 * variables) makes the two differ. Tolerance 0: serialization must be lossless.
 *
 * Applies to every optimizer (needs `serializeState`/`deserializeState`).
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1, momentum: 0.9 }), { invariants: ['stateRoundTrip'] });
 */
export const stateRoundTrip: Invariant = {
  name: 'stateRoundTrip',
  law: 'A.update(g, s) equals Fresh.update(g, deserialize(serialize(s))) exactly',
  appliesTo: 'every optimizer',
  skipReason: ({ implementations }) =>
    implementations.serializeState && implementations.deserializeState
      ? undefined
      : 'serializeState/deserializeState are not available',
  property: ({ factory, implementations }) =>
    fc.property(arbProblem({ length: 4, minLength: 2 }), ({ params, gradients }) => {
      const { serializeState, deserializeState } = implementations;
      const history = gradients.slice(0, -1);
      const last = gradients[gradients.length - 1]!;
      const original = factory();
      const run = runSteps(original, params, history);
      const saved = serializeState!(run.state);
      // Through JSON text too: a saved state has to survive a file, not only a JS object.
      const restored = deserializeState!(typeof saved === 'string' ? saved : JSON.parse(JSON.stringify(saved)));
      const fresh = factory();
      fresh.init(params);
      const [expectedUpdate, expectedState] = original.update(last, run.state, run.params);
      const [actualUpdate, actualState] = fresh.update(last, restored, run.params);
      const exact = { absolute: 0, relative: 0 };
      expectAllClose(
        actualUpdate,
        expectedUpdate,
        exact,
        'stateRoundTrip: a fresh instance given the saved state stepped differently (state hidden outside the returned state?)',
      );
      expectAllClose(
        serializeState!(actualState),
        serializeState!(expectedState),
        exact,
        'stateRoundTrip: next states differ',
      );
    }),
};
