/**
 * `checkGrad`: compares autodiff's gradients with central finite differences in float64.
 */
import {
  cast,
  checkOptionKeys,
  dispose,
  isFloatingDType,
  isTensor,
  tensor,
  tidy,
  tree,
  type Tensor,
} from '@vane/tensor';
import { valueAndGrad } from './value-and-grad.js';
import { describeValue } from './tensor-identity.js';

/** Options of {@link checkGrad}. */
export interface CheckGradOptions {
  /**
   * Finite-difference step (default 1e-6). Central differences err by about
   * eps²·|f'''|/6 (truncation) plus u·|f|/eps (rounding, u ≈ 1.1e-16 in float64); 1e-6 keeps
   * both near 1e-10 for functions and derivatives of order one.
   */
  eps?: number;
  /**
   * Relative tolerance (default 1e-5): an element passes when
   * |analytic − numeric| ≤ atol + rtol·|numeric|. It leaves five orders of magnitude above
   * the difference error for ops whose values or third derivatives are larger than one,
   * while a wrong rule is off by a factor, not by 1e-5.
   */
  rtol?: number;
  /** Absolute tolerance (default 1e-6), for gradients near zero where rtol gives no room. */
  atol?: number;
}

/** One compared gradient element. */
export interface GradientComparison {
  /** Position of the input in the `inputs` list. */
  argument: number;
  /** Dotted path of the tensor within that input ('' for a tensor input). */
  path: string;
  /** Multi-index of the element within that tensor. */
  index: number[];
  /** The gradient autodiff computed. */
  analytic: number;
  /** The central finite difference. */
  numeric: number;
  /** |analytic − numeric|. */
  absoluteError: number;
  /** absoluteError / (atol + rtol·|numeric|): at most 1 passes. */
  errorRatio: number;
}

/** What {@link checkGrad} reports. */
export interface CheckGradReport {
  /** True when every element is within tolerance. */
  ok: boolean;
  /** The element with the largest error ratio (undefined if nothing was compared). */
  worst: GradientComparison | undefined;
  /** Number of gradient elements compared. */
  checked: number;
  /** One line describing the worst element and the verdict. */
  message: string;
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

function isDifferentiable(input: unknown): boolean {
  const leaves = tree.leaves<unknown>(input as tree.Tree<unknown>);
  return leaves.length > 0 && leaves.every((leaf) => isTensor(leaf) && isFloatingDType(leaf.dtype));
}

/**
 * Checks the gradient of scalar `f` at `inputs` against central finite differences
 * (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps), element by element, in float64.
 *
 * Inputs that are float tensors (or trees of them) are converted to float64 copies and
 * differentiated; everything else (int index tensors, numbers, options) is passed through.
 * `f` must keep computing in float64 (it is an error if it returns float32). The report names
 * the worst element; the check costs two evaluations of f per input element.
 *
 * @example
 * const report = checkGrad((x: Tensor) => x.tanh().sum(), [tensor([0.5, -1])]);
 * report.ok;      // true
 * report.message; // 'checkGrad: ok, worst element: argument 0 index [1] ...'
 * @see PyTorch's `torch.autograd.gradcheck`, which does the same job.
 */
export function checkGrad(
  f: (...inputs: never[]) => Tensor,
  inputs: readonly unknown[],
  options: CheckGradOptions = {},
): CheckGradReport {
  checkOptionKeys('checkGrad', options, ['eps', 'rtol', 'atol']);
  const eps = options.eps ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const call = f as (...inputs: unknown[]) => Tensor;
  return tidy(() => {
    const converted = inputs.map((input) =>
      isDifferentiable(input)
        ? tree.map((leaf: Tensor) => cast(leaf, 'float64', true), input as tree.Tree<Tensor>)
        : input,
    );
    const argnums = converted.map((_, index) => index).filter((index) => isDifferentiable(inputs[index]));
    if (argnums.length === 0)
      throw new Error('checkGrad: no input is a float tensor (or a tree of them); nothing to check');

    // Not under noGrad: f may itself call grad (checking second derivatives).
    const evaluate = (args: unknown[]): number =>
      tidy(() => {
        const value = call(...args);
        if (!isTensor(value) || value.size !== 1)
          throw new Error(`checkGrad: f must return a one-element tensor, got ${describeValue(value)}`);
        if (value.dtype !== 'float64') {
          throw new Error(
            `checkGrad: f returned a ${value.dtype} value; finite differences need float64 throughout (inputs are converted to float64: do not cast them back, and create constants with dtype 'float64')`,
          );
        }
        return value.item();
      });
    evaluate(converted);

    const [, gradients] = valueAndGrad(call, { argnums })(...converted);
    let worst: GradientComparison | undefined;
    let checked = 0;
    argnums.forEach((argnum, position) => {
      const { leaves, structure } = tree.flatten<Tensor>(converted[argnum] as tree.Tree<Tensor>);
      const paths = tree.paths(converted[argnum] as tree.Tree<Tensor>);
      const analyticLeaves = tree.leaves<Tensor>((gradients as tree.Tree<Tensor>[])[position]!);
      leaves.forEach((leaf, leafIndex) => {
        const base = leaf.dataSync() as Float64Array;
        const analytic = analyticLeaves[leafIndex]!.dataSync();
        const substituted = (values: Float64Array) => {
          const replaced = leaves.map((other, index) =>
            index === leafIndex
              ? tensor(values, { shape: leaf.shape, dtype: 'float64', backend: leaf.backend.name })
              : other,
          );
          const args = [...converted];
          args[argnum] = tree.unflatten(structure, replaced);
          const value = evaluate(args);
          dispose(replaced[leafIndex]);
          return value;
        };
        for (let element = 0; element < base.length; element++) {
          const plus = Float64Array.from(base);
          plus[element] = base[element]! + eps;
          const minus = Float64Array.from(base);
          minus[element] = base[element]! - eps;
          const numeric = (substituted(plus) - substituted(minus)) / (2 * eps);
          const value = analytic[element]!;
          const absoluteError = Math.abs(value - numeric);
          const errorRatio = Number.isNaN(absoluteError) ? Infinity : absoluteError / (atol + rtol * Math.abs(numeric));
          checked++;
          if (!worst || errorRatio > worst.errorRatio) {
            worst = {
              argument: argnum,
              path: paths[leafIndex]!,
              index: multiIndex(element, leaf.shape),
              analytic: value,
              numeric,
              absoluteError,
              errorRatio,
            };
          }
        }
      });
    });
    const ok = worst === undefined || worst.errorRatio <= 1;
    const where = worst
      ? `argument ${worst.argument}${worst.path ? ` at '${worst.path}'` : ''} index [${worst.index.join(',')}]`
      : '';
    const message = worst
      ? `checkGrad: ${ok ? 'ok' : 'FAILED'}, worst element: ${where}: analytic ${worst.analytic}, numeric ${worst.numeric}, |error| ${worst.absoluteError.toExponential(3)} vs tolerance ${(atol + rtol * Math.abs(worst.numeric)).toExponential(3)} (${checked} elements, eps ${eps}, rtol ${rtol}, atol ${atol})`
      : 'checkGrad: ok, no gradient elements to compare';
    return { ok, worst, checked, message };
  });
}
