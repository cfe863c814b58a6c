/**
 * Recurrent layers: `LSTM` (Hochreiter and Schmidhuber, 1997) and `GRU` (Cho et al., 2014),
 * batch-first, stacked, with PyTorch's gate layout so weights transfer.
 *
 * Source: `packages/nn/src/layers/recurrent.ts`.
 */
import { add, chunk, formatShape, matmul, mul, sigmoid, slice, stack, sub, tanh, zeros, type DType, type RandomGenerator, type Tensor } from '@vane/tensor';
import { uniform } from '../initializers/initializers';
import { Module, parameter, subtree, type ParameterTree } from '../module';
import { dropout } from './dropout';
import { checkPositiveInteger } from './linear';

/** Options of {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Dropout between stacked layers in training mode (default 0). */
  dropout?: number;
  generator?: RandomGenerator;
  dtype?: DType;
}

/** The final state of a recurrent layer: per layer, `[numLayers, batch, hiddenSize]`. */
export interface RecurrentState {
  hidden: Tensor;
  /** LSTM only. */
  cell?: Tensor;
}

/** One layer's weights: input-to-hidden `[gates·H, in]`, hidden-to-hidden `[gates·H, H]`, two biases. */
class RecurrentCell extends Module {
  constructor(inputSize: number, hiddenSize: number, gates: number, options: RecurrentOptions) {
    super();
    // PyTorch initialises every recurrent parameter U(−1/√H, 1/√H).
    const bound = 1 / Math.sqrt(hiddenSize);
    this.registerParameter('weightInputHidden', uniform([gates * hiddenSize, inputSize], bound, options));
    this.registerParameter('weightHiddenHidden', uniform([gates * hiddenSize, hiddenSize], bound, options));
    this.registerParameter('biasInputHidden', uniform([gates * hiddenSize], bound, options));
    this.registerParameter('biasHiddenHidden', uniform([gates * hiddenSize], bound, options));
  }

  apply(): Tensor {
    throw new Error('RecurrentCell.apply: cells are driven by their LSTM or GRU');
  }
}

abstract class Recurrent extends Module {
  readonly numLayers: number;
  private readonly dropoutRate: number;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    options: RecurrentOptions,
  ) {
    super();
    checkPositiveInteger(this.name, 'inputSize', inputSize);
    checkPositiveInteger(this.name, 'hiddenSize', hiddenSize);
    this.numLayers = options.numLayers ?? 1;
    checkPositiveInteger(this.name, 'numLayers', this.numLayers);
    this.dropoutRate = options.dropout ?? 0;
    for (let layer = 0; layer < this.numLayers; layer += 1) {
      this.registerModule(String(layer), new RecurrentCell(layer === 0 ? inputSize : hiddenSize, hiddenSize, gates, options));
    }
  }

  /** One time step of one layer: the new state from the input projection `projected` [B, gates·H]. */
  protected abstract step(projected: Tensor, hidden: Tensor, cell: Tensor | undefined, weights: ParameterTree): { hidden: Tensor; cell?: Tensor };

  protected abstract hasCell(): boolean;

  /** The output sequence `[batch, steps, hiddenSize]` (the top layer's hidden states). */
  apply(params: ParameterTree, input: Tensor): Tensor {
    return this.applyWithState(params, input).output;
  }

  /**
   * The output sequence and the final state, starting from `initial` (zeros by default).
   */
  applyWithState(params: ParameterTree, input: Tensor, initial?: RecurrentState): { output: Tensor; state: RecurrentState } {
    if (input.ndim !== 3 || input.shape[2] !== this.inputSize) {
      throw new Error(`${this.name}.apply: 'input' has shape ${formatShape(input.shape)}, expected [batch, steps, ${this.inputSize}]`);
    }
    const [batch, steps] = input.shape as [number, number];
    const finalHidden: Tensor[] = [];
    const finalCell: Tensor[] = [];
    let sequence = input;
    for (let layer = 0; layer < this.numLayers; layer += 1) {
      const weights = subtree(params, String(layer));
      const inputWeight = parameter(weights, 'weightInputHidden', this.name);
      // Project the whole sequence at once; only the hidden-to-hidden product is sequential.
      const projectedSequence = add(matmul(sequence, inputWeight.T), parameter(weights, 'biasInputHidden', this.name));
      let hidden = initial ? slice(initial.hidden, [layer]) : zeros([batch, this.hiddenSize], { dtype: input.dtype });
      let cell = this.hasCell() ? (initial?.cell ? slice(initial.cell, [layer]) : zeros([batch, this.hiddenSize], { dtype: input.dtype })) : undefined;
      const outputs: Tensor[] = [];
      for (let time = 0; time < steps; time += 1) {
        const next = this.step(slice(projectedSequence, [null, time]), hidden, cell, weights);
        hidden = next.hidden;
        cell = next.cell;
        outputs.push(hidden);
      }
      finalHidden.push(hidden);
      if (cell) finalCell.push(cell);
      sequence = stack(outputs, 1);
      if (layer < this.numLayers - 1) sequence = dropout(sequence, this.dropoutRate, this.training);
    }
    return { output: sequence, state: { hidden: stack(finalHidden, 0), ...(finalCell.length > 0 ? { cell: stack(finalCell, 0) } : {}) } };
  }

  protected hiddenProjection(hidden: Tensor, weights: ParameterTree): Tensor {
    return add(matmul(hidden, parameter(weights, 'weightHiddenHidden', this.name).T), parameter(weights, 'biasHiddenHidden', this.name));
  }
}

/**
 * Long short-term memory over `[batch, steps, inputSize]` → `[batch, steps, hiddenSize]`.
 * Per step, with gates in PyTorch's order i, f, g, o:
 * `[i, f, g, o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh`, `c ← σ(f)⊙c + σ(i)⊙tanh(g)`,
 * `h ← σ(o)⊙tanh(c)`. Parameters per layer `k`: `k.weightInputHidden` `[4H, in]`,
 * `k.weightHiddenHidden` `[4H, H]`, `k.biasInputHidden`, `k.biasHiddenHidden` `[4H]`
 * (PyTorch's `weight_ih_lk`, … in that order).
 *
 * @example
 * const lstm = new LSTM(8, 32, { numLayers: 2 });
 * const { output, state } = lstm.applyWithState(lstm.parameters(), x); // output [B, T, 32], state.hidden [2, B, 32]
 */
export class LSTM extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  protected hasCell(): boolean {
    return true;
  }

  protected step(projected: Tensor, hidden: Tensor, cell: Tensor | undefined, weights: ParameterTree): { hidden: Tensor; cell: Tensor } {
    const [inputGate, forgetGate, candidate, outputGate] = chunk(add(projected, this.hiddenProjection(hidden, weights)), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const nextCell = add(mul(sigmoid(forgetGate), cell!), mul(sigmoid(inputGate), tanh(candidate)));
    return { hidden: mul(sigmoid(outputGate), tanh(nextCell)), cell: nextCell };
  }
}

/**
 * Gated recurrent unit over `[batch, steps, inputSize]` → `[batch, steps, hiddenSize]`,
 * PyTorch's formulation (gates r, z, n):
 * `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`, `n = tanh(x_n + r⊙h_n)`, `h ← (1 − z)⊙n + z⊙h`,
 * where `x_· = x·W_ihᵀ + b_ih` and `h_· = h·W_hhᵀ + b_hh`, split in thirds.
 *
 * @example
 * new GRU(8, 32).forward(x).shape; // [B, T, 32]
 */
export class GRU extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  protected hasCell(): boolean {
    return false;
  }

  protected step(projected: Tensor, hidden: Tensor, _cell: Tensor | undefined, weights: ParameterTree): { hidden: Tensor } {
    const [inputReset, inputUpdate, inputNew] = chunk(projected, 3, 1) as [Tensor, Tensor, Tensor];
    const [hiddenReset, hiddenUpdate, hiddenNew] = chunk(this.hiddenProjection(hidden, weights), 3, 1) as [Tensor, Tensor, Tensor];
    const reset = sigmoid(add(inputReset, hiddenReset));
    const update = sigmoid(add(inputUpdate, hiddenUpdate));
    const candidate = tanh(add(inputNew, mul(reset, hiddenNew)));
    return { hidden: add(mul(sub(1, update), candidate), mul(update, hidden)) };
  }
}
