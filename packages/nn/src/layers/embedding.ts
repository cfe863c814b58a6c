/**
 * `Embedding`: a lookup table from integer ids to learned vectors.
 *
 * Source: `packages/nn/src/layers/embedding.ts`.
 */
import { formatShape, indexSelect, randn, reshape, type DType, type RandomGenerator, type Tensor } from '@vane/tensor';
import { Module, parameter, type ParameterTree } from '../module';
import { checkPositiveInteger } from './linear';

/**
 * Maps int32 ids of any shape `S` to vectors, `[...S] → [...S, embeddingDim]`: row `id` of
 * `weight` `[numEmbeddings, embeddingDim]`, initialised `N(0, 1)` as PyTorch. The gradient
 * of a row is the sum of the output gradients where its id occurs.
 *
 * @example
 * new Embedding(100, 16).forward(tensor([[1, 2, 3]], { dtype: 'int32' })).shape; // [1, 3, 16]
 */
export class Embedding extends Module {
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: { generator?: RandomGenerator; dtype?: DType } = {},
  ) {
    super();
    checkPositiveInteger('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInteger('Embedding', 'embeddingDim', embeddingDim);
    this.registerParameter('weight', randn([numEmbeddings, embeddingDim], options));
  }

  apply(params: ParameterTree, ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new Error(`Embedding.apply: 'ids' must be int32, got ${ids.dtype} of shape ${formatShape(ids.shape)}`);
    const flat = reshape(ids, [-1]);
    for (const id of flat.dataSync()) {
      if (id < 0 || id >= this.numEmbeddings) throw new Error(`Embedding.apply: 'ids' contains ${id}, outside [0, ${this.numEmbeddings})`);
    }
    const rows = indexSelect(parameter(params, 'weight', 'Embedding'), 0, flat);
    return reshape(rows, [...ids.shape, this.embeddingDim]);
  }
}
