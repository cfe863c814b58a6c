/**
 * `valueAndGrad` and `grad`: the functional, JAX-style entry points.
 */
import { checkOptionKeys, isFloatingDType, isTensor, onesLike, tidy, tree, zerosLike, type Tensor } from '@vane/tensor';
import { runBackward } from './backward-pass.js';
import { argnumList, exportTensor, exportTree, prepareArguments, type Argnums } from './differentiable-arguments.js';
import { closeTape, openTape } from './recorder.js';
import { describeValue } from './tensor-identity.js';

/** The gradients' type: like the differentiated argument, or a tuple of them for several. */
export type GradientsOf<Args extends readonly unknown[], N extends Argnums> = N extends number
  ? Args[N]
  : { -readonly [I in keyof N]: N[I] extends number ? Args[N[I]] : never };

/** Options of {@link valueAndGrad} and {@link grad}. */
export interface GradOptions<N extends Argnums = Argnums> {
  /**
   * Which arguments to differentiate: an index (default 0), giving gradients shaped like that
   * argument, or a list of indices, giving a tuple of gradients in that order.
   */
  argnums?: N;
  /** `f` returns `[value, aux]`; `aux` (any tree) is passed back untouched but not differentiated. */
  hasAux?: boolean;
}

/** The option names of {@link valueAndGrad} and {@link grad}. */
const GRAD_OPTIONS = ['argnums', 'hasAux'] as const;

function checkScalarOutput(caller: string, output: unknown, hasAux: boolean): asserts output is Tensor {
  const what = hasAux
    ? 'the first element of the [value, aux] pair returned by the function'
    : 'the value returned by the function';
  if (!isTensor(output)) throw new Error(`${caller}: ${what} must be a scalar tensor, got ${describeValue(output)}`);
  if (output.size !== 1) {
    throw new Error(
      `${caller}: ${what} has shape [${output.shape.join(',')}], but a gradient needs a scalar (one-element) output; reduce it (e.g. .sum() or .mean()), or use vjp(f, ...primals) with an explicit cotangent`,
    );
  }
  if (!isFloatingDType(output.dtype)) {
    throw new Error(
      `${caller}: ${what} is ${output.dtype === 'int32' ? 'an' : 'a'} ${output.dtype} tensor; only float32 and float64 outputs can be differentiated`,
    );
  }
}

function splitAux(caller: string, result: unknown): [unknown, unknown] {
  if (!Array.isArray(result) || result.length !== 2) {
    throw new Error(
      `${caller}: with hasAux the function must return a [value, aux] pair, got ${describeValue(result)}`,
    );
  }
  return [result[0], result[1]];
}

/**
 * The engine behind valueAndGrad and grad: returns [value, gradients, aux].
 */
function evaluate(
  caller: string,
  f: (...args: never[]) => unknown,
  options: GradOptions,
  args: unknown[],
): [Tensor, unknown, unknown] {
  const argnums = options.argnums ?? 0;
  const argnumsList = argnumList(caller, argnums, args.length);
  const hasAux = options.hasAux ?? false;
  const tape = openTape(caller);
  try {
    return tidy(() => {
      const prepared = prepareArguments(caller, args, argnumsList, tape);
      const result = (f as (...args: unknown[]) => unknown)(...prepared.args);
      const [output, aux] = hasAux ? splitAux(caller, result) : [result, undefined];
      checkScalarOutput(caller, output, hasAux);
      closeTape(tape);
      const targets = prepared.differentiated.flatMap((entry) => entry.leaves);
      const { gradients } = runBackward({
        caller,
        roots: [[output, onesLike(output)]],
        targets,
        producerOf: (tensor) => tape.producers.get(tensor),
        releaseIntermediates: true,
      });
      // A leaf the output does not depend on gets a zero gradient, not an error.
      const perArgument = prepared.differentiated.map(({ structure, leaves }) =>
        tree.unflatten(
          structure,
          leaves.map((leaf) => exportTensor(gradients.get(leaf) ?? zerosLike(leaf))),
        ),
      );
      const value = exportTensor(output);
      return [
        value,
        typeof argnums === 'number' ? perArgument[0] : perArgument,
        hasAux ? exportTree(aux) : undefined,
      ] as [Tensor, unknown, unknown];
    });
  } finally {
    closeTape(tape);
    tape.release();
  }
}

/**
 * Transforms `f` into a function returning `[value, gradients]`: f's value and its gradient
 * with respect to the arguments named by `argnums` (the first by default).
 *
 * Math: for scalar L = f(x₁, …, xₙ), returns L and ∂L/∂x_i for each i in argnums, by
 * reverse-mode accumulation over the ops f performed (a define-by-run tape).
 *
 * Arguments can be tensors or trees of them (nested arrays and plain objects); gradients have
 * the same structure. Memory rule: everything the call creates internally is freed before it
 * returns; the returned value, gradients and aux are new tensors owned by the caller — dispose
 * them (or call inside `tidy`). Arguments are never disposed.
 *
 * @param f - a function returning a one-element float tensor (with `hasAux`: `[value, aux]`)
 * @example
 * const loss = (w: Tensor, x: Tensor) => x.matmul(w).square().mean();
 * const [value, dw] = valueAndGrad(loss)(w, x);
 * const [value2, [dw2, dx2]] = valueAndGrad(loss, { argnums: [0, 1] })(w, x);
 * @see JAX's `jax.value_and_grad` (https://jax.readthedocs.io) for the interface it follows.
 */
export function valueAndGrad<Args extends unknown[], const N extends Argnums = 0>(
  f: (...args: Args) => Tensor,
  options?: GradOptions<N> & { hasAux?: false },
): (...args: Args) => [value: Tensor, gradients: GradientsOf<Args, N>];
export function valueAndGrad<Args extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: Args) => readonly [Tensor, Aux],
  options: GradOptions<N> & { hasAux: true },
): (...args: Args) => [value: Tensor, gradients: GradientsOf<Args, N>, aux: Aux];
export function valueAndGrad(
  f: (...args: never[]) => unknown,
  options: GradOptions = {},
): (...args: unknown[]) => unknown[] {
  // Checked when the transform is made, not at its first call, so a typo fails where it is written.
  checkOptionKeys('valueAndGrad', options, GRAD_OPTIONS);
  return (...args: unknown[]) => {
    const [value, gradients, aux] = evaluate('valueAndGrad', f, options, args);
    return options.hasAux ? [value, gradients, aux] : [value, gradients];
  };
}

/**
 * Transforms `f` into a function returning its gradient with respect to the arguments named
 * by `argnums` (the first by default); with `hasAux`, `[gradients, aux]`.
 *
 * Math: ∇f(x) = ∂f/∂x for scalar f. Higher order composes: `grad(grad(f))` is f''.
 * The same memory rule as {@link valueAndGrad}: the caller owns (and disposes) the result.
 *
 * @example
 * const cube = (x: Tensor) => x.pow(3).sum();
 * grad(cube)(tensor([2]));        // [12]   (3x²)
 * grad(grad(cube))(tensor(2));    // 12     (6x)
 * @see JAX's `jax.grad` (https://jax.readthedocs.io) for the interface it follows.
 */
export function grad<Args extends unknown[], const N extends Argnums = 0>(
  f: (...args: Args) => Tensor,
  options?: GradOptions<N> & { hasAux?: false },
): (...args: Args) => GradientsOf<Args, N>;
export function grad<Args extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: Args) => readonly [Tensor, Aux],
  options: GradOptions<N> & { hasAux: true },
): (...args: Args) => [gradients: GradientsOf<Args, N>, aux: Aux];
export function grad(f: (...args: never[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  checkOptionKeys('grad', options, GRAD_OPTIONS);
  return (...args: unknown[]) => {
    const [value, gradients, aux] = evaluate('grad', f, options, args);
    value.dispose();
    return options.hasAux ? [gradients, aux] : gradients;
  };
}
