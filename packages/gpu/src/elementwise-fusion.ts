/**
 * Automatic fusion of elementwise chains: a float32 unary, binary or fused op on the gpu does
 * not run when it is called. It returns a {@link PendingStorage} that records the op's
 * expression function and its operands; an elementwise op that reads a pending result laid
 * out like its own output inlines that result's expression instead of reading a texture, and
 * the whole chain runs as one kernel when something needs the texture: a non-elementwise op, a
 * readback, or an operand that is not laid out like the output (broadcast, strided, reshaped).
 *
 * `w.sub(g.mul(lr))` is then one dispatch instead of two, and the 784×256 product `g` is read
 * once. A matmul's float32 result is itself a pending chain (see {@link pendingBlocked}): the
 * kernel that consumes it unpacks the blocked product, so `relu(x @ w + b)` is the matmul's
 * pack and product passes and one more. The kernel of a chain is the nested call of the ops' own gpu.js expression functions
 * (expression-source.ts, generated from `@vane/tensor`'s expressions), so a fused chain
 * computes each op exactly as the op alone would, in float32, and is cached per chain shape.
 *
 * A pending result keeps its operands' textures alive through gpu.js clones (reference counted),
 * so disposing an operand's tensor first is safe. A result inlined into two consumers is
 * computed twice, which elementwise work allows; chains are capped at {@link fusionLeafLimit}
 * textures and {@link FUSION_CALL_LIMIT} calls, beyond which the operand is materialised first.
 */
import { sizeOf, type Shape, type TensorView } from '@vane/tensor';
import { rowMajorOver, sameNumbers } from './view-layout.js';
import type { NativeFunction } from './kernel-runner.js';
import { BLOCKED_VALUE, blockedValueRows, eightRowBlocksAvailable, type BlockRows } from './texel-fetch.js';
import type { GpuFunctionSource } from './function-source.js';
import { position } from './index-arithmetic.js';
import { constantValue } from './scalar-constants.js';
import { countStorage, deleteTexture, textureOf, type GpuStorage } from './storage.js';
import { quadEligible, runQuadChain, unpackQuads } from './quad-chain.js';
import { QUAD_VALUE } from './quad-fetch.js';
import { releasePacks } from './pack-cache.js';

/** Textures one fused kernel reads at most where nothing more is known (WebGL1 guarantees 8 units). */
export const FUSION_LEAF_LIMIT = 8;

/**
 * Textures one fused kernel reads at most: 16 where products come in 8×4 blocks (a WebGL path
 * with 16 texture units, texel-fetch.ts's eightRowBlocksAvailable), so that a chain holds such a
 * product's eight row textures and its other operands (a weight update: nine; a layer's
 * `relu(x @ w + b)`: nine); {@link FUSION_LEAF_LIMIT} elsewhere.
 */
export function fusionLeafLimit(): number {
  return eightRowBlocksAvailable() ? 16 : FUSION_LEAF_LIMIT;
}
/** Op calls one fused kernel nests at most (keeps the generated source and its compile time small). */
export const FUSION_CALL_LIMIT = 16;

/** An operand of a pending chain that is read from a texture. */
interface Leaf {
  /** A clone of the operand's texture (its own reference, released with the chain). */
  readonly texture: { delete(): void; clone(): unknown };
  readonly view: TensorView;
  /** The texture holds four values per texel (a chain that ran for a pack, quad-chain.ts). */
  readonly quad?: boolean;
}

/** An elementwise chain not yet run. */
interface Chain {
  /**
   * The nested call, with leaves written `$L<k>$` (read at the output's position), leaf
   * textures passed whole to a native function `$T<k>$`, and scalars `$S<k>$`.
   */
  readonly call: string;
  readonly functions: ReadonlyMap<string, GpuFunctionSource>;
  readonly leaves: readonly Leaf[];
  readonly scalars: readonly number[];
  readonly shape: Shape;
  readonly calls: number;
}

/** Runs a chain as one kernel: the strided map of gpu-backend.ts. */
export type ChainRunner = (
  key: string,
  shape: Shape,
  inputs: readonly { name: string; view: TensorView }[],
  expression: string,
  scalars: readonly { name: string; value: number }[],
  own: readonly GpuFunctionSource[],
  natives: readonly NativeFunction[],
) => GpuStorage;

/**
 * A storage whose values are an elementwise chain still to run. Reading `texture` runs it
 * (once); {@link PendingStorage.release} frees either the result or, when it never ran, the
 * chain's references to its operands.
 */
export class PendingStorage implements GpuStorage {
  readonly size: number;
  #chain: Chain | undefined;
  #texture: unknown;
  /** The result as four values per texel, when the chain ran for a consumer that reads quads. */
  #quads: unknown;
  readonly #run: ChainRunner;

  constructor(size: number, chain: Chain, run: ChainRunner) {
    this.size = size;
    this.#chain = chain;
    this.#run = run;
    // Counted as the one texture it stands for (gpuTextureCount), from now on.
    countStorage(1);
  }

  /** The chain when it has not run yet. */
  get chain(): Chain | undefined {
    return this.#chain;
  }

  /**
   * The result texture (one value per texel), running the chain first if it has not run, or
   * converting the quad texture when the chain ran into one.
   */
  get texture(): any {
    const chain = this.#chain;
    if (chain) {
      this.#texture = runChain(chain, this.#run).texture;
      // runChain counted its result; this storage was counted already.
      countStorage(-1);
      releaseLeaves(chain);
      this.#chain = undefined;
    } else if (this.#texture === undefined && this.#quads !== undefined) {
      this.#texture = unpackQuads(this.#quads, this.size);
    }
    return this.#texture;
  }

  /**
   * The result as a quad texture (four values per texel, quad-fetch.ts), running the chain
   * four values per fragment if it has not run and can; undefined when the result exists only
   * one value per texel or the chain cannot run that way.
   */
  get quads(): unknown {
    const chain = this.#chain;
    if (chain && quadEligible(chain.call, chain.shape)) {
      this.#quads = runQuadChain({
        ...chain,
        leaves: chain.leaves.map((leaf) => ({
          texture: leaf.texture,
          view: leaf.view,
          quad: leaf.quad ?? false,
          aligned: rowMajorOver(leaf.view, chain.shape) && (leaf.view.data as GpuStorage).size === this.size,
        })),
      });
      releaseLeaves(chain);
      this.#chain = undefined;
    }
    return this.#quads;
  }

  /** True when the result exists only as a quad texture (read it through {@link quads}). */
  get quadsOnly(): boolean {
    return this.#chain === undefined && this.#texture === undefined && this.#quads !== undefined;
  }

  set texture(value: unknown) {
    this.#texture = value;
  }

  /** Frees the result texture, or the chain's operand references when it never ran. */
  release(): void {
    releasePacks(this);
    if (this.#chain) {
      releaseLeaves(this.#chain);
      this.#chain = undefined;
      countStorage(-1);
    } else if (this.#quads !== undefined) {
      // Counted once, whether it holds the quad texture, its conversion, or both.
      discard(this.#quads);
      discard(this.#texture);
      countStorage(-1);
    } else deleteTexture(this.#texture);
    this.#texture = undefined;
    this.#quads = undefined;
  }
}

const discard = (texture: unknown) => (texture as { delete?: () => void } | undefined)?.delete?.();

function releaseLeaves(chain: Chain): void {
  for (const leaf of chain.leaves) leaf.texture.delete();
}

/** The pending chain of `view` when it can be inlined into an op over `shape`. */
function inlinable(view: TensorView, shape: Shape): Chain | undefined {
  const data = view.data;
  if (!(data instanceof PendingStorage) || !data.chain) return undefined;
  const chain = data.chain;
  return sameNumbers(chain.shape, shape) && rowMajorOver(view, shape) ? chain : undefined;
}

const renumber = (call: string, leafBase: number, scalarBase: number) =>
  // The first operand's chain keeps its numbers: no rewrite.
  leafBase === 0 && scalarBase === 0
    ? call
    : call
        .replace(/\$([LT])(\d+)\$/g, (_, kind: string, index: string) => `$${kind}${Number(index) + leafBase}$`)
        .replace(/\$S(\d+)\$/g, (_, index: string) => `$S${Number(index) + scalarBase}$`);

/**
 * For each of the first `count` parameters of `fn` (the operands), whether its body reads it.
 * The source is generated (expression-source.ts: `function name(in0, …) {…}`), so a parameter
 * name that does not occur as a word in the body is unused.
 */
export function parametersRead(fn: GpuFunctionSource, count: number): boolean[] {
  const read = declaredParametersRead(fn);
  // A parameter past the declared ones (or a source without a header) counts as read.
  return Array.from({ length: count }, (_, index) => read[index] ?? true);
}

/**
 * Per function, whether its body reads each declared parameter. A function's source does not
 * change (expression-source.ts hands out the same object per op), and the answer was worked out
 * again, with a regular expression built per parameter, on every elementwise op.
 */
const parametersReadByFunction = new WeakMap<GpuFunctionSource, readonly boolean[]>();

function declaredParametersRead(fn: GpuFunctionSource): readonly boolean[] {
  let read = parametersReadByFunction.get(fn);
  if (read !== undefined) return read;
  const header = /function\s+\w+\s*\(([^)]*)\)\s*\{/.exec(fn.source);
  if (!header) read = [];
  else {
    const body = fn.source.slice(header.index + header[0].length);
    read = header[1]!
      .split(',')
      .map((parameter) => parameter.trim())
      .map((parameter) => parameter === '' || new RegExp(`(?<![\\w$])${parameter}(?![\\w$])`).test(body));
  }
  parametersReadByFunction.set(fn, read);
  return read;
}

/**
 * The result of the elementwise op `fn(operands..., scalars...)` over `shape`, as a pending
 * chain that inlines the operands' own pending chains where they are laid out like the output.
 */
export function pendingElementwise(
  fn: GpuFunctionSource,
  name: string,
  operands: readonly TensorView[],
  scalars: readonly number[],
  shape: Shape,
  size: number,
  run: ChainRunner,
): PendingStorage {
  const functions = new Map<string, GpuFunctionSource>([[name, fn]]);
  const leaves: Leaf[] = [];
  const chainScalars: number[] = [];
  let calls = 1;
  const reads = declaredParametersRead(fn);
  const argumentsOfCall = operands.map((view, index) => {
    // An operand the function never reads (the relu gradient's input, next to its output and
    // the incoming gradient) is passed as 0: no texture unit, and its chain is not inlined.
    if (reads[index] === false) {
      chainScalars.push(0);
      return `$S${chainScalars.length - 1}$`;
    }
    const chain = inlinable(view, shape);
    if (
      chain &&
      leaves.length + chain.leaves.length <= fusionLeafLimit() - (operands.length - 1) &&
      calls + chain.calls <= FUSION_CALL_LIMIT
    ) {
      const call = renumber(chain.call, leaves.length, chainScalars.length);
      for (const leaf of chain.leaves) leaves.push({ ...leaf, texture: leaf.texture.clone() as Leaf['texture'] });
      chainScalars.push(...chain.scalars);
      for (const [functionName, source] of chain.functions) functions.set(functionName, source);
      calls += chain.calls;
      return call;
    }
    // A result that exists only as quads is read as quads, not converted first; a chain that
    // cannot be inlined (over the texture cap, broadcast, strided) runs as quads, a quarter of
    // the fragments, where it can.
    const data = view.data;
    if (
      data instanceof PendingStorage &&
      (data.quadsOnly || (data.chain !== undefined && quadEligible(data.chain.call, data.chain.shape)))
    ) {
      leaves.push({ texture: (data.quads as Leaf['texture']).clone() as Leaf['texture'], view, quad: true });
      return `$L${leaves.length - 1}$`;
    }
    const source = textureOf(view);
    // A scalar constant (a learning rate, `mean`'s divisor) is passed by value: no texture unit.
    const value = constantValue(source);
    if (value !== undefined) {
      chainScalars.push(value);
      return `$S${chainScalars.length - 1}$`;
    }
    leaves.push({ texture: (source as Leaf['texture']).clone() as Leaf['texture'], view });
    return `$L${leaves.length - 1}$`;
  });
  // An op reads as many scalars as its function declares (a unary op without a parameter none).
  const declared = fn.settings.argumentTypes.length - operands.length;
  const scalarArguments = scalars.slice(0, declared).map((value) => {
    chainScalars.push(value);
    return `$S${chainScalars.length - 1}$`;
  });
  const call = `${name}(${[...argumentsOfCall, ...scalarArguments].join(', ')})`;
  return new PendingStorage(size, { call, functions, leaves, scalars: chainScalars, shape, calls }, run);
}

/**
 * What a chain's kernel needs besides its operands, by the chain's kernel key (its call and which
 * leaves are quads, which determine the key's kernel): the functions it nests, its native fetches
 * and, per rank, its expression. Worked out once per key rather than on every run: a chain is
 * run once per training step or more, and its expression was rewritten from the call each time.
 */
interface ChainKernel {
  readonly functions: readonly GpuFunctionSource[];
  readonly natives: readonly NativeFunction[];
  /** The expression by rank (sparse). */
  readonly expressions: string[];
}

const chainKernels = new Map<string, ChainKernel>();

/** Runs `chain` as one kernel over its shape. */
function runChain(chain: Chain, run: ChainRunner): GpuStorage {
  const rank = chain.shape.length;
  const inputs = chain.leaves.map((leaf, index) => ({
    name: `leaf${index}`,
    // The leaf reads its own clone, through the operand's strides and offset.
    view: { ...leaf.view, data: { texture: leaf.texture, size: (leaf.view.data as GpuStorage).size } },
  }));
  const quads = chain.leaves.some((leaf) => leaf.quad)
    ? `/quads${chain.leaves.map((leaf) => (leaf.quad ? 1 : 0)).join('')}`
    : '';
  const key = `chain/${chain.call}${quads}`;
  let kernel = chainKernels.get(key);
  if (kernel === undefined) {
    kernel = {
      functions: [...chain.functions.values()],
      natives: [
        ...(chain.call.includes('vaneBlockedValue') ? blockedValueRows(chain.call) : []).map((rows) =>
          BLOCKED_VALUE(rows),
        ),
        ...(quads ? [QUAD_VALUE()] : []),
      ],
      expressions: [],
    };
    chainKernels.set(key, kernel);
  }
  const expression = (kernel.expressions[rank] ??= chainExpression(chain, rank));
  return run(
    key,
    chain.shape,
    inputs,
    expression,
    chain.scalars.map((value, index) => ({ name: `scalar${index}`, value })),
    kernel.functions,
    kernel.natives,
  );
}

/** The expression of `chain` at rank `rank`, its leaves, textures and scalars named as `runChain` passes them. */
function chainExpression(chain: Chain, rank: number): string {
  return chain.call
    .replace(/\$L(\d+)\$/g, (_, index: string) =>
      chain.leaves[Number(index)]!.quad
        ? `vaneQuadValue(leaf${index}, ${position(`leaf${index}`, rank)})`
        : `leaf${index}[${position(`leaf${index}`, rank)}]`,
    )
    .replace(/\$T(\d+)\$/g, (_, index: string) => `leaf${index}`)
    .replace(/\$S(\d+)\$/g, (_, index: string) => `scalar${index}`);
}

/**
 * A matmul's product in the block layout (packed-matmul.ts: a texture per row of a block, four or
 * eight) as a pending chain over `shape`: `vaneBlockedValue<rows>` unpacks it in whichever kernel
 * consumes it: a fused elementwise chain, or, when another op needs its texture, a kernel of
 * its own. Takes over the `product` textures.
 */
export function pendingBlocked(
  product: readonly unknown[],
  shape: Shape,
  m: number,
  n: number,
  blockRows: number,
  run: ChainRunner,
): PendingStorage {
  const size = sizeOf(shape);
  const leaves = product.map((texture) => ({
    texture: texture as Leaf['texture'],
    view: { data: { texture, size }, dtype: 'float32' as const, shape, strides: shape.map(() => 0), offset: 0 },
  }));
  const textures = product.map((_, index) => `$T${index}$`).join(', ');
  const call = `vaneBlockedValue${product.length as BlockRows}(${textures}, this.thread.x + 0.0, $S0$, $S1$, $S2$)`;
  return new PendingStorage(
    size,
    { call, functions: new Map(), leaves, scalars: [m, n, blockRows], shape, calls: 1 },
    run,
  );
}
