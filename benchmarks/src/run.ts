/**
 * `npm run bench`: runs every benchmark suite side by side with the peers in one process,
 * prints a table with Vane's ratio to each peer, and writes
 * `benchmarks/results/<date>.json` and `benchmarks/results/<date>.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { kernelInfo, kernelThreadsReady } from '@vane/tensor';
import { formatTiming, ONE_THREAD_COLUMN, threadScaling, type BenchmarkRow, type Timing } from './harness.js';
import { numpyTimings } from './numpy-peer.js';
import { gpuRows, stepCountLines } from './gpu-rows.js';
import { browserGpuRows } from './gpu-browser-rows.js';
import { browserCpuRows, browserCpuTable } from './cpu-browser-rows.js';
import { loadTfjs } from './peers.js';
import { loadJax } from './jax-peer.js';
import { tensorCoreRows } from './tensor-core.js';
import { trainingStepRows } from './training-steps.js';

function isTiming(value: Timing | { skipped: string } | undefined): value is Timing {
  return value !== undefined && 'median' in value;
}

function throughput(row: BenchmarkRow, timing: Timing): string {
  if (!row.work) return '';
  const perSecond = row.work.amount / (timing.median / 1000);
  return row.work.unit === 'FLOP' ? ` (${(perSecond / 1e9).toFixed(2)} GFLOP/s)` : '';
}

/** Renders rows as a markdown table with Vane's speed-up over each other column. */
export function markdownTable(rows: BenchmarkRow[]): string {
  // Vane's one-thread timings have their own table (scalingTable).
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.results)))].filter(
    (column) => column !== ONE_THREAD_COLUMN,
  );
  const peers = columns.filter((column) => column !== 'vane');
  const header = `| workload | ${columns.join(' | ')} | ${peers.map((peer) => `vane speed-up vs ${peer}`).join(' | ')} |`;
  const divider = `|${' --- |'.repeat(1 + columns.length + peers.length)}`;
  const lines = rows.map((row) => {
    const cells = columns.map((column) => {
      const result = row.results[column];
      if (!result) return '';
      return isTiming(result) ? `${formatTiming(result)}${throughput(row, result)}` : `skipped: ${result.skipped}`;
    });
    const vane = row.results.vane;
    const ratios = peers.map((peer) => {
      const other = row.results[peer];
      return isTiming(vane) && isTiming(other) ? `${(other.median / vane.median).toFixed(2)}×` : '';
    });
    return `| ${row.name} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`;
  });
  return [header, divider, ...lines].join('\n');
}

/** The GPU rows: Vane on its cpu and gpu backends, and the gpu's time relative to the cpu's. */
export function gpuMarkdownTable(rows: BenchmarkRow[]): string {
  const cell = (result: Timing | { skipped: string } | undefined) =>
    result === undefined ? '' : isTiming(result) ? formatTiming(result) : `skipped: ${result.skipped}`;
  // The webgpu columns appear where the rows measured the webgpu backend (a browser with WebGPU).
  const withWebGpu = rows.some((row) => row.results['vane webgpu'] !== undefined);
  const lines = rows.map((row) => {
    const cpu = row.results['vane cpu'];
    const ratio = (result: Timing | { skipped: string } | undefined) =>
      isTiming(cpu) && isTiming(result) ? `${(result.median / cpu.median).toFixed(2)}×` : '';
    const gpu = row.results['vane gpu'];
    const webGpu = row.results['vane webgpu'];
    return `| ${row.name} | ${cell(cpu)} | ${cell(gpu)} | ${ratio(gpu)} |${withWebGpu ? ` ${cell(webGpu)} | ${ratio(webGpu)} |` : ''}`;
  });
  const header = withWebGpu
    ? [
        '| workload | vane cpu | vane gpu | gpu time / cpu time | vane webgpu | webgpu time / cpu time |',
        '| --- | --- | --- | --- | --- | --- |',
      ]
    : ['| workload | vane cpu | vane gpu | gpu time / cpu time |', '| --- | --- | --- | --- |'];
  return [...header, ...lines].join('\n');
}

/**
 * The thread-scaling table: Vane's time for each row on `threads` threads and, measured right
 * after it, on one thread, and the speed-up.
 */
export function scalingTable(rows: BenchmarkRow[], threads: number): string {
  const lines = rows.flatMap((row) => {
    const many = row.results.vane;
    const one = row.results[ONE_THREAD_COLUMN];
    if (!isTiming(many) || !isTiming(one)) return [];
    return [
      `| ${row.name} | ${formatTiming(one)}${throughput(row, one)} | ${formatTiming(many)}${throughput(row, many)} | ${(one.median / many.median).toFixed(2)}× |`,
    ];
  });
  return [
    `| workload | vane, 1 thread | vane, ${threads} threads | speed-up |`,
    '| --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

/** Vane-against-Vane ratios between rows (autodiff and optimizer-wrapper overheads). */
export function derivedRatios(rows: BenchmarkRow[]): string {
  const median = (name: string) => {
    const result = rows.find((row) => row.name === name)?.results.vane;
    return isTiming(result) ? result.median : undefined;
  };
  const ratio = (label: string, numerator: string, denominator: string, target: string) => {
    const top = median(numerator);
    const bottom = median(denominator);
    return `| ${label} | ${top !== undefined && bottom !== undefined ? `${(top / bottom).toFixed(2)}×` : 'not measured'} | ${target} |`;
  };
  return [
    '| derived ratio (vane rows, same run) | value | target |',
    '| --- | --- | --- |',
    ratio(
      'valueAndGrad / forward, MLP 784-256-256-10',
      'MLP valueAndGrad 784-256-256-10, batch 128',
      'MLP forward only 784-256-256-10, batch 128',
      '≤ 3',
    ),
    ratio(
      'active(adamw) / adamw, 10M params',
      'optimizer step active(adamw), 10M params',
      'optimizer step adamw, 10M params',
      '≤ 1.3',
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const startLoad = loadavg()[0]!.toFixed(1);
  const tfjs = await loadTfjs();
  const tf = 'tf' in tfjs ? tfjs.tf : undefined;
  if (!tf) console.warn(`TensorFlow.js unavailable: ${(tfjs as { unavailable: string }).unavailable}`);
  const backends = 'backends' in tfjs ? tfjs.backends : [];
  // The main pass runs on the default thread count (VANE_THREADS or the cores); the workers are
  // started first so that no row is timed while they start.
  const threadState = await kernelThreadsReady();
  console.log(
    `Vane kernel threads: ${threadState.active} of ${threadState.requested} requested${threadState.reason ? ` (${threadState.reason})` : ''}`,
  );
  const jax = await loadJax();
  console.log('unavailable' in jax ? `jax-js unavailable: ${jax.unavailable}` : `jax-js: ${jax.description}`);
  threadScaling.threads = threadState.active;
  const rows = [...(await tensorCoreRows(tf, backends, jax)), ...(await trainingStepRows(tf, backends, jax))];
  const scaling =
    threadState.active > 1
      ? scalingTable(rows, threadState.active)
      : 'not measured: the kernels run on one thread here';
  // NumPy runs last, in its own process, so it never competes with the rows above for the cores.
  const numpy = numpyTimings();
  for (const row of rows) {
    if (!(row.group === 'matmul' || row.group === 'elementwise')) continue;
    const timing = 'results' in numpy ? numpy.results[row.name] : undefined;
    row.results.numpy = timing ?? {
      skipped: 'unavailable' in numpy ? numpy.unavailable : 'filtered out or not measured',
    };
  }
  if ('version' in numpy) console.log(`NumPy ${numpy.version}`);
  // GPU rows come after everything else: compiling gpu.js kernels competes for the CPU.
  const gpu = await gpuRows();
  console.log(
    `GPU renderer: ${gpu.renderer}${gpu.software ? ' (software rasterizer: the GPU rows claim no speed)' : ''}`,
  );
  const date = new Date().toISOString().slice(0, 10);
  // The load average is recorded because the cores are shared: a run under load is slower for
  // every column, so only ratios within one run are comparable.
  const kernels = kernelInfo();
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; ${'unavailable' in jax ? `jax-js unavailable (${jax.unavailable})` : jax.description}; Vane kernels: ${kernels.active}${kernels.fallbackReason ? ` (${kernels.fallbackReason})` : ''}, ${threadState.active} threads, fused multiply-add ${kernels.fusedMultiplyAdd.active ? 'on' : `off (${kernels.fusedMultiplyAdd.reason})`}; load average at start ${startLoad}, at end ${loadavg()[0]!.toFixed(1)}; command: npm run bench`;
  // The same rows in headless Chromium (WebGL2; SwiftShader on a machine without a GPU).
  const browser = await browserGpuRows();
  const browserTable =
    'skipped' in browser
      ? `GPU rows in headless Chromium: skipped (${browser.skipped})`
      : `GPU rows in headless Chromium, ${browser.renderer}${/swiftshader/i.test(browser.renderer) ? ' (a software renderer: recorded, no speed claimed)' : ''}\n\n${gpuMarkdownTable(browser.rows)}\n\n${stepCountLines(browser.stepCounts)}`;
  // Vane's CPU kernels in the same browser, on one thread and on two Web Workers.
  const browserCpu = await browserCpuRows();
  const browserCpuText =
    'skipped' in browserCpu
      ? `CPU rows in headless Chromium: skipped (${browserCpu.skipped})`
      : `CPU rows in headless Chromium (cross-origin isolated page), ${browserCpu.runtime}; each row on one thread, then on two right after\n\n${browserCpuTable(browserCpu.rows)}`;
  const gpuTable = `GPU rows, renderer: ${gpu.renderer}${gpu.software ? ' (a software rasterizer: recorded, no speed claimed)' : ''}\n\n${gpuMarkdownTable(gpu.rows)}\n\n${stepCountLines(gpu.stepCounts)}\n\n${browserTable}`;
  const table = `${markdownTable(rows)}\n\n${derivedRatios(rows)}\n\nThread scaling (each row's vane cell, then the same on one thread right after it; rows with no threaded kernel show the noise):\n\n${scaling}\n\n${browserCpuText}\n\n${gpuTable}`;
  console.log(`\nMachine: ${machine}\n\n${table}\n`);
  const directory = new URL('../results/', import.meta.url).pathname;
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    `${directory}${date}.json`,
    JSON.stringify(
      {
        date,
        machine,
        rows,
        gpu: { renderer: gpu.renderer, software: gpu.software, rows: gpu.rows, stepCounts: gpu.stepCounts },
        browserGpu: browser,
        browserCpu,
      },
      null,
      2,
    ),
  );
  writeFileSync(`${directory}${date}.md`, `# Benchmarks ${date}\n\nMachine: ${machine}\n\n${table}\n`);
  console.log(`wrote benchmarks/results/${date}.json and .md`);
}

await main();
