import fc from 'fast-check';
import { getBackend, listBackends, setBackend, tree, type Tensor, type Tree } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/** The backend compared with the CPU. */
export const GPU_BACKEND = 'gpu';

/**
 * CPU ≡ GPU.
 *
 * Math: the same float32 problem run on the 'cpu' backend and on the 'gpu' backend gives
 * updates that agree to relative 1e-4 + absolute 1e-6. Reason: both compute in float32, but
 * GPU `sqrt`, `exp` and fused multiply-adds may round differently by a few ulps (~1e-7
 * relative each), and four steps of an Adam-style recurrence amplify that by well under 1e3.
 *
 * Applies to every optimizer when a backend named 'gpu' is registered; otherwise it is
 * reported as skipped (never silently passed).
 *
 * @example
 * import '@vane/gpu'; // registers 'gpu'
 * const report = checkOptimizer(() => adam(), { invariants: ['backendAgreement'] });
 */
export const backendAgreement: Invariant = {
  name: 'backendAgreement',
  law: "updates on the 'gpu' backend equal those on 'cpu' (float32, relative 1e-4)",
  appliesTo: "every optimizer, when a backend named 'gpu' is registered",
  skipReason: () =>
    listBackends().includes(GPU_BACKEND)
      ? undefined
      : `no backend named '${GPU_BACKEND}' is registered (registered: ${listBackends().join(', ')})`,
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 4, minLength: 1, dtype: 'float32' }), ({ params, gradients }) => {
      const previous = getBackend();
      const moveTo = (value: Tree<Tensor>, backend: string) => tree.map((leaf: Tensor) => leaf.to(backend), value);
      try {
        setBackend('cpu');
        const onCpu = runSteps(
          factory(),
          moveTo(params, 'cpu'),
          gradients.map((g) => moveTo(g, 'cpu')),
        ).updates;
        setBackend(GPU_BACKEND);
        const onGpu = runSteps(
          factory(),
          moveTo(params, GPU_BACKEND),
          gradients.map((g) => moveTo(g, GPU_BACKEND)),
        ).updates;
        setBackend('cpu');
        expectAllClose(
          onGpu.map((update) => moveTo(update, 'cpu')),
          onCpu,
          { absolute: 1e-6, relative: 1e-4 },
          'backendAgreement: gpu and cpu updates differ',
        );
      } finally {
        setBackend(previous);
      }
    }),
};
