/**
 * Gradient rules of the reductions and the cumulative ops.
 *
 * A reduction's gradient is the output gradient broadcast back over the reduced axes; it is
 * returned as a stride-0 `expand` view, so no copy is made until something consumes it.
 */
import {
  abs,
  any,
  arange,
  cast,
  cumprod,
  cumsum,
  div,
  equal,
  exp,
  expand,
  flip,
  greaterEqual,
  less,
  mul,
  pad,
  permute,
  reshape,
  slice,
  sub,
  sum,
  unsqueeze,
  where,
  type Shape,
  type Tensor,
} from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type ReductionName = 'sum' | 'prod' | 'max' | 'min' | 'logsumexp' | 'cumsum' | 'cumprod';

/** `value` (reduced over `axes`, with or without kept dims) broadcast back to `shape`. */
export function broadcastBack(value: Tensor, shape: Shape, axes: readonly number[], keepdims: boolean): Tensor {
  const kept = shape.map((dimension, axis) => (axes.includes(axis) ? 1 : dimension));
  const withAxes = keepdims ? value : reshape(value, kept);
  return expand(withAxes, shape);
}

/** Moves `axes` to the end and merges them into one: returns the 2-part view and how to undo it. */
function gatherAxesLast(x: Tensor, axes: readonly number[]): { merged: Tensor; restore: (t: Tensor) => Tensor } {
  const rest = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const order = [...rest, ...axes];
  const inverse = order.map((_, axis) => order.indexOf(axis));
  const permutedShape = order.map((axis) => x.shape[axis]!);
  const reducedSize = axes.reduce((size, axis) => size * x.shape[axis]!, 1);
  const merged = reshape(permute(x, order), [...rest.map((axis) => x.shape[axis]!), reducedSize]);
  return { merged, restore: (t) => permute(reshape(t, permutedShape), inverse) };
}

/**
 * Π_{j≠k} v_j along the last axis, for every k, without dividing (so zeros are exact):
 * the product of everything before k times the product of everything after k.
 */
function productOfOthers(v: Tensor): Tensor {
  const last = v.ndim - 1;
  const length = v.shape[last]!;
  if (length === 0) return v;
  const leading: null[] = new Array<null>(last).fill(null);
  const noPadding: [number, number][] = new Array<[number, number]>(last).fill([0, 0]);
  const before = cumprod(pad(slice(v, [...leading, { stop: length - 1 }]), [...noPadding, [1, 0]], 1), last);
  const after = flip(
    cumprod(flip(pad(slice(v, [...leading, { start: 1 }]), [...noPadding, [0, 1]], 1), last), last),
    last,
  );
  return mul(before, after);
}

/**
 * ∂/∂x_k of the running product y_i = Π_{j≤i} x_j along the last axis, zero-safe:
 * Σ_{i≥k} g_i · Π_{j≤i, j≠k} x_j, formed as an n×n table per row (O(n²), used only when x
 * holds a zero, where the division formula fails).
 */
function cumprodGradientWithZeros(x: Tensor, g: Tensor): Tensor {
  const last = x.ndim - 1;
  const length = x.shape[last]!;
  const options = { dtype: 'int32' as const, backend: x.backend.name };
  const k = reshape(arange(0, length, 1, options), [length, 1]);
  const j = reshape(arange(0, length, 1, options), [1, length]);
  // table[..., k, j] = x_j with x_k replaced by 1; its running product along j is
  // Π_{j'≤i, j'≠k} x_j'.
  const table = where(equal(k, j), 1, unsqueeze(x, -2));
  const partial = cumprod(table, last + 1);
  const counted = where(greaterEqual(j, k), mul(partial, unsqueeze(g, -2)), 0);
  return sum(counted, -1);
}

/** Rules of the reductions and cumulative ops. */
export const reductionRules: { readonly [K in ReductionName]: GradientRule<K> } = {
  sum: ({ inputs: [x], outputGradient: g, attributes: { axes, keepdims }, needsGradient }) => [
    needsGradient[0] ? broadcastBack(g, x!.shape, axes, keepdims) : null,
  ],
  // ∂Πx/∂x_k = Π_{j≠k} x_j, computed without division so that zeros are handled exactly.
  prod: ({ inputs: [x], outputGradient: g, attributes: { axes }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const input = x!;
    if (axes.length === 0) return [g];
    const { merged, restore } = gatherAxesLast(input, axes);
    const others = productOfOthers(merged);
    const perRow = reshape(g, [...merged.shape.slice(0, -1), 1]);
    return [restore(mul(others, perRow))];
  },
  // The gradient is shared equally among tied extrema (as torch.amax/amin).
  max: ({ inputs: [x], output, outputGradient: g, attributes: { axes, keepdims }, needsGradient }) => [
    needsGradient[0] ? extremumGradient(x!, output, g, axes, keepdims) : null,
  ],
  min: ({ inputs: [x], output, outputGradient: g, attributes: { axes, keepdims }, needsGradient }) => [
    needsGradient[0] ? extremumGradient(x!, output, g, axes, keepdims) : null,
  ],
  // ∂ log Σ eˣ / ∂x = softmax(x) = e^(x − y).
  logsumexp: ({ inputs: [x], output, outputGradient: g, attributes: { axes, keepdims }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const input = x!;
    const weights = exp(sub(input, broadcastBack(output, input.shape, axes, keepdims)));
    return [mul(broadcastBack(g, input.shape, axes, keepdims), weights)];
  },
  // The adjoint of a running sum is a running sum from the other end.
  cumsum: ({ outputGradient: g, attributes: { axis }, needsGradient }) => [
    needsGradient[0] ? flip(cumsum(flip(g, axis), axis), axis) : null,
  ],
  // ∂L/∂x_k = (Σ_{i≥k} g_i y_i) / x_k while the running products are normal numbers. Once
  // one is zero or has underflowed (below 1e-30, so also for float32 subnormals), dividing
  // loses it, and the exact O(n²) form is used instead.
  cumprod: ({ inputs: [x], output, outputGradient: g, attributes: { axis }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const input = x!;
    const underflows = any(less(abs(output), 1e-30)).item() !== 0;
    if (!underflows) return [div(flip(cumsum(flip(mul(g, output), axis), axis), axis), input)];
    const order = input.shape.map((_, a) => a).filter((a) => a !== axis);
    order.push(axis);
    const inverse = order.map((_, a) => order.indexOf(a));
    const gradient = cumprodGradientWithZeros(permute(input, order), permute(g, order));
    return [permute(gradient, inverse)];
  },
};

function extremumGradient(x: Tensor, y: Tensor, g: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const isExtremum = cast(equal(x, broadcastBack(y, x.shape, axes, keepdims)), x.dtype);
  const ties = sum(isExtremum, axes, true);
  return mul(broadcastBack(g, x.shape, axes, keepdims), div(isExtremum, ties));
}
