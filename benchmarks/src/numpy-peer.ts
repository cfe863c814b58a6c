/**
 * NumPy as a reference near the machine's limit (OpenBLAS matmul, vectorised ufuncs): a
 * Python child process times the same workloads with the same statistics (warm-up, then the
 * median and quartiles) and prints JSON. Skipped, with the reason, when `python3` with NumPy
 * is missing.
 */
import { spawnSync } from 'node:child_process';
import type { Timing } from './harness.js';

// The Python side mirrors harness.ts: 3 warm-up runs, then at least 5 runs and 300 ms.
const SCRIPT = String.raw`
import json, sys, time
import numpy as np
def measure(fn, maximum_runs=50):
    for _ in range(3): fn()
    times = []
    start = time.perf_counter()
    while len(times) < maximum_runs and (len(times) < 5 or time.perf_counter() - start < 0.3):
        before = time.perf_counter(); fn(); times.append((time.perf_counter() - before) * 1000)
    q1, median, q3 = np.percentile(times, [25, 50, 75])
    return {"median": median, "q1": q1, "q3": q3, "runs": len(times)}
rng = np.random.default_rng(1)
results = {}
for size in (64, 256, 512, 1024):
    a = rng.standard_normal((size, size), dtype=np.float32); b = rng.standard_normal((size, size), dtype=np.float32)
    results[f"matmul {size}x{size}"] = measure(lambda: a @ b)
x = rng.standard_normal(1000000, dtype=np.float32); y = rng.standard_normal(1000000, dtype=np.float32)
results["add 1e6"] = measure(lambda: x + y)
results["exp 1e6"] = measure(lambda: np.exp(x))
print(json.dumps({"version": np.__version__, "results": results}))
`;

/** NumPy timings by row name, or the reason they are unavailable. */
export function numpyTimings(): { version: string; results: Record<string, Timing> } | { unavailable: string } {
  const environment = { ...process.env };
  // Machine notes: these two OpenBLAS overrides misdetect this CPU; drop them for the child only.
  delete environment.OPENBLAS_CORETYPE;
  delete environment.OPENBLAS_L2_SIZE;
  const child = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { env: environment, encoding: 'utf8', timeout: 300_000 });
  if (child.error) return { unavailable: `python3 not runnable: ${child.error.message}` };
  if (child.status !== 0) return { unavailable: `python3/NumPy failed: ${child.stderr.trim().split('\n').pop()}` };
  return JSON.parse(child.stdout) as { version: string; results: Record<string, Timing> };
}
