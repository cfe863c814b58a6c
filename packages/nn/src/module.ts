/**
 * The `Module` base class: a layer or model whose parameters form a named tree.
 *
 * Every module is used in two equivalent ways:
 * - object style, `model.forward(x)`, which reads the module's own parameters;
 * - functional style, `model.apply(params, x)`, which reads `params` instead. This is the form
 *   autodiff and optimizers need, because they work on plain trees of tensors:
 *   `valueAndGrad((p) => loss(model.apply(p, x), y))(model.parameters())`.
 *
 * Buffers (BatchNorm running statistics) are state that is not trained; they live on the
 * module and are read and updated by `apply` as a side effect, as in PyTorch.
 *
 * Source: `packages/nn/src/module.ts`.
 */
import { dispose, keep, type Tensor } from '@vane/tensor';
import { formatShape } from '@vane/tensor';
import { checkTensorArgument } from './validation.js';

/** A tree of named tensors: a module's parameters or buffers, nested by child name. */
export interface ParameterTree {
  [name: string]: Tensor | ParameterTree;
}

function isTensorValue(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as { isTensor?: unknown }).isTensor === true;
}

/**
 * Base class of every layer and model.
 *
 * Subclasses register parameters, buffers and child modules in the constructor and implement
 * {@link Module.apply}, which must read parameters only from its `params` argument (so that the
 * functional form is pure with respect to parameters).
 *
 * @typeParam Inputs - the argument list of `forward`/`apply` after `params`.
 * @typeParam Output - what `forward`/`apply` return.
 *
 * @example
 * class Affine extends Module {
 *   constructor() { super(); this.registerParameter('scale', ones([1])); }
 *   apply(params: ParameterTree, x: Tensor) { return x.mul(params.scale as Tensor); }
 * }
 * new Affine().forward(tensor([1, 2])); // [1, 2]
 */
export abstract class Module<Inputs extends unknown[] = [Tensor], Output = Tensor> {
  /** True in training mode (Dropout active, BatchNorm uses batch statistics). */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module<any, any>>();

  /** The output for `inputs`, computed with the parameters in `params` (this module's subtree). */
  abstract apply(params: ParameterTree, ...inputs: Inputs): Output;

  /**
   * The names of the leading inputs that must be Tensors, checked by {@link Module.forward}
   * (the first is required, later ones may be `undefined` when optional). A subclass whose
   * inputs are named otherwise or are not all tensors overrides this (`['query', 'key',
   * 'value']` for attention, `[]` for a module that takes no tensor).
   */
  protected readonly tensorInputs: readonly string[] = ['input'];

  /**
   * The output for `inputs`, computed with the module's own parameters. Inputs named in
   * `tensorInputs` are checked first, so `new Linear(3, 4).forward([[1, 2, 3]])` says
   * `Linear.forward: 'input' must be a Tensor, got [[1, 2, 3]]` instead of failing inside an op.
   */
  forward(...inputs: Inputs): Output {
    this.tensorInputs.forEach((name, index) => {
      if (index === 0 || inputs[index] !== undefined) checkTensorArgument(`${this.name}.forward`, name, inputs[index]);
    });
    return this.apply(this.parameters(), ...inputs);
  }

  /** A short name for error messages: the class name. */
  get name(): string {
    return this.constructor.name;
  }

  /**
   * Registers a trainable tensor under `name`; it appears in `parameters()` and is kept alive
   * across `tidy` scopes because the module owns it.
   */
  protected registerParameter(name: string, value: Tensor): Tensor {
    this.checkFreeName(name);
    this.ownParameters.set(name, keep(value));
    return value;
  }

  /** Registers a non-trainable tensor (for example a running mean) under `name`. */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    this.checkFreeName(name);
    this.ownBuffers.set(name, keep(value));
    return value;
  }

  /** Registers a child module; its parameters appear under `name` in `parameters()`. */
  protected registerModule<M extends Module<any, any>>(name: string, module: M): M {
    this.checkFreeName(name);
    this.children.set(name, module);
    return module;
  }

  private checkFreeName(name: string): void {
    if (name === '' || name.includes('.'))
      throw new Error(`${this.name}: name '${name}' must be non-empty and contain no '.'`);
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new Error(`${this.name}: name '${name}' is already registered`);
    }
  }

  /** Replaces a buffer's value (used by layers that update running statistics). */
  protected setBuffer(name: string, value: Tensor): void {
    const old = this.ownBuffers.get(name);
    if (old === undefined) throw new Error(`${this.name}: no buffer named '${name}'`);
    this.ownBuffers.set(name, keep(value));
    if (old !== value && !old.isDisposed) old.dispose();
  }

  /** The current value of one of this module's own buffers. */
  protected buffer(name: string): Tensor {
    const value = this.ownBuffers.get(name);
    if (value === undefined) throw new Error(`${this.name}: no buffer named '${name}'`);
    return value;
  }

  /** The direct child modules, by name. */
  namedChildren(): [string, Module<any, any>][] {
    return [...this.children];
  }

  /**
   * The parameters as a tree: own parameters by name, then each child's subtree by the
   * child's name (children without parameters are left out).
   */
  parameters(): ParameterTree {
    return this.collect('parameters');
  }

  /** The buffers as a tree shaped like {@link Module.parameters}. */
  buffers(): ParameterTree {
    return this.collect('buffers');
  }

  private collect(kind: 'parameters' | 'buffers'): ParameterTree {
    const result: ParameterTree = {};
    for (const [name, value] of kind === 'parameters' ? this.ownParameters : this.ownBuffers) result[name] = value;
    for (const [name, child] of this.children) {
      const subtree = child.collect(kind);
      if (Object.keys(subtree).length > 0) result[name] = subtree;
    }
    return result;
  }

  /** `[path, tensor]` for every parameter, with dotted paths such as `layers.0.weight`. */
  namedParameters(): [string, Tensor][] {
    return flattenNamed(this.parameters());
  }

  /** `[path, tensor]` for every buffer. */
  namedBuffers(): [string, Tensor][] {
    return flattenNamed(this.buffers());
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.namedParameters().reduce((total, [, value]) => total + value.size, 0);
  }

  /**
   * Replaces the parameters with those of `tree` (shaped like `parameters()`: the same
   * names, shapes and dtypes). Throws, changing nothing, when anything differs. The module
   * takes ownership of the new tensors; the replaced ones are disposed unless `tree` reuses them.
   */
  loadParameters(tree: ParameterTree): void {
    this.load('parameters', tree, 'loadParameters');
  }

  /** Replaces the buffers, with the same checks as {@link Module.loadParameters}. */
  loadBuffers(tree: ParameterTree): void {
    this.load('buffers', tree, 'loadBuffers');
  }

  /**
   * Throws, as {@link Module.loadParameters} would, unless `tree` has exactly the names,
   * shapes and dtypes of `parameters()`; changes nothing.
   */
  checkParameters(tree: ParameterTree, caller = 'loadParameters'): void {
    this.check('parameters', tree, caller);
  }

  /** The same check for buffers. */
  checkBuffers(tree: ParameterTree, caller = 'loadBuffers'): void {
    this.check('buffers', tree, caller);
  }

  private load(kind: 'parameters' | 'buffers', tree: ParameterTree, caller: string): void {
    this.check(kind, tree, caller);
    this.assign(kind, tree);
  }

  private check(kind: 'parameters' | 'buffers', tree: ParameterTree, caller: string): void {
    const expected = flattenNamed(this.collect(kind));
    const given = new Map(flattenNamed(tree));
    for (const [path, current] of expected) {
      const value = given.get(path);
      if (value === undefined)
        throw new Error(
          `${this.name}.${caller}: missing tensor '${path}' (expected shape ${formatShape(current.shape)}, ${current.dtype})`,
        );
      if (!sameShape(value.shape, current.shape) || value.dtype !== current.dtype) {
        throw new Error(
          `${this.name}.${caller}: '${path}' has shape ${formatShape(value.shape)} ${value.dtype}, expected ${formatShape(current.shape)} ${current.dtype}`,
        );
      }
      given.delete(path);
    }
    if (given.size > 0)
      throw new Error(
        `${this.name}.${caller}: unexpected tensor(s) ${[...given.keys()].map((key) => `'${key}'`).join(', ')}`,
      );
  }

  private assign(kind: 'parameters' | 'buffers', tree: ParameterTree): void {
    const own = kind === 'parameters' ? this.ownParameters : this.ownBuffers;
    for (const [name, old] of own) {
      const value = tree[name] as Tensor;
      own.set(name, keep(value));
      if (old !== value && !old.isDisposed && !treeContains(tree, old)) old.dispose();
    }
    for (const [name, child] of this.children) {
      const subtree = tree[name];
      if (subtree !== undefined && !isTensorValue(subtree)) child.assign(kind, subtree);
    }
  }

  /** Sets training mode (`true`) or evaluation mode (`false`) on this module and its children. Returns `this`. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: Dropout is the identity, BatchNorm uses running statistics. Returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Disposes every parameter and buffer (the module is unusable afterwards). */
  dispose(): void {
    dispose([this.parameters(), this.buffers()]);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

function treeContains(tree: ParameterTree, tensor: Tensor): boolean {
  return flattenNamed(tree).some(([, value]) => value === tensor);
}

/** `[dotted path, tensor]` for every leaf of a parameter tree, depth first in key order. */
export function flattenNamed(tree: ParameterTree, prefix = ''): [string, Tensor][] {
  const result: [string, Tensor][] = [];
  for (const [name, value] of Object.entries(tree)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (isTensorValue(value)) result.push([path, value]);
    else if (typeof value === 'object' && value !== null) result.push(...flattenNamed(value, path));
  }
  return result;
}

/** The inverse of {@link flattenNamed}: a nested tree from dotted paths. */
export function unflattenNamed(entries: Iterable<[string, Tensor]>): ParameterTree {
  const root: ParameterTree = {};
  for (const [path, value] of entries) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node = node[part] = {};
      else if (isTensorValue(next)) throw new Error(`unflattenNamed: '${path}' lies below the tensor '${part}'`);
      else node = next;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/**
 * The subtree of `params` named `name`, or an empty tree; what a parent passes to a child's
 * `apply` (children without parameters have no entry).
 */
export function subtree(params: ParameterTree, name: string): ParameterTree {
  const value = params[name];
  if (value === undefined) return {};
  if (isTensorValue(value)) throw new Error(`subtree: '${name}' is a tensor, expected a subtree`);
  return value;
}

/** The tensor `params[name]`, with an error naming the layer when it is missing. */
export function parameter(params: ParameterTree, name: string, layer: string): Tensor {
  const value = params[name];
  if (!isTensorValue(value))
    throw new Error(
      `${layer}.apply: parameter '${name}' is missing from 'params' (keys: ${Object.keys(params).join(', ') || 'none'})`,
    );
  return value;
}
