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
import { runKernel, type KernelOutput, type NativeFunction } from './kernel-runner.js';
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
  readonly functions: readonly GpuFunctionSource[];
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
  if (gpuDevice().info.kernelClass === 'WebGL2Kernel' && !blockedValueRows(call).includes(8)) return false;
  const size = sizeOf(shape);
  if (size === 0 || size % 4 !== 0) return false;
  return blockedValueRows(call).length === 0 || shape[shape.length - 1]! % 4 === 0;
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
  let extent: readonly number[];
  if (typeof output === 'number') {
    let high = Math.ceil(Math.sqrt(output));
    let low = Math.floor(Math.sqrt(output));
    while (high * low < output) {
      high--;
      low = Math.ceil(output / high);
    }
    extent = [low, Math.ceil(output / low)];
  } else extent = output;
  return size[0] === extent[0] && size[1] === extent[1];
}

/** Runs `chain` into a quad texture of size / 4 texels and returns that texture (not counted). */
export function runQuadChain(chain: QuadChainInput): unknown {
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
  const output = quadChainOutput(chain.shape);
  const kinds = chain.leaves.map((leaf, index) => {
    const name = `leaf${index}`;
    const placeholder = `$L${index}$`;
    if (!call.includes(placeholder)) return 't';
    let read: string;
    // A quad leaf is read at the fragment's own texel only where its texture has this output's
    // extent (a quad chain over another shape of the same size may have another).
    if (leaf.aligned && (!leaf.quad || sameExtent(leaf.texture, output))) {
      const quad = `quadOfLeaf${index}`;
      hoisted.push(
        leaf.quad
          ? `const ${quad} = vaneSameQuad(${name});`
          : `const ${quad} = vaneFourValues(${name}, quadStart, 1.0, 4.0);`,
      );
      natives.set(leaf.quad ? 'vaneSameQuad' : 'vaneFourValues', leaf.quad ? SAME_QUAD : FOUR_VALUES_FETCH);
      read = `${quad}[$LANE$]`;
    } else {
      strided = true;
      const at = position(name, rank, {}, 'lane$LANE$c');
      if (leaf.quad) natives.set('vaneQuadValue', QUAD_VALUE);
      read = leaf.quad ? `vaneQuadValue(${name}, ${at})` : `${name}[${at}]`;
    }
    call = call.split(placeholder).join(read);
    return read.startsWith('quadOfLeaf') ? (leaf.quad ? 'a' : 'f') : leaf.quad ? 'q' : 's';
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
  const values = [
    ...chain.leaves.flatMap((leaf) => [leaf.texture, ...viewArguments(leaf.view)]),
    ...chain.shape,
    ...chain.scalars,
  ];
  return runKernel(
    `quadchain/${chain.call}/rank${rank}/${kinds.join('')}/${typeof output === 'number' ? '1d' : `2d${output[0]}`}`,
    () => ({
      ...define(parameters, body, chain.functions),
      returnType: 'Array(4)' as const,
      nativeFunctions: [...natives.values()].map((native) => native()),
    }),
    output,
    values,
  );
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
