/**
 * The inline SIMD transcendental functions (packages/tensor/src/wasm/simd-math.ts) against the
 * JavaScript loop they replace: each op on 1e6 float32 elements, SIMD mode and scalar mode
 * (`setKernelMode('scalar')`, the loop every call took before) alternating round by round, one
 * kernel thread (the loop has one). Prints each op's median time per mode and the median of the
 * per-round ratios, with the load average before and after.
 *
 * `exp (op)` is the exp op, which uses the standalone f32x4 exp kernel (simd-kernels-module.ts);
 * `exp (expression)` is a fusedMap kernel e.exp(x), which uses the inline f64x2 exp. The pow
 * rows are the pow op (binary kernels without an f32x4 instruction run on the expression
 * compiler), with a tensor exponent and with a broadcast scalar one.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/simd-math-speed.ts [-- --rounds 7]
 */
import { loadavg } from 'node:os';
import {
  cos,
  exp,
  expression as e,
  fusedMap,
  gelu,
  log,
  setKernelMode,
  setThreadCount,
  sigmoid,
  silu,
  pow,
  sin,
  softplus,
  tan,
  tanh,
  tensor,
  type Tensor,
} from '@vane/tensor';

const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex >= 0 ? Number(process.argv[roundsIndex + 1]) : 7;
const size = 1_000_000;
const values = Float32Array.from({ length: size }, (_, index) => Math.sin(index) * 20);
const positive = Float32Array.from(values, (value) => Math.abs(value) + 1e-3);
const x = tensor(values);
const xPositive = tensor(positive);
// Exponents in [−3, 3]: with bases up to 20 the results stay within float32.
const exponents = tensor(Float32Array.from({ length: size }, (_, index) => Math.cos(index) * 3));
const expKernel = { name: 'bench.simdMath.exp', arity: 1, scalarCount: 0, expression: e.exp(e.input(0)) };

const cases: readonly [string, () => Tensor][] = [
  ['exp (op)', () => exp(x)],
  ['exp (expression)', () => fusedMap(expKernel, [x])],
  ['log', () => log(xPositive)],
  ['sigmoid', () => sigmoid(x)],
  ['tanh', () => tanh(x)],
  ['softplus', () => softplus(x)],
  ['silu', () => silu(x)],
  ['gelu', () => gelu(x)],
  // x in [−20, 20]: every lane on the inline path (none beyond the reduction bound).
  ['sin', () => sin(x)],
  ['cos', () => cos(x)],
  ['tan', () => tan(x)],
  // pow: a tensor exponent (the binary:pow kernel), and a broadcast scalar exponent
  // (binary:pow:rightScalar), on positive bases and on signed ones with an integer exponent.
  ['pow (tensor exponent)', () => pow(xPositive, exponents)],
  ['pow (x, 3)', () => pow(x, 3)],
  ['pow (x, 0.5)', () => pow(xPositive, 0.5)],
];

function time(run: () => Tensor): number {
  const start = performance.now();
  run().dispose();
  return performance.now() - start;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

setThreadCount(1);
const loadBefore = loadavg()[0]!;
const results = cases.map(() => ({ simd: [] as number[], scalar: [] as number[], ratio: [] as number[] }));
for (let round = 0; round < rounds; round++) {
  cases.forEach(([, run], index) => {
    // The better of two calls per mode (the first can include compilation or a page-in).
    setKernelMode('simd');
    const simd = Math.min(time(run), time(run));
    setKernelMode('scalar');
    const scalar = Math.min(time(run), time(run));
    results[index]!.simd.push(simd);
    results[index]!.scalar.push(scalar);
    results[index]!.ratio.push(scalar / simd);
  });
}
setKernelMode('simd');
const loadAfter = loadavg()[0]!;
console.log(
  `1e6 float32 elements, ${rounds} alternating rounds, 1 kernel thread, Node ${process.version}, load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (${new Date().toISOString()})`,
);
console.log('| op | JavaScript loop (ms) | SIMD (ms) | speed-up (median of per-round ratios) |');
console.log('|---|---|---|---|');
cases.forEach(([name], index) => {
  const { simd, scalar, ratio } = results[index]!;
  console.log(`| ${name} | ${median(scalar).toFixed(2)} | ${median(simd).toFixed(2)} | ${median(ratio).toFixed(2)}× |`);
});
