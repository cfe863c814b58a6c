/**
 * Recurrent layers: `LSTM` (Hochreiter and Schmidhuber, 1997) and `GRU` (Cho et al., 2014),
 * batch-first, stacked, optionally bidirectional (Schuster and Paliwal, 1997), with PyTorch's
 * gate and parameter layout so weights transfer.
 *
 * Source: `packages/nn/src/layers/recurrent.ts`.
 */
import {
  add,
  checkOptionKeys,
  chunk,
  concat,
  formatShape,
  matmul,
  mul,
  sigmoid,
  slice,
  stack,
  sub,
  tanh,
  zeros,
  type DType,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { uniform } from '../initializers/initializers.js';
import { Module, parameter, subtree, type ParameterTree } from '../module.js';
import { dropout } from './dropout.js';
import { checkParameterDType, checkPositiveInteger } from '../validation.js';

/** Options of {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Dropout between stacked layers in training mode (default 0). */
  dropout?: number;
  /**
   * Also run each layer backwards in time and concatenate the two directions' features
   * (default false), as PyTorch's `bidirectional`: outputs `[batch, steps, 2·hiddenSize]`.
   */
  bidirectional?: boolean;
  generator?: RandomGenerator;
  dtype?: DType;
}

/**
 * The final state of a recurrent layer, `[numLayers·directions, batch, hiddenSize]`: per
 * layer, the forward direction then (if bidirectional) the backward one, as PyTorch's `h_n`.
 */
export interface RecurrentState {
  hidden: Tensor;
  /** LSTM only. */
  cell?: Tensor;
}

/**
 * One layer's weights: input-to-hidden `[gates·H, in]`, hidden-to-hidden `[gates·H, H]`, two
 * biases; bidirectional layers add the backward direction's four under the suffix `Reverse`.
 */
class RecurrentCell extends Module {
  constructor(
    inputSize: number,
    hiddenSize: number,
    gates: number,
    directions: readonly string[],
    options: RecurrentOptions,
  ) {
    super();
    const initializer = { generator: options.generator, dtype: options.dtype };
    // PyTorch initialises every recurrent parameter U(−1/√H, 1/√H).
    const bound = 1 / Math.sqrt(hiddenSize);
    for (const suffix of directions) {
      this.registerParameter(
        `weightInputHidden${suffix}`,
        uniform([gates * hiddenSize, inputSize], bound, initializer),
      );
      this.registerParameter(
        `weightHiddenHidden${suffix}`,
        uniform([gates * hiddenSize, hiddenSize], bound, initializer),
      );
      this.registerParameter(`biasInputHidden${suffix}`, uniform([gates * hiddenSize], bound, initializer));
      this.registerParameter(`biasHiddenHidden${suffix}`, uniform([gates * hiddenSize], bound, initializer));
    }
  }

  apply(): Tensor {
    throw new Error('RecurrentCell.apply: cells are driven by their LSTM or GRU');
  }
}

/** Parameter-name suffixes of the directions: PyTorch's `_reverse` becomes `Reverse`. */
const FORWARD = '';
const BACKWARD = 'Reverse';

abstract class Recurrent extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  private readonly dropoutRate: number;
  private readonly directions: readonly string[];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    options: RecurrentOptions,
  ) {
    super();
    checkOptionKeys(this.name, options, ['numLayers', 'dropout', 'bidirectional', 'generator', 'dtype']);
    checkParameterDType(this.name, options.dtype);
    checkPositiveInteger(this.name, 'inputSize', inputSize);
    checkPositiveInteger(this.name, 'hiddenSize', hiddenSize);
    this.numLayers = options.numLayers ?? 1;
    checkPositiveInteger(this.name, 'numLayers', this.numLayers);
    this.dropoutRate = options.dropout ?? 0;
    if (typeof this.dropoutRate !== 'number' || !(this.dropoutRate >= 0 && this.dropoutRate <= 1))
      throw new Error(`${this.name}: 'dropout' must be a number in [0, 1], got ${String(this.dropoutRate)}`);
    const bidirectional = options.bidirectional ?? false;
    if (typeof bidirectional !== 'boolean')
      throw new Error(`${this.name}: 'bidirectional' must be true or false, got ${String(bidirectional)}`);
    this.bidirectional = bidirectional;
    this.directions = bidirectional ? [FORWARD, BACKWARD] : [FORWARD];
    const layerOutput = this.directions.length * hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer += 1) {
      this.registerModule(
        String(layer),
        new RecurrentCell(layer === 0 ? inputSize : layerOutput, hiddenSize, gates, this.directions, options),
      );
    }
  }

  /**
   * One time step of one direction of one layer: the new state from the input projection
   * `projected` and the hidden projection `hiddenProjected`, both `[B, gates·H]`.
   */
  protected abstract step(
    projected: Tensor,
    hiddenProjected: Tensor,
    hidden: Tensor,
    cell: Tensor | undefined,
  ): { hidden: Tensor; cell?: Tensor };

  protected abstract hasCell(): boolean;

  /** The output sequence `[batch, steps, directions·hiddenSize]` (the top layer's hidden states). */
  apply(params: ParameterTree, input: Tensor): Tensor {
    return this.applyWithState(params, input).output;
  }

  /**
   * The output sequence and the final state, starting from `initial` (zeros by default),
   * both laid out as PyTorch's `(output, h_n)` / `(output, (h_n, c_n))`.
   */
  applyWithState(
    params: ParameterTree,
    input: Tensor,
    initial?: RecurrentState,
  ): { output: Tensor; state: RecurrentState } {
    if (input.ndim !== 3 || input.shape[2] !== this.inputSize) {
      throw new Error(
        `${this.name}.apply: 'input' has shape ${formatShape(input.shape)}, expected [batch, steps, ${this.inputSize}]`,
      );
    }
    const [batch, steps] = input.shape as [number, number];
    const stateShape = [this.numLayers * this.directions.length, batch, this.hiddenSize];
    for (const key of ['hidden', 'cell'] as const) {
      const given = initial?.[key];
      if (given && (given.ndim !== 3 || given.shape.some((size, axis) => size !== stateShape[axis]))) {
        throw new Error(
          `${this.name}.apply: 'initial.${key}' has shape ${formatShape(given.shape)}, expected ${formatShape(stateShape)} [numLayers·directions, batch, hiddenSize]`,
        );
      }
    }
    const finalHidden: Tensor[] = [];
    const finalCell: Tensor[] = [];
    let sequence = input;
    for (let layer = 0; layer < this.numLayers; layer += 1) {
      const weights = subtree(params, String(layer));
      const outputs: Tensor[] = [];
      this.directions.forEach((suffix, direction) => {
        const index = layer * this.directions.length + direction;
        let hidden = initial ? slice(initial.hidden, [index]) : zeros([batch, this.hiddenSize], { dtype: input.dtype });
        let cell = this.hasCell()
          ? initial?.cell
            ? slice(initial.cell, [index])
            : zeros([batch, this.hiddenSize], { dtype: input.dtype })
          : undefined;
        // Project the whole sequence at once; only the hidden-to-hidden product is sequential.
        const inputWeight = parameter(weights, `weightInputHidden${suffix}`, this.name);
        const projectedSequence = add(
          matmul(sequence, inputWeight.T),
          parameter(weights, `biasInputHidden${suffix}`, this.name),
        );
        const hiddenWeight = parameter(weights, `weightHiddenHidden${suffix}`, this.name);
        const hiddenBias = parameter(weights, `biasHiddenHidden${suffix}`, this.name);
        const states: Tensor[] = new Array<Tensor>(steps);
        // The backward direction reads the sequence from its end; its output at t is its state after reading t.
        for (let count = 0; count < steps; count += 1) {
          const time = suffix === BACKWARD ? steps - 1 - count : count;
          const next = this.step(
            slice(projectedSequence, [null, time]),
            add(matmul(hidden, hiddenWeight.T), hiddenBias),
            hidden,
            cell,
          );
          hidden = next.hidden;
          cell = next.cell;
          states[time] = hidden;
        }
        finalHidden.push(hidden);
        if (cell) finalCell.push(cell);
        outputs.push(stack(states, 1));
      });
      sequence = outputs.length === 1 ? outputs[0]! : concat(outputs, 2);
      if (layer < this.numLayers - 1) sequence = dropout(sequence, this.dropoutRate, this.training);
    }
    return {
      output: sequence,
      state: { hidden: stack(finalHidden, 0), ...(finalCell.length > 0 ? { cell: stack(finalCell, 0) } : {}) },
    };
  }
}

/**
 * Long short-term memory over `[batch, steps, inputSize]` → `[batch, steps, hiddenSize]`.
 * Per step, with gates in PyTorch's order i, f, g, o:
 * `[i, f, g, o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh`, `c ← σ(f)⊙c + σ(i)⊙tanh(g)`,
 * `h ← σ(o)⊙tanh(c)`. Parameters per layer `k`: `k.weightInputHidden` `[4H, in]`,
 * `k.weightHiddenHidden` `[4H, H]`, `k.biasInputHidden`, `k.biasHiddenHidden` `[4H]`
 * (PyTorch's `weight_ih_lk`, … in that order), then with `bidirectional` the same four with
 * the suffix `Reverse` (PyTorch's `weight_ih_lk_reverse`, …), `in` being `2H` above layer 0.
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

  protected step(
    projected: Tensor,
    hiddenProjected: Tensor,
    _hidden: Tensor,
    cell: Tensor | undefined,
  ): { hidden: Tensor; cell: Tensor } {
    const [inputGate, forgetGate, candidate, outputGate] = chunk(add(projected, hiddenProjected), 4, 1) as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ];
    const nextCell = add(mul(sigmoid(forgetGate), cell!), mul(sigmoid(inputGate), tanh(candidate)));
    return { hidden: mul(sigmoid(outputGate), tanh(nextCell)), cell: nextCell };
  }
}

/**
 * Gated recurrent unit over `[batch, steps, inputSize]` → `[batch, steps, hiddenSize]`,
 * PyTorch's formulation (gates r, z, n):
 * `r = σ(x_r + h_r)`, `z = σ(x_z + h_z)`, `n = tanh(x_n + r⊙h_n)`, `h ← (1 − z)⊙n + z⊙h`,
 * where `x_· = x·W_ihᵀ + b_ih` and `h_· = h·W_hhᵀ + b_hh`, split in thirds. Parameters and
 * `bidirectional` as {@link LSTM} (`[3H, …]`).
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

  protected step(projected: Tensor, hiddenProjected: Tensor, hidden: Tensor): { hidden: Tensor } {
    const [inputReset, inputUpdate, inputNew] = chunk(projected, 3, 1) as [Tensor, Tensor, Tensor];
    const [hiddenReset, hiddenUpdate, hiddenNew] = chunk(hiddenProjected, 3, 1) as [Tensor, Tensor, Tensor];
    const reset = sigmoid(add(inputReset, hiddenReset));
    const update = sigmoid(add(inputUpdate, hiddenUpdate));
    const candidate = tanh(add(inputNew, mul(reset, hiddenNew)));
    return { hidden: add(mul(sub(1, update), candidate), mul(update, hidden)) };
  }
}
