/**
 * A pending elementwise chain (elementwise-fusion.ts) run four values per fragment into a quad
 * texture (quad-fetch.ts), for a consumer that reads quads: matmul's pack. A chain over a matrix
 * whose rows hold whole quads writes them in matmul's packed layout ({@link quadChainOutput}), so
 * that a product reads the chain's texture as its pack (a weight update read by `x · w`, a layer's
 * `relu(x · w + b)` read by the next layer's product, a relu gradient read by `dz · wᵀ`).
 *
 * Only on WebGL1 ({@link quadsAvailable}). On llvmpipe a one-value-per-texel pass costs about 15 ns per value whatever it computes (the
 * MLP step's weight update, 200,704 values, about 3 ms): the cost is per fragment, and each
 * fragment writes a whole RGBA32F texel for one value. Four values per fragment run a quarter of
 * the fragments; a blocked product (a matmul's result) is read one texel per four values, with
 * no lane select, where the single-value unpack samples its row texture and picks a lane per
 * value. The chain's ops are the same scalar functions, called once per lane.
 */
import { sizeOf, type Shape, type TensorView } from '@vane/tensor';
import type { GpuFunctionSource } from './function-source.js';
import { coordinates, names, position, viewArguments, viewParameters } from './index-arithmetic.js';
import { runKernel, type KernelDefinition, type KernelOutput, type NativeFunction } from './kernel-runner.js';
import { define } from './kernel-definition.js';
import { BLOCKED_QUAD, QUAD_VALUE, SAME_QUAD } from './quad-fetch.js';
import { FOUR_VALUES_FETCH } from './value-fetch.js';
import { gpuDevice } from './gpu-device.js';
import { blockedValueRows, eightRowBlocksAvailable, fitsTexture, type BlockRows } from './texel-fetch.js';

/** How a quad chain reads one of its leaves. */
export interface QuadLeaf {
  readonly texture: unknown;
  readonly view: TensorView;
  /** The leaf's texture holds four values per texel. */
  readonly quad: boolean;
  /** The leaf reads its storage's values 0…size−1 in row-major order over the chain's shape. */
  readonly aligned: boolean;
}

/** The parts of a pending chain a quad run needs (see elementwise-fusion.ts's `Chain`). */
export interface QuadChainInput {
  readonly call: string;
  /** The functions the call nests, by name (read only when the kernel compiles). */
  readonly functions: ReadonlyMap<string, GpuFunctionSource>;
  readonly leaves: readonly QuadLeaf[];
  readonly scalars: readonly number[];
  readonly shape: Shape;
}

/**
 * True where chains run as quads: WebGL1 (headless-gl), whose one-value storages are RGBA32F
 * textures (16 bytes per value), so a quad texture moves a quarter of the bytes and runs a
 * quarter of the fragments; and WebGL2 where products come in 8×4 blocks
 * (texel-fetch.ts's eightRowBlocksAvailable). gpu.js stores one value per R32F texel on WebGL2,
 * where quads save no bytes, and with 4×4 products the quad chains of the MLP step measured
 * slower there on SwiftShader (the 256×256 weight update 2.1 → 6.3 ms, session 24); but a
 * one-value unpack of an 8×4 product selects among eight row textures per value, and a quad
 * chain does it once per four values: on SwiftShader the MLP step took 53.7–60.6 ms (medians of
 * three in-page runs) with quad chains against 62.3–66.2 without (session 25).
 */
export function quadsAvailable(): boolean {
  const kernelClass = gpuDevice().info.kernelClass;
  if (kernelClass === 'HeadlessGLKernel' || kernelClass === 'WebGLKernel') return true;
  return kernelClass === 'WebGL2Kernel' && eightRowBlocksAvailable();
}

/**
 * True when a chain over `shape` can run four values per fragment: quads are available
 * ({@link quadsAvailable}), on WebGL2 the chain unpacks an 8×4 product (see there: elsewhere
 * quad chains were slower on SwiftShader, and the playground's adamw run took 71–86 s with every
 * eligible chain as quads against 48 s without), its size is a multiple of four and, when it
 * unpacks a blocked product, every row is too (so four consecutive values never straddle two
 * rows of the product).
 */
export function quadEligible(call: string, shape: Shape): boolean {
  if (!quadsAvailable()) return false;
  const size = sizeOf(shape);
  if (size === 0 || size % 4 !== 0) return false;
  const blockRows = productRowsOf(call);
  if (gpuDevice().info.kernelClass === 'WebGL2Kernel' && !blockRows.includes(8)) return false;
  return blockRows.length === 0 || shape[shape.length - 1]! % 4 === 0;
}

/** {@link productRowsOf}'s answers by call, at most {@link REMEMBERED_ANSWERS}. */
const productRowsByCall = new Map<string, readonly BlockRows[]>();
/** Answers each memo of this module keeps; a memo starts over beyond (a workload of many chain shapes). */
const REMEMBERED_ANSWERS = 1024;

/**
 * The row counts of the blocked products `call` unpacks (texel-fetch.ts's blockedValueRows).
 * {@link quadEligible} is asked several times for one chain (by the op that inlines it, by a
 * reduction, by a pack), every training step; the chains that unpack a product were searched
 * again each time. Keyed by the call's text, which the chain's kernel key holds as well.
 */
function productRowsOf(call: string): readonly BlockRows[] {
  // Most chains unpack no product: a plain substring test answers for them.
  if (!call.includes('vaneBlockedValue')) return [];
  let rows = productRowsByCall.get(call);
  if (rows === undefined) {
    if (productRowsByCall.size >= REMEMBERED_ANSWERS) productRowsByCall.clear();
    rows = blockedValueRows(call);
    productRowsByCall.set(call, rows);
  }
  return rows;
}

const LANES = [0, 1, 2, 3];

/**
 * The output of a quad chain over `shape`: `[quads of a row, rows]` where the last axis holds at
 * least two quads and that texture fits, so that texel (q, r) holds values 4q…4q+3 of row r, the
 * layout matmul's row-major pack has (packed-matmul.ts uses the texture as that pack, no pass);
 * its texels are still in row-major order, so a reader that splits an index by the texture's
 * width reads it as before. Else a near-square 1-D texture of size / 4 texels.
 */
export function quadChainOutput(shape: Shape): KernelOutput {
  const columns = shape[shape.length - 1] ?? 1;
  const quads = columns / 4;
  const rows = sizeOf(shape) / columns;
  return shape.length >= 2 && Number.isInteger(quads) && quads >= 2 && rows >= 2 && fitsTexture(quads, rows)
    ? [quads, rows]
    : sizeOf(shape) / 4;
}

/**
 * True when `texture` has the extent gpu.js gives `output` (a 2-D output exactly; a 1-D one its
 * near-square `closestSquareDimensions`), so that a fragment of that output reads its own texel
 * of `texture` at its own texture coordinate (`vaneSameQuad`).
 */
function sameExtent(texture: unknown, output: KernelOutput): boolean {
  const size = (texture as { size?: ArrayLike<number> }).size;
  if (size === undefined) return false;
  const extent = typeof output === 'number' ? nearSquareExtent(output) : output;
  return size[0] === extent[0] && size[1] === extent[1];
}

/** {@link nearSquareExtent}'s answers by length, at most {@link REMEMBERED_ANSWERS}. */
const nearSquareExtents = new Map<number, readonly [number, number]>();

/**
 * The texture extent gpu.js gives a 1-D output of `length` threads (its
 * `closestSquareDimensions`). Remembered per length: the search steps down from the square root
 * one width at a time, and a quad chain asks for each of its quad leaves on every run.
 */
function nearSquareExtent(length: number): readonly [number, number] {
  let extent = nearSquareExtents.get(length);
  if (extent === undefined) {
    let high = Math.ceil(Math.sqrt(length));
    let low = Math.floor(Math.sqrt(length));
    while (high * low < length) {
      high--;
      low = Math.ceil(length / high);
    }
    extent = [low, Math.ceil(length / low)];
    if (nearSquareExtents.size >= REMEMBERED_ANSWERS) nearSquareExtents.clear();
    nearSquareExtents.set(length, extent);
  }
  return extent;
}

/**
 * How a quad chain reads one leaf: `t` passed whole to a native function (a blocked product's
 * row texture), `a` a quad texture at the fragment's own texel, `f` four consecutive values of a
 * one-value texture from the fragment's first, `q` and `s` a quad or one-value texture through
 * the leaf's strides, lane by lane. Part of the kernel key: with the call, the rank and the
 * output's layout it determines the kernel's source.
 */
type LeafKind = 't' | 'a' | 'f' | 'q' | 's';

function leafKind(call: string, leaf: QuadLeaf, index: number, output: KernelOutput): LeafKind {
  if (!call.includes(`$L${index}$`)) return 't';
  // A quad leaf is read at the fragment's own texel only where its texture has this output's
  // extent (a quad chain over another shape of the same size may have another).
  if (leaf.aligned && (!leaf.quad || sameExtent(leaf.texture, output))) return leaf.quad ? 'a' : 'f';
  return leaf.quad ? 'q' : 's';
}

/**
 * Runs `chain` into a quad texture of size / 4 texels and returns that texture (not counted).
 *
 * A call works out only the kernel key and the argument values; the source is written when the
 * key's kernel compiles ({@link quadChainDefinition}), since the key determines it: regenerating
 * it on every call was a third of a millisecond of the MLP training step's JavaScript.
 */
export function runQuadChain(chain: QuadChainInput): unknown {
  const rank = chain.shape.length;
  const output = quadChainOutput(chain.shape);
  const kinds = chain.leaves.map((leaf, index) => leafKind(chain.call, leaf, index, output));
  const values: unknown[] = [];
  for (const leaf of chain.leaves) values.push(leaf.texture, ...viewArguments(leaf.view));
  values.push(...chain.shape, ...chain.scalars);
  return runKernel(
    `quadchain/${chain.call}/rank${rank}/${kinds.join('')}/${typeof output === 'number' ? '1d' : `2d${output[0]}`}`,
    () => quadChainDefinition(chain, kinds, output),
    output,
    values,
  );
}

/** The kernel of {@link runQuadChain}: `chain` over `output`, reading its leaves as `kinds` says. */
function quadChainDefinition(
  chain: QuadChainInput,
  kinds: readonly LeafKind[],
  output: KernelOutput,
): KernelDefinition {
  const rank = chain.shape.length;
  const hoisted: string[] = [];
  const natives = new Map<string, () => NativeFunction>();
  // A blocked product is read once per fragment: four consecutive values of one row.
  let call = chain.call.replace(/vaneBlockedValue(4|8)\(([^()]*)\)/g, (_, rows: string, parameters: string) => {
    const name = `blocked${hoisted.length}`;
    hoisted.push(`const ${name} = vaneBlockedQuad${rows}(${parameters.replace('this.thread.x + 0.0', 'quadStart')});`);
    natives.set(`vaneBlockedQuad${rows}`, () => BLOCKED_QUAD(Number(rows) as BlockRows));
    return `${name}[$LANE$]`;
  });
  let strided = false;
  kinds.forEach((kind, index) => {
    if (kind === 't') return;
    const name = `leaf${index}`;
    let read: string;
    if (kind === 'a' || kind === 'f') {
      const quad = `quadOfLeaf${index}`;
      hoisted.push(
        kind === 'a'
          ? `const ${quad} = vaneSameQuad(${name});`
          : `const ${quad} = vaneFourValues(${name}, quadStart, 1.0, 4.0);`,
      );
      natives.set(kind === 'a' ? 'vaneSameQuad' : 'vaneFourValues', kind === 'a' ? SAME_QUAD : FOUR_VALUES_FETCH);
      read = `${quad}[$LANE$]`;
    } else {
      strided = true;
      const at = position(name, rank, {}, 'lane$LANE$c');
      if (kind === 'q') natives.set('vaneQuadValue', QUAD_VALUE);
      read = kind === 'q' ? `vaneQuadValue(${name}, ${at})` : `${name}[${at}]`;
    }
    call = call.split(`$L${index}$`).join(read);
  });
  const named = (source: string) =>
    source
      .replace(/\$T(\d+)\$/g, (_, index: string) => `leaf${index}`)
      .replace(/\$S(\d+)\$/g, (_, index: string) => `scalar${index}`);
  const lanes = LANES.map((lane) => named(call).split('$LANE$').join(String(lane)));
  const laneCoordinates = strided
    ? LANES.map((lane) => coordinates(rank, `quadStart + ${lane}.0`, 'd', `lane${lane}c`))
    : [];
  // Texel (q, r) of a 2-D output holds the values from 4·(r·quads + q) on (row-major texels).
  const start =
    typeof output === 'number'
      ? '(this.thread.x + 0.0) * 4.0'
      : `((this.thread.y + 0.0) * ${output[0]}.0 + (this.thread.x + 0.0)) * 4.0`;
  const body = `const quadStart = ${start};
  ${[...laneCoordinates, ...hoisted.map(named)].join('\n  ')}
  return [${lanes.join(', ')}];`;
  const parameters = [
    ...chain.leaves.flatMap((_, index) => [`leaf${index}`, ...viewParameters(`leaf${index}`, rank)]),
    ...names('d', rank),
    ...chain.scalars.map((_, index) => `scalar${index}`),
  ];
  return {
    ...define(parameters, body, [...chain.functions.values()]),
    returnType: 'Array(4)' as const,
    nativeFunctions: [...natives.values()].map((native) => native()),
  };
}

/** Converts a quad texture of `size` values into a one-value-per-texel texture (not counted). */
export function unpackQuads(texture: unknown, size: number): unknown {
  return runKernel(
    'quad/unpack',
    () => ({ ...define(['q'], 'return vaneQuadValue(q, this.thread.x + 0.0);'), nativeFunctions: [QUAD_VALUE()] }),
    size,
    [texture],
  );
}
