/**
 * Classification losses: cross-entropy from logits, negative log-likelihood, binary
 * cross-entropy (on probabilities and on logits), and Kullback–Leibler divergence.
 *
 * Source: `packages/nn/src/losses/classification-losses.ts`.
 */
import {
  abs,
  add,
  cast,
  clip,
  div,
  exp,
  formatShape,
  indexSelect,
  log,
  log1p,
  logSoftmax,
  mean,
  mul,
  neg,
  notEqual,
  permute,
  relu,
  reshape,
  sub,
  sum,
  takeAlongAxis,
  unsqueeze,
  where,
  type Tensor,
} from '@vane/tensor';
import { checkLossArguments, checkSameShape, checkUnitInterval, reduce, type Reduction } from './reduction.js';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Target class whose examples are skipped (index targets only); default −100 as PyTorch. */
  ignoreIndex?: number;
  /** Smoothing ε ∈ [0, 1): the target becomes `(1−ε)·target + ε/C` (Szegedy et al., 2016). */
  labelSmoothing?: number;
  /** Per-class weights `w` `[C]` (PyTorch's `weight`); see {@link crossEntropy} for how they enter. */
  weight?: Tensor;
}

/**
 * Moves the class axis (1) of `[N, C, d1, …]` last and flattens to `[M, C]`; a `[N, C]` input
 * is returned as is.
 */
function classesLast(input: Tensor): Tensor {
  if (input.ndim <= 2) return input;
  const axes = [0, ...Array.from({ length: input.ndim - 2 }, (_, index) => index + 2), 1];
  return reshape(permute(input, axes), [-1, input.shape[1]!]);
}

/**
 * Cross-entropy between logits and targets, `ℓ_n = −Σ_c q_{n,c} · log softmax(x_n)_c`.
 *
 * - `input`: logits `[N, C]` or `[N, C, d1, …]` (class axis 1, as PyTorch), or `[C]`.
 * - `target`: int32 class indices `[N]` / `[N, d1, …]`, or float probabilities shaped like
 *   `input` (soft labels).
 *
 * With index targets, `q` is one-hot (smoothed by `labelSmoothing`), examples whose target is
 * `ignoreIndex` contribute nothing, and `'mean'` divides by the number of kept examples.
 * With probability targets, `'mean'` divides by the number of examples.
 *
 * With per-class `weight`, as PyTorch 1.13: index targets give
 * `ℓ_n = (1−ε)·w_{y_n}·(−log p_{n,y_n}) + (ε/C)·Σ_c w_c·(−log p_{n,c})` and `'mean'` divides
 * the sum over kept examples by `Σ w_{y_n}` over kept examples (the smoothing term is
 * divided by it too, though not scaled by `w_{y_n}`); probability targets give
 * `ℓ_n = −Σ_c w_c·q_{n,c}·log p_{n,c}` and `'mean'` still divides by the number of examples.
 *
 * @example
 * crossEntropy(tensor([[0, 0]]), tensor([1], { dtype: 'int32' })).item(); // ln 2 = 0.6931
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkLossArguments('crossEntropy', input, target, options, ['reduction', 'ignoreIndex', 'labelSmoothing', 'weight']);
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1))
    throw new Error(`crossEntropy: 'labelSmoothing' must be in [0, 1), got ${smoothing}`);
  if (input.ndim === 1) return crossEntropy(unsqueeze(input, 0), unsqueeze(target, 0), options);
  if (input.ndim < 1)
    throw new Error(`crossEntropy: 'input' has shape ${formatShape(input.shape)}, expected [N, C, ...]`);
  const classes = input.shape[1]!;
  const weight = options.weight;
  if (weight) checkClassWeight('crossEntropy', input, weight);
  const logProbabilities = logSoftmax(classesLast(input), -1); // [M, C]
  if (target.dtype === 'float32' || target.dtype === 'float64') {
    checkSameShape('crossEntropy', input, target);
    let probabilities = classesLast(target);
    if (smoothing > 0) probabilities = mul(probabilities, 1 - smoothing).add(smoothing / classes);
    if (weight) probabilities = mul(probabilities, weight);
    const perExample = neg(sum(mul(logProbabilities, probabilities), -1));
    return reduceExamples(perExample, input, options.reduction, 'crossEntropy');
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkIndexTarget('crossEntropy', input, target, ignoreIndex);
  const flatTarget = reshape(target, [-1]);
  const kept = notEqual(flatTarget, ignoreIndex);
  const safeTarget = where(kept, flatTarget, 0); // gather needs a valid index even for ignored rows
  const picked = reshape(takeAlongAxis(logProbabilities, unsqueeze(safeTarget, 1), 1), [-1]);
  const targetWeight = weight ? where(kept, indexSelect(weight, 0, safeTarget), 0) : undefined; // w_{y_n}, 0 if ignored
  let perExample = targetWeight ? mul(neg(picked), targetWeight) : neg(picked);
  if (smoothing > 0) {
    // (1/C)·Σ_c −w_c·log p_c (w = 1 without weights)
    const uniformTerm = neg(mean(weight ? mul(logProbabilities, weight) : logProbabilities, -1));
    perExample = add(mul(perExample, 1 - smoothing), mul(uniformTerm, smoothing));
  }
  return reduceKept(
    where(kept, perExample, 0),
    targetWeight ?? cast(kept, input.dtype),
    target,
    options.reduction,
    'crossEntropy',
  );
}

function checkClassWeight(caller: string, input: Tensor, weight: Tensor): void {
  const classes = input.shape[1]!;
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new Error(
      `${caller}: 'weight' has shape ${formatShape(weight.shape)}, expected [${classes}] (one per class) for 'input' of shape ${formatShape(input.shape)}`,
    );
  }
}

function checkIndexTarget(caller: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  if (target.dtype !== 'int32')
    throw new Error(`${caller}: 'target' must be int32 class indices or float probabilities, got ${target.dtype}`);
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (target.ndim !== expected.length || target.shape.some((size, axis) => size !== expected[axis])) {
    throw new Error(
      `${caller}: 'target' has shape ${formatShape(target.shape)}, expected ${formatShape(expected)} for 'input' of shape ${formatShape(input.shape)}`,
    );
  }
  const classes = input.shape[1]!;
  // Out-of-range indices would silently gather garbage; check them eagerly, where the backend can
  // read values synchronously. On the others (webgpu) the gather itself gives NaN for an index
  // out of range, so the loss is NaN rather than silently wrong.
  if (!target.backend.supportsSyncRead) return;
  for (const value of target.dataSync()) {
    if ((value < 0 || value >= classes) && value !== ignoreIndex) {
      throw new Error(
        `${caller}: 'target' contains class ${value}, outside [0, ${classes}) for 'input' of shape ${formatShape(input.shape)}`,
      );
    }
  }
}

function reduceExamples(perExample: Tensor, input: Tensor, reduction: Reduction | undefined, caller: string): Tensor {
  if (reduction === 'none') return reshape(perExample, [input.shape[0]!, ...input.shape.slice(2)]);
  return reduce(perExample, reduction, caller);
}

/** Reduces per-example losses (0 where ignored); `'mean'` divides by `Σ keptWeight` (the kept count, or Σ w_{y_n}). */
function reduceKept(
  perExample: Tensor,
  keptWeight: Tensor,
  target: Tensor,
  reduction: Reduction | undefined,
  caller: string,
): Tensor {
  switch (reduction ?? 'mean') {
    case 'none':
      return reshape(perExample, [...target.shape]);
    case 'sum':
      return sum(perExample);
    case 'mean':
      // PyTorch divides by the number (or total class weight) of kept examples (NaN when none is kept).
      return div(sum(perExample), sum(keptWeight));
    default:
      throw new Error(`${caller}: 'reduction' must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  reduction?: Reduction;
  /** Target class whose examples are skipped; default −100. */
  ignoreIndex?: number;
  /** Per-class weights `w` `[C]`: `ℓ_n = −w_{y_n}·input[n, y_n]`, `'mean'` divides by `Σ w_{y_n}` over kept examples. */
  weight?: Tensor;
}

/**
 * Negative log-likelihood of class indices under log-probabilities,
 * `ℓ_n = −input[n, target_n]`. `crossEntropy(x, y)` equals `nllLoss(logSoftmax(x, 1), y)`.
 *
 * @example
 * nllLoss(tensor([[-1, -2]]), tensor([1], { dtype: 'int32' })).item(); // 2
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  checkLossArguments('nllLoss', input, target, options, ['reduction', 'ignoreIndex', 'weight']);
  if (input.ndim === 1) return nllLoss(unsqueeze(input, 0), unsqueeze(target, 0), options);
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkIndexTarget('nllLoss', input, target, ignoreIndex);
  if (options.weight) checkClassWeight('nllLoss', input, options.weight);
  const flatTarget = reshape(target, [-1]);
  const kept = notEqual(flatTarget, ignoreIndex);
  const safeTarget = where(kept, flatTarget, 0);
  const picked = reshape(takeAlongAxis(classesLast(input), unsqueeze(safeTarget, 1), 1), [-1]);
  const targetWeight = options.weight ? where(kept, indexSelect(options.weight, 0, safeTarget), 0) : undefined;
  const perExample = targetWeight ? mul(neg(picked), targetWeight) : neg(picked);
  return reduceKept(
    where(kept, perExample, 0),
    targetWeight ?? cast(kept, input.dtype),
    target,
    options.reduction,
    'nllLoss',
  );
}

/** Options of the binary losses. */
export interface BinaryLossOptions {
  reduction?: Reduction;
  /** Per-element weight, broadcast against the input. */
  weight?: Tensor;
}

/**
 * Binary cross-entropy of probabilities `p` against targets `y ∈ [0, 1]`,
 * `ℓ = −(y·log p + (1−y)·log(1−p))`, with each log clamped at −100 as PyTorch does so that
 * `p ∈ {0, 1}` gives a finite loss. Prefer {@link bceWithLogits}, which is stable.
 *
 * @example
 * binaryCrossEntropy(tensor([0.5]), tensor([1])).item(); // ln 2
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryLossOptions = {}): Tensor {
  checkLossArguments('binaryCrossEntropy', input, target, options, ['reduction', 'weight']);
  checkSameShape('binaryCrossEntropy', input, target);
  checkUnitInterval('binaryCrossEntropy', 'input', input);
  checkUnitInterval('binaryCrossEntropy', 'target', target);
  const logP = clip(log(input), -100);
  const logOneMinusP = clip(log(sub(1, input)), -100);
  let losses = neg(add(mul(target, logP), mul(sub(1, target), logOneMinusP)));
  if (options.weight) losses = mul(losses, options.weight);
  return reduce(losses, options.reduction, 'binaryCrossEntropy');
}

/**
 * Binary cross-entropy on logits `x`, `ℓ = −(w_p·y·log σ(x) + (1−y)·log(1−σ(x)))`, computed
 * stably as `(1−y)·x + (1 + (w_p−1)·y)·(log(1 + e^(−|x|)) + max(−x, 0))`. `posWeight`
 * (`w_p`, broadcast over the last axis) trades recall for precision.
 *
 * @example
 * bceWithLogits(tensor([0]), tensor([1])).item(); // ln 2
 */
export function bceWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryLossOptions & { posWeight?: Tensor } = {},
): Tensor {
  checkLossArguments('bceWithLogits', input, target, options, ['reduction', 'weight', 'posWeight']);
  checkSameShape('bceWithLogits', input, target);
  const softplusTerm = add(log1p(exp(neg(abs(input)))), relu(neg(input)));
  const logWeight = options.posWeight ? add(mul(sub(options.posWeight, 1), target), 1) : undefined;
  const weighted = logWeight ? mul(logWeight, softplusTerm) : softplusTerm;
  let losses = add(mul(sub(1, target), input), weighted);
  if (options.weight) losses = mul(losses, options.weight);
  return reduce(losses, options.reduction, 'bceWithLogits');
}

/** Options of {@link klDiv}. */
export interface KlDivOptions {
  /** `'batchmean'` divides the sum by the batch size (the mathematically correct KL); default `'mean'` as PyTorch. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence `KL(target ‖ model)` with `input` the model's
 * log-probabilities: `ℓ = y·(log y − x)` (0 where `y = 0`), or `e^y·(y − x)` with
 * `logTarget`.
 *
 * @example
 * klDiv(logSoftmax(tensor([[0, 0]])), tensor([[0.5, 0.5]]), { reduction: 'batchmean' }).item(); // 0
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  checkLossArguments('klDiv', input, target, options, ['reduction', 'logTarget']);
  checkSameShape('klDiv', input, target);
  let losses: Tensor;
  if (options.logTarget) losses = mul(exp(target), sub(target, input));
  else {
    const positive = notEqual(target, 0);
    // xlogy convention: 0·log 0 = 0; the inner where keeps log's argument positive.
    const safeLog = log(where(positive, target, 1));
    losses = where(positive, mul(target, sub(safeLog, input)), 0);
  }
  if (options.reduction === 'batchmean') {
    const batch = input.ndim > 0 ? input.shape[0]! : 1;
    return div(sum(losses), batch);
  }
  return reduce(losses, options.reduction, 'klDiv');
}
