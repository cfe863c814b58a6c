/**
 * Normalisation layers: `BatchNorm1d`, `BatchNorm2d`, `LayerNorm`, `RMSNorm`, `GroupNorm`.
 *
 * Source: `packages/nn/src/layers/normalization.ts`.
 */
import {
  add,
  checkOptionKeys,
  formatShape,
  mean,
  mul,
  ones,
  reshape,
  rsqrt,
  square,
  sub,
  withoutRecording,
  zeros,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { Module, parameter, type ParameterTree } from '../module.js';
import { checkParameterDType, checkPositiveInteger, checkPositiveNumber } from '../validation.js';

/** `(x − mean) / √(var + eps)` over `axes` with the biased variance, as every norm layer uses. */
function standardize(
  input: Tensor,
  axes: number[],
  eps: number,
): { normalized: Tensor; mean: Tensor; variance: Tensor } {
  const average = mean(input, axes, true);
  const centered = sub(input, average);
  const variance = mean(square(centered), axes, true);
  return { normalized: mul(centered, rsqrt(add(variance, eps))), mean: average, variance };
}

/** Options of the batch-normalisation layers. */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1, PyTorch's convention). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation mode (default true). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/** Shared implementation; `rank` is the input rank for which channels sit on axis 1. */
abstract class BatchNorm extends Module {
  private readonly eps: number;
  private readonly momentum: number;

  constructor(
    readonly numFeatures: number,
    private readonly options: BatchNormOptions,
  ) {
    super();
    checkOptionKeys(this.name, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    checkPositiveInteger(this.name, 'numFeatures', numFeatures);
    this.eps = checkPositiveNumber(this.name, 'eps', options.eps ?? 1e-5);
    this.momentum = options.momentum ?? 0.1;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1))
      throw new Error(`${this.name}: 'momentum' must be a number in [0, 1], got ${String(this.momentum)}`);
    const dtype = checkParameterDType(this.name, options.dtype);
    if (options.affine ?? true) {
      this.registerParameter('weight', ones([numFeatures], { dtype }));
      this.registerParameter('bias', zeros([numFeatures], { dtype }));
    }
    if (options.trackRunningStats ?? true) {
      this.registerBuffer('runningMean', zeros([numFeatures], { dtype }));
      this.registerBuffer('runningVar', ones([numFeatures], { dtype }));
    }
  }

  protected abstract checkRank(input: Tensor): void;

  apply(params: ParameterTree, input: Tensor): Tensor {
    this.checkRank(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new Error(
        `${this.name}.apply: 'input' has shape ${formatShape(input.shape)}, expected ${this.numFeatures} channels on axis 1`,
      );
    }
    const axes = [0, ...Array.from({ length: input.ndim - 2 }, (_, index) => index + 2)];
    const broadcast = [1, this.numFeatures, ...new Array<number>(input.ndim - 2).fill(1)];
    const tracking = this.options.trackRunningStats ?? true;
    let normalized: Tensor;
    if (this.training || !tracking) {
      const count = input.size / this.numFeatures;
      if (this.training && count <= 1)
        throw new Error(
          `${this.name}.apply: expected more than 1 value per channel in training mode, got 'input' of shape ${formatShape(input.shape)}`,
        );
      const statistics = standardize(input, axes, this.eps);
      normalized = statistics.normalized;
      if (this.training && tracking) {
        // Running averages are state, not part of the differentiated computation.
        withoutRecording(() => {
          const m = this.momentum;
          const unbiased = mul(reshape(statistics.variance, [this.numFeatures]), count / (count - 1));
          this.setBuffer(
            'runningMean',
            add(mul(this.buffer('runningMean'), 1 - m), mul(reshape(statistics.mean, [this.numFeatures]), m)),
          );
          this.setBuffer('runningVar', add(mul(this.buffer('runningVar'), 1 - m), mul(unbiased, m)));
        });
      }
    } else {
      const runningMean = reshape(this.buffer('runningMean'), broadcast);
      const runningVar = reshape(this.buffer('runningVar'), broadcast);
      normalized = mul(sub(input, runningMean), rsqrt(add(runningVar, this.eps)));
    }
    if (!(this.options.affine ?? true)) return normalized;
    return add(
      mul(normalized, reshape(parameter(params, 'weight', this.name), broadcast)),
      reshape(parameter(params, 'bias', this.name), broadcast),
    );
  }
}

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) over `[N, C]` or `[N, C, L]`:
 * `y = γ·(x − μ_B)/√(σ²_B + ε) + β` per channel, with batch statistics in training (biased
 * variance) and running statistics in evaluation. Running averages use the unbiased batch
 * variance and `r ← (1 − momentum)·r + momentum·batch`, as PyTorch.
 *
 * @example
 * new BatchNorm1d(16).forward(randn([32, 16])).shape; // [32, 16]
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  protected checkRank(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new Error(`BatchNorm1d.apply: 'input' has shape ${formatShape(input.shape)}, expected [N, C] or [N, C, L]`);
  }
}

/**
 * Batch normalisation over `[N, C, H, W]`, statistics per channel over N, H and W.
 *
 * @example
 * new BatchNorm2d(8).forward(randn([4, 8, 5, 5])).shape; // [4, 8, 5, 5]
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  protected checkRank(input: Tensor): void {
    if (input.ndim !== 4)
      throw new Error(`BatchNorm2d.apply: 'input' has shape ${formatShape(input.shape)}, expected [N, C, H, W]`);
  }
}

/**
 * Layer normalisation (Ba et al., 2016) over the trailing `normalizedShape` axes:
 * `y = γ·(x − μ)/√(σ² + ε) + β`, biased variance, default ε = 1e-5.
 *
 * @example
 * new LayerNorm(64).forward(randn([2, 10, 64])).shape; // [2, 10, 64]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];

  constructor(
    normalizedShape: number | readonly number[],
    readonly options: { eps?: number; elementwiseAffine?: boolean; dtype?: DType } = {},
  ) {
    super();
    checkOptionKeys('LayerNorm', options, ['eps', 'elementwiseAffine', 'dtype']);
    checkPositiveNumber('LayerNorm', 'eps', options.eps ?? 1e-5);
    checkParameterDType('LayerNorm', options.dtype);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((size) => checkPositiveInteger('LayerNorm', 'normalizedShape', size));
    if (options.elementwiseAffine ?? true) {
      this.registerParameter('weight', ones(this.normalizedShape, { dtype: options.dtype }));
      this.registerParameter('bias', zeros(this.normalizedShape, { dtype: options.dtype }));
    }
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    const rank = this.normalizedShape.length;
    const trailing = input.shape.slice(input.ndim - rank);
    if (input.ndim < rank || trailing.some((size, axis) => size !== this.normalizedShape[axis])) {
      throw new Error(
        `LayerNorm.apply: 'input' has shape ${formatShape(input.shape)}, expected [..., ${this.normalizedShape.join(', ')}]`,
      );
    }
    const axes = Array.from({ length: rank }, (_, index) => input.ndim - rank + index);
    const { normalized } = standardize(input, axes, this.options.eps ?? 1e-5);
    if (!(this.options.elementwiseAffine ?? true)) return normalized;
    return add(mul(normalized, parameter(params, 'weight', 'LayerNorm')), parameter(params, 'bias', 'LayerNorm'));
  }
}

/**
 * Root-mean-square normalisation (Zhang and Sennrich, 2019) over the last axis:
 * `y = γ · x / √(mean(x²) + ε)`, no centring and no bias. Default ε = 1e-6.
 *
 * @example
 * new RMSNorm(64).forward(randn([2, 64])).shape; // [2, 64]
 */
export class RMSNorm extends Module {
  constructor(
    readonly size: number,
    readonly options: { eps?: number; dtype?: DType } = {},
  ) {
    super();
    checkOptionKeys('RMSNorm', options, ['eps', 'dtype']);
    checkPositiveNumber('RMSNorm', 'eps', options.eps ?? 1e-6);
    checkParameterDType('RMSNorm', options.dtype);
    checkPositiveInteger('RMSNorm', 'size', size);
    this.registerParameter('weight', ones([size], { dtype: options.dtype }));
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    if (input.shape[input.ndim - 1] !== this.size)
      throw new Error(`RMSNorm.apply: 'input' has shape ${formatShape(input.shape)}, expected [..., ${this.size}]`);
    const scale = rsqrt(add(mean(square(input), -1, true), this.options.eps ?? 1e-6));
    return mul(mul(input, scale), parameter(params, 'weight', 'RMSNorm'));
  }
}

/**
 * Group normalisation (Wu and He, 2018): channels split into `groups`, each normalised over
 * its channels and all spatial positions, then a per-channel scale and shift. ε = 1e-5.
 *
 * @example
 * new GroupNorm(4, 16).forward(randn([2, 16, 8, 8])).shape; // [2, 16, 8, 8]
 */
export class GroupNorm extends Module {
  constructor(
    readonly groups: number,
    readonly channels: number,
    readonly options: { eps?: number; affine?: boolean; dtype?: DType } = {},
  ) {
    super();
    checkOptionKeys('GroupNorm', options, ['eps', 'affine', 'dtype']);
    checkPositiveNumber('GroupNorm', 'eps', options.eps ?? 1e-5);
    checkParameterDType('GroupNorm', options.dtype);
    checkPositiveInteger('GroupNorm', 'groups', groups);
    if (channels % groups !== 0) throw new Error(`GroupNorm: 'groups' ${groups} must divide 'channels' ${channels}`);
    if (options.affine ?? true) {
      this.registerParameter('weight', ones([channels], { dtype: options.dtype }));
      this.registerParameter('bias', zeros([channels], { dtype: options.dtype }));
    }
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[1] !== this.channels)
      throw new Error(
        `GroupNorm.apply: 'input' has shape ${formatShape(input.shape)}, expected [N, ${this.channels}, ...]`,
      );
    const grouped = reshape(input, [input.shape[0]!, this.groups, -1]);
    const { normalized } = standardize(grouped, [2], this.options.eps ?? 1e-5);
    const restored = reshape(normalized, [...input.shape]);
    if (!(this.options.affine ?? true)) return restored;
    const broadcast = [1, this.channels, ...new Array<number>(input.ndim - 2).fill(1)];
    return add(
      mul(restored, reshape(parameter(params, 'weight', 'GroupNorm'), broadcast)),
      reshape(parameter(params, 'bias', 'GroupNorm'), broadcast),
    );
  }
}
