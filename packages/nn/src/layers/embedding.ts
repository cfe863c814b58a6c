/**
 * `Embedding`: a lookup table from integer ids to learned vectors.
 *
 * Source: `packages/nn/src/layers/embedding.ts`.
 */
import { stopGradient } from '@vane/autodiff';
import {
  checkOptionKeys,
  formatShape,
  indexSelect,
  randn,
  reshape,
  tensor,
  where,
  type DType,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { Module, parameter, type ParameterTree } from '../module.js';
import { checkParameterDType, checkPositiveInteger } from '../validation.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /**
   * The padding id, in `[−numEmbeddings, numEmbeddings)` (negative counts from the end, as
   * PyTorch's `padding_idx`): its row is initialised to zeros and never receives a gradient.
   */
  paddingIdx?: number;
  generator?: RandomGenerator;
  dtype?: DType;
}

/**
 * Maps int32 ids of any shape `S` to vectors, `[...S] → [...S, embeddingDim]`: row `id` of
 * `weight` `[numEmbeddings, embeddingDim]`, initialised `N(0, 1)` as PyTorch. The gradient
 * of a row is the sum of the output gradients where its id occurs, except the `paddingIdx`
 * row, whose gradient is always zero (its output is the row as stored, zeros unless loaded).
 *
 * @example
 * new Embedding(100, 16).forward(tensor([[1, 2, 3]], { dtype: 'int32' })).shape; // [1, 3, 16]
 * new Embedding(100, 16, { paddingIdx: 0 }).forward(tensor([0], { dtype: 'int32' })); // zeros [1, 16]
 */
export class Embedding extends Module {
  protected override readonly tensorInputs: readonly string[] = ['ids'];
  /** The padding row, normalised to `[0, numEmbeddings)`; `undefined` without one. */
  readonly paddingIdx: number | undefined;
  /** `[numEmbeddings, 1]` true at the padding row. */
  private readonly paddingRow: Tensor | undefined;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    checkOptionKeys('Embedding', options, ['paddingIdx', 'generator', 'dtype']);
    checkPositiveInteger('Embedding', 'numEmbeddings', numEmbeddings);
    const dtype = checkParameterDType('Embedding', options.dtype);
    checkPositiveInteger('Embedding', 'embeddingDim', embeddingDim);
    const { paddingIdx } = options;
    if (
      paddingIdx !== undefined &&
      !(Number.isInteger(paddingIdx) && paddingIdx >= -numEmbeddings && paddingIdx < numEmbeddings)
    ) {
      throw new Error(
        `Embedding: 'paddingIdx' must be an integer in [${-numEmbeddings}, ${numEmbeddings}) for numEmbeddings ${numEmbeddings}, got ${paddingIdx}`,
      );
    }
    this.paddingIdx = paddingIdx === undefined ? undefined : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    let weight = randn([numEmbeddings, embeddingDim], { generator: options.generator, dtype });
    if (this.paddingIdx !== undefined) {
      const row = this.paddingIdx;
      this.paddingRow = tensor(Array.from({ length: numEmbeddings }, (_, index) => [index === row]));
      weight = where(this.paddingRow, 0, weight);
    }
    this.registerParameter('weight', weight);
  }

  apply(params: ParameterTree, ids: Tensor): Tensor {
    if (ids.dtype !== 'int32')
      throw new Error(`Embedding.apply: 'ids' must be int32, got ${ids.dtype} of shape ${formatShape(ids.shape)}`);
    const flat = reshape(ids, [-1]);
    for (const id of flat.dataSync()) {
      if (id < 0 || id >= this.numEmbeddings)
        throw new Error(`Embedding.apply: 'ids' contains ${id}, outside [0, ${this.numEmbeddings})`);
    }
    let weight = parameter(params, 'weight', 'Embedding');
    // The padding row reads the stored values but is cut from the gradient graph, as in PyTorch.
    if (this.paddingRow) weight = where(this.paddingRow, stopGradient(weight), weight);
    const rows = indexSelect(weight, 0, flat);
    return reshape(rows, [...ids.shape, this.embeddingDim]);
  }
}
