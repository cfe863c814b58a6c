/**
 * The browser half of the asynchronous-readback test: bundled by browser-readback.test.ts, run
 * in headless Chromium (WebGL2), and reported through `window.vaneResult`. Each case reads a
 * tensor with `await data()` and with `dataSync()` and compares both, value by value with
 * Object.is (NaN and −0 included), against the values computed on the host.
 */
import { broadcastTo, greater, matmul, setBackend, slice, tensor, tidy, transpose, type Tensor } from '@vane/tensor';
import { asynchronousReadbackCount, gpuInfo, gpuTextureCount } from '../../src/index.js';
import { gpuDevice } from '../../src/gpu-device.js';
import { readbackChannels } from '../../src/readback.js';

interface Case {
  readonly name: string;
  readonly dtype: string;
  readonly length: number;
  /** Indices where `await data()` differs from the host's values (at most 5). */
  readonly asyncMismatches: string[];
  /** Indices where `dataSync()` differs from the host's values (at most 5). */
  readonly syncMismatches: string[];
}

function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): string[] {
  const found: string[] = [];
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  for (let index = 0; index < expected.length && found.length < 5; index++)
    if (!Object.is(actual[index], expected[index])) found.push(`[${index}] ${actual[index]} != ${expected[index]}`);
  return found;
}

async function compare(name: string, x: Tensor, expected: ArrayLike<number>): Promise<Case> {
  const asynchronous = await x.data();
  const synchronous = x.dataSync();
  return {
    name,
    dtype: x.dtype,
    length: expected.length,
    asyncMismatches: mismatches(asynchronous, expected),
    syncMismatches: mismatches(synchronous, expected),
  };
}

/** A float32 pattern with NaN, ±Infinity and −0 among ordinary values. */
function floats(length: number): Float32Array {
  const values = Float32Array.from({ length }, (_, index) => Math.sin(index * 1.7) * 1000);
  const specials = [NaN, Infinity, -Infinity, -0, 0];
  specials.forEach((value, index) => {
    if (index * 7 < length) values[index * 7] = value;
  });
  return values;
}

/**
 * With `?rgba`, the context claims RGBA/FLOAT as its implementation read format (as a WebGL2
 * implementation without tight float reads would), so the reads take the four-channel path.
 */
function simulateRgbaReadFormat(context: WebGL2RenderingContext): void {
  const original = context.getParameter.bind(context);
  context.getParameter = ((name: number) =>
    name === context.IMPLEMENTATION_COLOR_READ_FORMAT ? context.RGBA : original(name)) as typeof context.getParameter;
}

async function run(): Promise<unknown> {
  const info = gpuInfo();
  const context = (gpuDevice().gpu as { context: WebGL2RenderingContext }).context;
  if (location.search.includes('rgba')) simulateRgbaReadFormat(context);
  setBackend('gpu');
  const texturesBefore = gpuTextureCount();
  const readsBefore = asynchronousReadbackCount();
  const cases: Case[] = [];
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(x: T) => (owned.push(x), x);

  // float32 of sizes not a multiple of 4 (nor of the texture width), and one value.
  for (const length of [1, 3, 7, 1001, 65_537]) {
    const values = floats(length);
    cases.push(await compare(`float32 × ${length}`, keep(tensor(values)), values));
  }
  // int32 (small and large magnitudes, exact in float32) and bool.
  const integers = Int32Array.from({ length: 999 }, (_, index) => ((index * 7919) % 20001) - 10000);
  integers[5] = 16_777_216;
  integers[6] = -16_777_216;
  cases.push(await compare('int32 × 999', keep(tensor(integers, { dtype: 'int32' })), integers));
  const bools = Uint8Array.from({ length: 513 }, (_, index) => (index % 3 === 0 ? 1 : 0));
  cases.push(await compare('bool × 513', keep(tensor(bools, { dtype: 'bool' })), bools));
  // A bool computed on the device (a comparison), and int32 computed on the device (argmax).
  const base = floats(1003).map((value) => (Number.isNaN(value) ? 0 : value));
  const baseTensor = keep(tensor(base));
  cases.push(
    await compare(
      'bool from greater',
      keep(greater(baseTensor, 0)),
      Uint8Array.from(base, (value) => (value > 0 ? 1 : 0)),
    ),
  );
  // Views: a slice with an offset, a transpose, a broadcast.
  const matrix = Float32Array.from({ length: 37 * 53 }, (_, index) => index * 0.25 - 100);
  const matrixTensor = keep(tensor(matrix, { shape: [37, 53] }));
  const sliceExpected: number[] = [];
  for (let row = 3; row < 30; row++)
    for (let column = 5; column < 50; column += 2) sliceExpected.push(matrix[row * 53 + column]!);
  cases.push(
    await compare(
      'slice [3:30, 5:50:2]',
      keep(
        slice(matrixTensor, [
          { start: 3, stop: 30 },
          { start: 5, stop: 50, step: 2 },
        ]),
      ),
      sliceExpected,
    ),
  );
  const transposeExpected: number[] = [];
  for (let column = 0; column < 53; column++)
    for (let row = 0; row < 37; row++) transposeExpected.push(matrix[row * 53 + column]!);
  cases.push(await compare('transpose [53, 37]', keep(transpose(matrixTensor)), transposeExpected));
  const row = keep(tensor(Float32Array.from([1.5, -2.5, 3.25])));
  cases.push(
    await compare(
      'broadcast [5, 3]',
      keep(broadcastTo(row, [5, 3])),
      Array.from({ length: 15 }, (_, index) => [1.5, -2.5, 3.25][index % 3]!),
    ),
  );

  // Several reads in flight at once, and a tensor disposed while its read is pending: the read
  // was issued before data() returned, so it still sees the values.
  const first = tensor(floats(300));
  const second = tensor(floats(301));
  const pendingReads = [first.data(), second.data()];
  first.dispose();
  second.dispose();
  const [firstValues, secondValues] = await Promise.all(pendingReads);
  cases.push({
    name: 'two reads in flight, tensors disposed before they settle',
    dtype: 'float32',
    length: 601,
    asyncMismatches: [...mismatches(firstValues!, floats(300)), ...mismatches(secondValues!, floats(301))],
    syncMismatches: [],
  });

  // The main thread stays free while a large read is pending: a timer chain keeps ticking.
  const side = 512;
  const left = keep(
    tensor(
      Float32Array.from({ length: side * side }, (_, index) => (index % 17) - 8),
      { shape: [side, side] },
    ),
  );
  const product = keep(tidy(() => matmul(left, left).add(matmul(left, transpose(left)))));
  let ticks = 0;
  let ticking = true;
  const tick = () => {
    ticks++;
    if (ticking) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const started = performance.now();
  const large = await product.data();
  const asyncMilliseconds = performance.now() - started;
  const ticksDuringAsyncRead = ticks;
  ticking = false;
  // The same values read synchronously, for the comparison (a blocking read cannot tick).
  const check = tidy(() => matmul(left, left).add(matmul(left, transpose(left))));
  const ticksBeforeSyncRead = ticks;
  const largeSync = check.dataSync();
  const ticksDuringSyncRead = ticks - ticksBeforeSyncRead;
  check.dispose();

  for (const x of owned) x.dispose();
  setBackend('cpu');
  return {
    info,
    cases,
    asynchronousReads: asynchronousReadbackCount() - readsBefore,
    channels: [...readbackChannels(context).values()],
    largeRead: {
      length: large.length,
      mismatchesAgainstSync: mismatches(large, largeSync),
      ticksDuringAsyncRead,
      ticksDuringSyncRead,
      asyncMilliseconds,
    },
    leakedTextures: gpuTextureCount() - texturesBefore,
  };
}

const target = globalThis as { vaneResult?: unknown };
run().then(
  (result) => {
    target.vaneResult = { ok: true, ...(result as object) };
  },
  (error: unknown) => {
    target.vaneResult = { ok: false, error: String((error as Error).stack ?? error) };
  },
);
