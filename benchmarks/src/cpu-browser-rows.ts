/**
 * Vane's CPU kernels in headless Chromium, on one thread and on two Web Workers: matmul 512 and
 * 1024, a memory-bound fusedMap and an MLP training step, each measured on one thread and then
 * on two right after (cpu-browser-page.ts), in a cross-origin isolated page (without isolation
 * there is no SharedArrayBuffer and the kernels stay on one thread, which the row then says).
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/cpu-browser-rows.ts`. `npm run bench`
 * (run.ts) adds the same table through {@link browserCpuRows} where Chromium is installed.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTiming, type BenchmarkRow, type Timing } from './harness.js';
import { runPageInChromium } from './chromium-page.js';

/** What {@link browserCpuRows} returns: the rows and where they ran, or why they were skipped. */
export type BrowserCpuRows =
  | {
      /** `Chromium <version>: <kernel mode>, <n> kernel threads active`. */
      readonly runtime: string;
      readonly rows: BenchmarkRow[];
    }
  | { readonly skipped: string };

/** Runs the CPU rows in a cross-origin isolated headless Chromium page. */
export async function browserCpuRows(): Promise<BrowserCpuRows> {
  const outcome = await runPageInChromium<{ rows: BenchmarkRow[]; threadsActive: number; kernels: string }>({
    entry: fileURLToPath(new URL('./cpu-browser-page.ts', import.meta.url)),
    resultGlobal: 'vaneCpuBrowserRows',
    crossOriginIsolated: true,
    title: 'vane cpu rows',
  });
  if ('skipped' in outcome) return outcome;
  const { rows, threadsActive, kernels } = outcome.result;
  return {
    runtime: `Chromium ${outcome.browserVersion}: kernels ${kernels}, up to ${threadsActive} kernel threads active (Web Workers)`,
    rows,
  };
}

/** The browser thread-scaling table: each row on one thread, on two, and the speed-up. */
export function browserCpuTable(rows: readonly BenchmarkRow[]): string {
  const isTiming = (value: BenchmarkRow['results'][string] | undefined): value is Timing =>
    value !== undefined && 'median' in value;
  const throughput = (row: BenchmarkRow, timing: Timing) =>
    row.work?.unit === 'FLOP' ? ` (${(row.work.amount / (timing.median / 1000) / 1e9).toFixed(2)} GFLOP/s)` : '';
  const lines = rows.map((row) => {
    const one = row.results['vane, 1 thread'];
    const two = row.results['vane, 2 threads'];
    const cell = (value: BenchmarkRow['results'][string] | undefined) =>
      value === undefined
        ? 'not measured'
        : isTiming(value)
          ? `${formatTiming(value)}${throughput(row, value)}`
          : `skipped: ${value.skipped}`;
    const ratio = isTiming(one) && isTiming(two) ? `${(one.median / two.median).toFixed(2)}×` : '';
    return `| ${row.name} | ${cell(one)} | ${cell(two)} | ${ratio} |`;
  });
  return ['| workload | vane, 1 thread | vane, 2 threads | speed-up |', '| --- | --- | --- | --- |', ...lines].join(
    '\n',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const before = loadavg()[0]!.toFixed(2);
  const result = await browserCpuRows();
  if ('skipped' in result) console.log(`skipped: ${result.skipped}`);
  else
    console.log(
      `${result.runtime}; load average ${before} → ${loadavg()[0]!.toFixed(2)}\n\n${browserCpuTable(result.rows)}`,
    );
}
