/**
 * How a checkpoint stores a tree of values that mixes tensors with other data (the optimizer
 * state, the data loader's position, the caller's `extra`): every tensor becomes a real
 * safetensors tensor named by its path in the tree (`optimizer.adam.firstMoment.layers.0.weight`),
 * and the rest of the tree becomes a small JSON skeleton in the header that refers to those
 * tensors by name.
 *
 * The skeleton uses the tags of `@vane/optim`'s `serializeState`, with one difference: a tensor
 * is `{ "$tensor": "<name of the stored tensor>" }` instead of base64 bytes inside the JSON.
 * - `{ "$undefined": true }` for `undefined`;
 * - `{ "$number": "NaN" | "Infinity" | "-Infinity" | "-0" }` for numbers JSON cannot hold;
 * - `{ "$object": { … } }` wraps an object with a key starting with `$`, so it is not read as a tag;
 * - arrays, plain objects, strings, booleans, null and finite numbers are themselves.
 *
 * Source: `packages/nn/src/io/state-tree.ts`.
 */
import { isTensor, type Tensor } from '@vane/tensor';

/** A JSON value of the skeleton. */
export type Skeleton = null | boolean | number | string | Skeleton[] | { [key: string]: Skeleton };

const NUMBER_TAGS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function describeKind(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null)
    return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`;
  return `a ${typeof value}`;
}

/**
 * Splits `value` into a JSON skeleton and the tensors it holds. Each tensor is named
 * `<prefix>.<path>` (the path's keys and array indices joined by dots; `<prefix>` alone for a
 * tensor at the root); if a name is already in `tensors` (keys containing dots can make two
 * paths read the same), `#2`, `#3`, … is appended, and the skeleton records the name used.
 * Throws, naming `owner` and the path, for values a checkpoint cannot hold (functions, class
 * instances, symbols, bigints).
 *
 * @param tensors - receives the tensors by name (shared by all trees of one file).
 */
export function splitTensors(owner: string, value: unknown, prefix: string, tensors: Map<string, Tensor>): Skeleton {
  const ancestors = new Set<object>();
  const visit = (item: unknown, path: string): Skeleton => {
    if (item === null || typeof item === 'boolean' || typeof item === 'string') return item;
    if (item === undefined) return { $undefined: true };
    if (typeof item === 'number') {
      if (Number.isNaN(item)) return { $number: 'NaN' };
      if (item === Number.POSITIVE_INFINITY) return { $number: 'Infinity' };
      if (item === Number.NEGATIVE_INFINITY) return { $number: '-Infinity' };
      if (Object.is(item, -0)) return { $number: '-0' };
      return item;
    }
    if (isTensor(item)) {
      let name = path;
      for (let suffix = 2; tensors.has(name); suffix += 1) name = `${path}#${suffix}`;
      tensors.set(name, item);
      return { $tensor: name };
    }
    if (typeof item === 'object' && ancestors.has(item))
      throw new Error(
        `${owner}: '${path}' refers back to one of its own ancestors; checkpoints hold trees, not cycles`,
      );
    if (Array.isArray(item)) {
      ancestors.add(item);
      const array = Array.from(item, (child, index) => visit(child, `${path}.${index}`));
      ancestors.delete(item);
      return array;
    }
    if (typeof item === 'object' && isPlainObject(item)) {
      ancestors.add(item);
      const object: { [key: string]: Skeleton } = Object.create(null) as { [key: string]: Skeleton };
      let tagLike = false;
      for (const [key, child] of Object.entries(item)) {
        object[key] = visit(child, `${path}.${key}`);
        tagLike ||= key.startsWith('$');
      }
      ancestors.delete(item);
      return tagLike ? { $object: object } : object;
    }
    throw new Error(
      `${owner}: '${path}' is ${describeKind(item)}; checkpoints hold only numbers, booleans, strings, null, undefined, arrays, plain objects and tensors`,
    );
  };
  return visit(value, prefix);
}

/**
 * Rebuilds the tree that {@link splitTensors} split, taking each referenced tensor from
 * `tensors` and recording its name in `used`. Throws, naming `where` and the path, for a
 * malformed skeleton or a reference to a tensor the file does not hold.
 */
export function joinTensors(
  where: string,
  skeleton: Skeleton,
  prefix: string,
  tensors: Readonly<Record<string, Tensor>>,
  used: Set<string>,
): unknown {
  const visit = (item: Skeleton, path: string): unknown => {
    if (item === null || typeof item !== 'object') return item;
    if (Array.isArray(item)) return item.map((child, index) => visit(child, `${path}.${index}`));
    const keys = Object.keys(item);
    if (keys.length === 1 && keys[0]!.startsWith('$')) {
      const tag = keys[0]!;
      const body = item[tag]!;
      if (tag === '$undefined') return undefined;
      if (tag === '$number') {
        if (typeof body !== 'string' || !Object.hasOwn(NUMBER_TAGS, body))
          throw new Error(`${where}: '${path}' has a bad $number ${JSON.stringify(body)}`);
        return NUMBER_TAGS[body];
      }
      if (tag === '$tensor') {
        if (typeof body !== 'string' || !Object.hasOwn(tensors, body))
          throw new Error(
            `${where}: '${path}' refers to the tensor ${JSON.stringify(body)}, which the file does not hold`,
          );
        used.add(body);
        return tensors[body];
      }
      if (tag === '$object') {
        if (body === null || typeof body !== 'object' || Array.isArray(body))
          throw new Error(`${where}: '${path}' has a bad $object`);
        return rebuildObject(body, path);
      }
      throw new Error(`${where}: '${path}' has the unknown tag '${tag}'`);
    }
    return rebuildObject(item, path);
  };
  const rebuildObject = (item: { [key: string]: Skeleton }, path: string): Record<string, unknown> => {
    // defineProperty, not assignment: a '__proto__' key stays an own key instead of setting the prototype.
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(item))
      Object.defineProperty(object, key, {
        value: visit(item[key]!, `${path}.${key}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return object;
  };
  return visit(skeleton, prefix);
}
