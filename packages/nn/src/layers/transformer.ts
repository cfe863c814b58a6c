/**
 * Transformer blocks: `TransformerEncoderLayer` (PyTorch's layout) and `DecoderBlock`
 * (GPT-style: pre-norm, causal self-attention, GELU feed-forward).
 *
 * Source: `packages/nn/src/layers/transformer.ts`.
 */
import { add, checkOptionKeys, type DType, type RandomGenerator, type Tensor } from '@vane/tensor';
import { Module, subtree, type ParameterTree } from '../module.js';
import { GELU, ReLU } from './activations.js';
import { MultiHeadAttention, type AttentionMasks } from './attention.js';
import { Dropout, dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { Sequential } from './sequential.js';

/** Options of {@link TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /** Hidden size of the feed-forward network (default 2048, as PyTorch). */
  feedForwardDim?: number;
  /** Dropout on attention weights, the feed-forward hidden layer and both residual branches (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default `'relu'`). */
  activation?: 'relu' | 'gelu';
  /** Normalise before each sub-layer (pre-norm) instead of after (default false). */
  normFirst?: boolean;
  /** LayerNorm ε (default 1e-5). */
  layerNormEps?: number;
  generator?: RandomGenerator;
  dtype?: DType;
}

function feedForward(
  embedDim: number,
  hidden: number,
  activation: 'relu' | 'gelu',
  rate: number,
  generator?: RandomGenerator,
  dtype?: DType,
): Sequential {
  // Layer 1 has no parameters, so the linear layers are named `0` and `2` as in a plain MLP.
  return new Sequential(
    new Linear(embedDim, hidden, { generator, dtype }),
    new Sequential(activation === 'relu' ? new ReLU() : new GELU(), new Dropout(rate)),
    new Linear(hidden, embedDim, { generator, dtype }),
  );
}

/**
 * One Transformer encoder layer over `[batch, length, embedDim]` (Vaswani et al., 2017), as
 * `nn.TransformerEncoderLayer(batch_first=True)`:
 * post-norm `x ← LN₁(x + SA(x)); x ← LN₂(x + FF(x))`, or with `normFirst`
 * `x ← x + SA(LN₁(x)); x ← x + FF(LN₂(x))`, where FF is Linear → activation → Linear.
 * Children: `attention`, `norm1`, `norm2`, `feedForward` (`feedForward.0`, `feedForward.2`).
 *
 * @example
 * new TransformerEncoderLayer(64, 4, { feedForwardDim: 128 }).forward(x, { keyPaddingMask }).shape; // [batch, length, 64]
 */
export class TransformerEncoderLayer extends Module<[Tensor, AttentionMasks?]> {
  private readonly attention: MultiHeadAttention;
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly feedForward: Sequential;
  private readonly rate: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    readonly options: TransformerEncoderLayerOptions = {},
  ) {
    super();
    checkOptionKeys('TransformerEncoderLayer', options, [
      'feedForwardDim',
      'dropout',
      'activation',
      'normFirst',
      'layerNormEps',
      'generator',
      'dtype',
    ]);
    const activation = options.activation ?? 'relu';
    if (activation !== 'relu' && activation !== 'gelu')
      throw new Error(
        `TransformerEncoderLayer: 'activation' must be 'relu' or 'gelu', got ${JSON.stringify(activation)}`,
      );
    this.rate = options.dropout ?? 0.1;
    const { generator, dtype } = options;
    this.attention = this.registerModule(
      'attention',
      new MultiHeadAttention(embedDim, numHeads, { dropout: this.rate, generator, dtype }),
    );
    this.norm1 = this.registerModule('norm1', new LayerNorm(embedDim, { eps: options.layerNormEps, dtype }));
    this.norm2 = this.registerModule('norm2', new LayerNorm(embedDim, { eps: options.layerNormEps, dtype }));
    this.feedForward = this.registerModule(
      'feedForward',
      feedForward(embedDim, options.feedForwardDim ?? 2048, activation, this.rate, generator, dtype),
    );
  }

  apply(params: ParameterTree, input: Tensor, masks: AttentionMasks = {}): Tensor {
    const selfAttention = (x: Tensor): Tensor =>
      dropout(this.attention.apply(subtree(params, 'attention'), x, x, x, masks), this.rate, this.training);
    const feedForwardBranch = (x: Tensor): Tensor =>
      dropout(this.feedForward.apply(subtree(params, 'feedForward'), x), this.rate, this.training);
    const norm1 = (x: Tensor): Tensor => this.norm1.apply(subtree(params, 'norm1'), x);
    const norm2 = (x: Tensor): Tensor => this.norm2.apply(subtree(params, 'norm2'), x);
    if (this.options.normFirst) {
      const afterAttention = add(input, selfAttention(norm1(input)));
      return add(afterAttention, feedForwardBranch(norm2(afterAttention)));
    }
    const afterAttention = norm1(add(input, selfAttention(input)));
    return norm2(add(afterAttention, feedForwardBranch(afterAttention)));
  }
}

/** Options of {@link DecoderBlock}. */
export interface DecoderBlockOptions {
  /** Feed-forward hidden size (default 4·embedDim, as GPT-2). */
  feedForwardDim?: number;
  /** Dropout on attention weights and residual branches (default 0). */
  dropout?: number;
  generator?: RandomGenerator;
  dtype?: DType;
}

/**
 * A GPT-style decoder block (Radford et al., 2019) over `[batch, length, embedDim]`: pre-norm
 * residual sub-layers with causal self-attention and a GELU feed-forward network,
 * `x ← x + CausalSA(LN₁(x)); x ← x + FF(LN₂(x))`. Position i sees only positions ≤ i.
 * Children: `norm1`, `attention`, `norm2`, `feedForward`.
 *
 * @example
 * new DecoderBlock(64, 4).forward(x).shape; // [batch, length, 64]
 */
export class DecoderBlock extends Module<[Tensor, AttentionMasks?]> {
  private readonly attention: MultiHeadAttention;
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly feedForward: Sequential;
  private readonly rate: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: DecoderBlockOptions = {},
  ) {
    super();
    checkOptionKeys('DecoderBlock', options, ['feedForwardDim', 'dropout', 'generator', 'dtype']);
    this.rate = options.dropout ?? 0;
    const { generator, dtype } = options;
    this.norm1 = this.registerModule('norm1', new LayerNorm(embedDim, { dtype }));
    this.attention = this.registerModule(
      'attention',
      new MultiHeadAttention(embedDim, numHeads, { dropout: this.rate, generator, dtype }),
    );
    this.norm2 = this.registerModule('norm2', new LayerNorm(embedDim, { dtype }));
    this.feedForward = this.registerModule(
      'feedForward',
      feedForward(embedDim, options.feedForwardDim ?? 4 * embedDim, 'gelu', 0, generator, dtype),
    );
  }

  /** `masks.keyPaddingMask` may be added; the causal mask is always applied. */
  apply(params: ParameterTree, input: Tensor, masks: AttentionMasks = {}): Tensor {
    const normalized = this.norm1.apply(subtree(params, 'norm1'), input);
    const attended = this.attention.apply(subtree(params, 'attention'), normalized, normalized, normalized, {
      ...masks,
      causal: true,
    });
    const afterAttention = add(input, dropout(attended, this.rate, this.training));
    const hidden = this.feedForward.apply(
      subtree(params, 'feedForward'),
      this.norm2.apply(subtree(params, 'norm2'), afterAttention),
    );
    return add(afterAttention, dropout(hidden, this.rate, this.training));
  }
}
