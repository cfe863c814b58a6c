/**
 * The one place where an optimizer checks what it is handed: `init(params)` and
 * `update(updates, state, params)` are checked here, before any transform runs, so that a
 * mistake is reported in the user's terms (the optimizer's name and the parameter path,
 * `adamw.update: gradient 'layers.0.weight' has shape [3], parameter has [2]`) instead of by
 * whichever internal kernel first trips over it (`fusedMap(optim.movingAverage): 'inputs[1]'
 * has shape [3]`, or a TypeError reading `.name` of a number).
 *
 * The transforms inside stay unchecked on purpose: one structure walk per update at the
 * entry point is enough, and every transform repeating it would cost a walk per transform.
 */
import { describeValue, formatShape, isTensor, tree, type Tensor } from '@vane/tensor';
import { mapStepState, type GradientTransformation, type TensorTree } from './transform.js';

/** `[path, shape]` of every leaf, remembered from `init` for updates called without `params`. */
type Signature = ReadonlyMap<string, readonly number[]>;

/**
 * Throws unless every leaf of `value` is a Tensor, naming the first leaf that is not.
 *
 * @param operation - `adamw.init`, `chain.update`, ...
 * @param role - what the tree holds, for the message (`parameter`, `gradient`).
 * @example
 * checkTensorTree('adam.init', 'parameter', { w: [1, 2] });
 * // TypeError: adam.init: parameter 'w.0' must be a Tensor, got 1 (params are a tree of plain objects and arrays with Tensor leaves)
 */
export function checkTensorTree(operation: string, role: string, value: unknown): void {
  if (value === undefined || value === null)
    throw new TypeError(`${operation}: the ${role}s must be a tree of Tensors, got ${String(value)}`);
  for (const [path, leaf] of tree.entries(value as TensorTree)) {
    if (!isTensor(leaf)) {
      const where = path === '' ? `the ${role} tree` : `${role} '${path}'`;
      throw new TypeError(
        `${operation}: ${where} must be a Tensor, got ${describeValue(leaf)} (${role}s are a tree of plain objects and arrays with Tensor leaves)`,
      );
    }
    if ((leaf as Tensor).isDisposed) throw new Error(`${operation}: ${role} '${path}' is a disposed Tensor`);
  }
}

function signatureOf(params: TensorTree): Signature {
  return new Map(tree.entries(params).map(([path, leaf]) => [path, (leaf as Tensor).shape]));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

/**
 * Throws unless `updates` has the structure and leaf shapes of `reference` (the parameters, or
 * the signature remembered at `init`), naming the first path that differs.
 */
function checkAgainst(operation: string, updates: TensorTree, reference: TensorTree | Signature): void {
  if (reference instanceof Map) {
    const entries = tree.entries(updates);
    const paths = new Set(entries.map(([path]) => path));
    const missing = [...reference.keys()].filter((path) => !paths.has(path));
    const extra = entries.filter(([path]) => !reference.has(path)).map(([path]) => path);
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length ? `lacks ${missing.map((path) => `'${path}'`).join(', ')}` : '',
        extra.length ? `has extra ${extra.map((path) => `'${path}'`).join(', ')}` : '',
      ];
      throw new Error(
        `${operation}: the gradients do not match the parameters given to init: they ${parts.filter(Boolean).join(' and ')}`,
      );
    }
    for (const [path, leaf] of entries) {
      const expected = reference.get(path)!;
      if (!sameShape(leaf.shape, expected))
        throw new Error(
          `${operation}: gradient '${path}' has shape ${formatShape(leaf.shape)}, parameter has ${formatShape(expected)}`,
        );
    }
    return;
  }
  tree.assertSameStructure(operation, reference as TensorTree, updates, ['params', 'updates']);
  const byPath = new Map(tree.entries(reference as TensorTree) as [string, Tensor][]);
  for (const [path, leaf] of tree.entries(updates)) {
    const parameter = byPath.get(path)!;
    if (!sameShape(leaf.shape, parameter.shape)) {
      throw new Error(
        `${operation}: gradient '${path}' has shape ${formatShape(leaf.shape)}, parameter has ${formatShape(parameter.shape)}`,
      );
    }
  }
}

/**
 * Whether every leaf of `updates` and `params` is a live Tensor, in the same structure, with
 * the same shape leaf for leaf: what `checkTensorTree` on both and `checkAgainst` accept, in
 * one walk. False also where it does not decide (sparse arrays; keys that are empty or dotted,
 * where leaves are matched by path): the full checks then run.
 */
function matchingLiveTensors(updates: unknown, params: unknown): boolean {
  if (updates === null || updates === undefined) return params === null || params === undefined;
  if (Array.isArray(updates)) {
    if (!Array.isArray(params) || params.length !== updates.length) return false;
    for (let index = 0; index < updates.length; index++) {
      if (!(index in updates) || !(index in params) || !matchingLiveTensors(updates[index], params[index]))
        return false;
    }
    return true;
  }
  if (isTensor(updates)) {
    if (!isTensor(params) || updates.isDisposed || params.isDisposed) return false;
    const { shape } = updates;
    const expected = params.shape;
    if (shape.length !== expected.length) return false;
    for (let axis = 0; axis < shape.length; axis++) if (shape[axis] !== expected[axis]) return false;
    return true;
  }
  if (!isPlainObject(updates) || !isPlainObject(params)) return false;
  const keys = Object.keys(updates);
  if (keys.length !== Object.keys(params).length) return false;
  for (const key of keys) {
    if (key === '' || key.includes('.') || !Object.prototype.propertyIsEnumerable.call(params, key)) return false;
    if (!matchingLiveTensors(updates[key], params[key])) return false;
  }
  return true;
}

/** A tree container of plain-object kind (what `tree` walks into), as opposed to a leaf. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isTensor(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Wraps `transform` so that its `init` and `update` check their arguments first, with errors
 * named `<owner>.init` / `<owner>.update` and the parameter path:
 * - every leaf of `params` and `updates` is a live Tensor;
 * - `updates` has the tree structure and leaf shapes of `params` (or, when `update` is called
 *   without `params`, of the parameters given to `init`, remembered per state object);
 * - `state` is an object or array (what every optimizer's `init` returns).
 *
 * Behaviour is otherwise unchanged: the same state, the same updates, and the composition
 * point (`finalKernel`, used by `chain` and `active`) is kept, with the same checks.
 *
 * @param owner - the optimizer's public name (`adamw`).
 * @param transform - the optimizer's chain.
 * @example
 * export function myOptimizer() { return withInputChecks('myOptimizer', chain(scaleByAdam(), scaleByLearningRate(1e-3))); }
 */
export function withInputChecks<S>(owner: string, transform: GradientTransformation<S>): GradientTransformation<S> {
  // Keyed by state object: which parameter shapes a state was made for. A state restored by
  // deserializeState has no entry, and then only `params` (when given) is checked against.
  const signatures = new WeakMap<object, Signature>();
  const remember = (state: unknown, signature: Signature | undefined): void => {
    if (signature !== undefined && typeof state === 'object' && state !== null) signatures.set(state, signature);
  };
  const check = (updates: TensorTree, state: S, params: TensorTree | undefined): Signature | undefined => {
    const operation = `${owner}.update`;
    if (state === null || typeof state !== 'object')
      throw new TypeError(
        `${operation}: 'state' must be the object ${owner}.init returned, got ${describeValue(state)}`,
      );
    const signature = signatures.get(state as object);
    // The common case in one walk; the checks below only run to name what is wrong.
    if (updates != null && params != null && matchingLiveTensors(updates, params)) return signature;
    checkTensorTree(operation, 'gradient', updates);
    if (params !== undefined) {
      checkTensorTree(operation, 'parameter', params);
      checkAgainst(operation, updates, params);
    } else if (signature !== undefined) {
      checkAgainst(operation, updates, signature);
    }
    return signature;
  };
  const composition = transform.finalKernel;
  return {
    init: (params) => {
      checkTensorTree(`${owner}.init`, 'parameter', params);
      const state = transform.init(params);
      remember(state, signatureOf(params));
      return state;
    },
    update: (updates, state, params, extras) => {
      const signature = check(updates, state, params);
      const [out, next] = transform.update(updates, state, params, extras);
      remember(next, signature);
      return [out, next];
    },
    ...(composition && {
      finalKernel: (updates, state, params, extras) => {
        // Asked with the updates not yet computed, there is nothing to check yet; the next
        // state still inherits what the state was made for.
        const signature =
          updates === undefined
            ? typeof state === 'object' && state !== null
              ? signatures.get(state)
              : undefined
            : check(updates, state, params);
        const step = composition.call(transform, updates, state, params, extras);
        // The next state may come from the run (fresh inputs): remember it when it exists.
        return step === undefined
          ? undefined
          : mapStepState(step, (next) => {
              remember(next, signature);
              return next;
            });
      },
    }),
  };
}
