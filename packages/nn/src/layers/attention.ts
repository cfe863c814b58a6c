/**
 * `MultiHeadAttention` (Vaswani et al., 2017) with causal, padding and explicit masks.
 *
 * Source: `packages/nn/src/layers/attention.ts`.
 */
import {
  add,
  checkOptionKeys,
  formatShape,
  matmul,
  ones,
  permute,
  reshape,
  softmax,
  triu,
  where,
  type DType,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { xavierUniform, zeros } from '../initializers/initializers.js';
import { Module, subtree, type ParameterTree } from '../module.js';
import { dropout } from './dropout.js';
import { Linear } from './linear.js';
import { checkParameterDType, checkPositiveInteger, checkTensorArgument } from '../validation.js';

/** Masks for {@link MultiHeadAttention}. */
export interface AttentionMasks {
  /** Query position i may only attend to key positions j ≤ i (needs equal lengths). */
  causal?: boolean;
  /** bool `[batch, keyLength]`: true marks padding keys that no query may attend to (PyTorch's `key_padding_mask`). */
  keyPaddingMask?: Tensor;
  /** `[queryLength, keyLength]` (or broadcastable to `[batch, heads, q, k]`): bool true = masked, or float added to the scores. */
  attentionMask?: Tensor;
}

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases on the four projections (default true). */
  bias?: boolean;
  generator?: RandomGenerator;
  dtype?: DType;
}

/**
 * Multi-head scaled dot-product attention over `[batch, length, embedDim]` inputs:
 * `head_h = softmax(Q_h K_hᵀ / √d + M) V_h` with `Q = query·W_qᵀ + b_q` (and K, V alike)
 * split into `numHeads` heads of size `d = embedDim / numHeads`; the heads are concatenated
 * and projected by `output`. Masked scores are −∞ before the softmax.
 *
 * Parameters: `query`, `key`, `value`, `output` (each a Linear `embedDim → embedDim`).
 * Initialisation as PyTorch's `nn.MultiheadAttention`: the stacked q/k/v weight `[3E, E]`
 * Xavier-uniform, projection biases zero, the output weight as a Linear's.
 *
 * @example
 * const attention = new MultiHeadAttention(32, 4);
 * attention.forward(x, x, x, { causal: true }).shape; // same as x: [batch, length, 32]
 */
export class MultiHeadAttention extends Module<[Tensor, Tensor?, Tensor?, AttentionMasks?]> {
  protected override readonly tensorInputs: readonly string[] = ['query', 'key', 'value'];
  readonly headDim: number;
  private readonly dropoutRate: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    checkOptionKeys('MultiHeadAttention', options, ['dropout', 'bias', 'generator', 'dtype']);
    checkParameterDType('MultiHeadAttention', options.dtype);
    checkPositiveInteger('MultiHeadAttention', 'embedDim', embedDim);
    checkPositiveInteger('MultiHeadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0)
      throw new Error(`MultiHeadAttention: 'numHeads' ${numHeads} must divide 'embedDim' ${embedDim}`);
    this.headDim = embedDim / numHeads;
    this.dropoutRate = options.dropout ?? 0;
    if (typeof this.dropoutRate !== 'number' || !(this.dropoutRate >= 0 && this.dropoutRate <= 1))
      throw new Error(`MultiHeadAttention: 'dropout' must be a number in [0, 1], got ${String(this.dropoutRate)}`);
    const bias = options.bias ?? true;
    for (const name of ['query', 'key', 'value'] as const) {
      const projection = this.registerModule(
        name,
        new Linear(embedDim, embedDim, { bias, generator: options.generator, dtype: options.dtype }),
      );
      // Xavier-uniform on the stacked [3E, E] matrix: bound √(6/(E + 3E)) = √(6/(2E))·√(1/2).
      const weight = xavierUniform([embedDim, embedDim], {
        gain: Math.SQRT1_2,
        generator: options.generator,
        dtype: options.dtype,
      });
      projection.loadParameters(bias ? { weight, bias: zeros([embedDim], { dtype: options.dtype }) } : { weight });
    }
    const output = this.registerModule(
      'output',
      new Linear(embedDim, embedDim, { bias, generator: options.generator, dtype: options.dtype }),
    );
    if (bias)
      output.loadParameters({
        weight: output.parameters().weight as Tensor,
        bias: zeros([embedDim], { dtype: options.dtype }),
      });
  }

  apply(
    params: ParameterTree,
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    masks: AttentionMasks = {},
  ): Tensor {
    // The masks are an options object: a misspelt `casual: true` must not silently attend to the future.
    checkOptionKeys('MultiHeadAttention.apply', masks, ['causal', 'keyPaddingMask', 'attentionMask']);
    if (masks.keyPaddingMask !== undefined)
      checkTensorArgument('MultiHeadAttention.apply', 'keyPaddingMask', masks.keyPaddingMask);
    if (masks.attentionMask !== undefined)
      checkTensorArgument('MultiHeadAttention.apply', 'attentionMask', masks.attentionMask);
    for (const [name, input] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (input.ndim !== 3 || input.shape[2] !== this.embedDim) {
        throw new Error(
          `MultiHeadAttention.apply: '${name}' has shape ${formatShape(input.shape)}, expected [batch, length, ${this.embedDim}]`,
        );
      }
    }
    const [batch, queryLength] = query.shape as [number, number];
    const keyLength = key.shape[1]!;
    if (key.shape[0] !== batch || value.shape[0] !== batch || value.shape[1] !== keyLength) {
      throw new Error(
        `MultiHeadAttention.apply: 'key' ${formatShape(key.shape)} and 'value' ${formatShape(value.shape)} must share batch and length, with batch ${batch} as 'query'`,
      );
    }
    const heads = (x: Tensor, name: 'query' | 'key' | 'value', length: number): Tensor =>
      permute(
        reshape(this.namedChildModule(name).apply(subtree(params, name), x), [
          batch,
          length,
          this.numHeads,
          this.headDim,
        ]),
        [0, 2, 1, 3],
      );
    const q = heads(query, 'query', queryLength);
    const k = heads(key, 'key', keyLength);
    const v = heads(value, 'value', keyLength);
    let scores = matmul(q, permute(k, [0, 1, 3, 2])).mul(1 / Math.sqrt(this.headDim)); // [B, H, Lq, Lk]
    if (masks.attentionMask) {
      const mask = masks.attentionMask;
      scores = mask.dtype === 'bool' ? where(mask, Number.NEGATIVE_INFINITY, scores) : add(scores, mask);
    }
    if (masks.causal) {
      if (queryLength !== keyLength)
        throw new Error(
          `MultiHeadAttention.apply: a causal mask needs equal query and key lengths, got ${queryLength} and ${keyLength}`,
        );
      const future = triu(ones([queryLength, keyLength], { dtype: 'bool' }), 1);
      scores = where(future, Number.NEGATIVE_INFINITY, scores);
    }
    if (masks.keyPaddingMask) {
      const padding = masks.keyPaddingMask;
      if (
        padding.dtype !== 'bool' ||
        padding.ndim !== 2 ||
        padding.shape[0] !== batch ||
        padding.shape[1] !== keyLength
      ) {
        throw new Error(
          `MultiHeadAttention.apply: 'keyPaddingMask' has shape ${formatShape(padding.shape)} ${padding.dtype}, expected bool [${batch}, ${keyLength}]`,
        );
      }
      scores = where(reshape(padding, [batch, 1, 1, keyLength]), Number.NEGATIVE_INFINITY, scores);
    }
    const weights = dropout(softmax(scores, -1), this.dropoutRate, this.training);
    const context = reshape(permute(matmul(weights, v), [0, 2, 1, 3]), [batch, queryLength, this.embedDim]);
    return this.namedChildModule('output').apply(subtree(params, 'output'), context);
  }

  private namedChildModule(name: string): Linear {
    return this.namedChildren().find(([childName]) => childName === name)![1] as Linear;
  }
}
