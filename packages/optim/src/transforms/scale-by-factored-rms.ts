import {
  div,
  fusedMap,
  mul,
  sum,
  tidy,
  unsqueeze,
  zeros,
  zerosLike,
  defineKernel,
  expression as e,
  type Tensor,
} from '@vane/tensor';
import { MOVING_AVERAGE } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors } from '../tree-utilities.js';
import { checkBoolean, checkNonNegative, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByFactoredRms}. */
export interface ScaleByFactoredRmsOptions {
  /** c in the decay schedule β̂₂ₜ = 1 − t^(−c) (default 0.8). */
  decayRate?: number;
  /** ε₁ > 0 added to the squared gradient (default 1e-30). */
  eps?: number;
  /** Factor the second moment of tensors of rank ≥ 2 over their last two axes (default true). */
  factored?: boolean;
}

/**
 * State of {@link scaleByFactoredRms}. Every tree is shaped like the params; a leaf holds a
 * 0-d placeholder where it does not apply (row and column factors of vectors, the full
 * second moment of factored matrices).
 */
export interface ScaleByFactoredRmsState {
  count: number;
  /** R: row sums of the moving average of g² + ε₁ (shape [..., n] for a [..., n, m] leaf). */
  rowFactor: TensorTree;
  /** C: column sums of the same (shape [..., m]). */
  columnFactor: TensorTree;
  /** V: the full moving average of g² + ε₁, for leaves that are not factored. */
  secondMoment: TensorTree;
}

const SQUARE_PLUS = defineKernel('optim.factoredRms.squarePlus', { inputs: ['g'], scalars: ['eps'] }, ({ g, eps }) =>
  e.add(e.mul(g, g), eps),
);

const SQUARE_AVERAGE = defineKernel(
  'optim.factoredRms.squareAverage',
  { inputs: ['v', 'g'], scalars: ['decay', 'eps'] },
  ({ v, g, decay, eps }) => e.add(e.mul(decay, v), e.mul(e.sub(1, decay), e.add(e.mul(g, g), eps))),
);

const DIVIDE_BY_ROOT = defineKernel('optim.factoredRms.divideByRoot', { inputs: ['g', 'v'] }, ({ g, v }) =>
  e.div(g, e.sqrt(v)),
);

/**
 * Adafactor's second-moment rescaling, with the second moment of a matrix stored as a row
 * and a column factor (O(n + m) memory instead of O(nm)).
 *
 * Update (t from 1; Algorithms 4 and 5 of the paper): β̂₂ₜ = 1 − t^(−c);
 * for a leaf of rank ≥ 2 (factored over its last two axes):
 * R_t = β̂₂ₜR_{t−1} + (1 − β̂₂ₜ)(g² + ε₁)1_m, C_t = β̂₂ₜC_{t−1} + (1 − β̂₂ₜ)1_nᵀ(g² + ε₁),
 * V̂_t = R_tC_t / (1_nᵀR_t); otherwise V̂_t = β̂₂ₜV̂_{t−1} + (1 − β̂₂ₜ)(g² + ε₁);
 * out = g / √V̂_t. (Update clipping, relative step sizes and the parameter scale are the
 * separate transforms {@link clipByBlockRms} and {@link scaleByParameterScale}.)
 *
 * @param options - `decayRate` c (0.8), `eps` ε₁ (1e-30), `factored` (true).
 * @example
 * const tx = chain(scaleByFactoredRms(), clipByBlockRms(1), scaleByLearningRate(1e-2));
 * @see Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost" (ICML 2018).
 */
export function scaleByFactoredRms(
  options: ScaleByFactoredRmsOptions = {},
): GradientTransformation<ScaleByFactoredRmsState> {
  const owner = 'scaleByFactoredRms';
  checkOptionKeys(owner, options, ['decayRate', 'eps', 'factored']);
  const decayRate = checkNonNegative(owner, 'decayRate', options.decayRate ?? 0.8);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-30);
  const factored = checkBoolean(owner, 'factored', options.factored ?? true);
  const isFactored = (leaf: Tensor) => factored && leaf.ndim >= 2;
  const placeholder = (leaf: Tensor) => zeros([], { dtype: leaf.dtype, backend: leaf.backend.name });
  return {
    init: (params) => ({
      count: 0,
      rowFactor: mapTensors(
        (p: Tensor) =>
          isFactored(p) ? zeros(p.shape.slice(0, -1), { dtype: p.dtype, backend: p.backend.name }) : placeholder(p),
        params,
      ) as TensorTree,
      columnFactor: mapTensors(
        (p: Tensor) =>
          isFactored(p)
            ? zeros([...p.shape.slice(0, -2), p.shape[p.ndim - 1]!], { dtype: p.dtype, backend: p.backend.name })
            : placeholder(p),
        params,
      ) as TensorTree,
      secondMoment: mapTensors((p: Tensor) => (isFactored(p) ? placeholder(p) : zerosLike(p)), params) as TensorTree,
    }),
    update: (updates, state) => {
      checkStructure('scaleByFactoredRms.update', state.secondMoment, updates, ['state.secondMoment', 'updates']);
      const count = state.count + 1;
      const decay = 1 - count ** -decayRate;
      return tidy(() => {
        const rows: Tensor[] = [];
        const columns: Tensor[] = [];
        const moments: Tensor[] = [];
        const out = mapTensors(
          (g: Tensor, row: Tensor, column: Tensor, moment: Tensor) => {
            if (!isFactored(g)) {
              const nextMoment = fusedMap(SQUARE_AVERAGE, [moment, g], [decay, eps]);
              rows.push(row);
              columns.push(column);
              moments.push(nextMoment);
              return fusedMap(DIVIDE_BY_ROOT, [g, nextMoment]);
            }
            const squared = fusedMap(SQUARE_PLUS, [g], [eps]);
            const nextRow = fusedMap(MOVING_AVERAGE, [row, sum(squared, -1)], [decay]);
            const nextColumn = fusedMap(MOVING_AVERAGE, [column, sum(squared, -2)], [decay]);
            const rowShare = div(nextRow, sum(nextRow, -1, true));
            const estimate = mul(unsqueeze(rowShare, -1), unsqueeze(nextColumn, -2));
            rows.push(nextRow);
            columns.push(nextColumn);
            moments.push(moment);
            return fusedMap(DIVIDE_BY_ROOT, [g, estimate]);
          },
          updates,
          state.rowFactor,
          state.columnFactor,
          state.secondMoment,
        ) as TensorTree;
        const rebuild = (values: Tensor[]) => {
          let index = 0;
          return mapTensors(() => values[index++]!, updates) as TensorTree;
        };
        const next: ScaleByFactoredRmsState = {
          count,
          rowFactor: rebuild(rows),
          columnFactor: rebuild(columns),
          secondMoment: rebuild(moments),
        };
        return [out, next] as [TensorTree, ScaleByFactoredRmsState];
      });
    },
  };
}
