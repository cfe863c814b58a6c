/**
 * Relaxed SIMD's fused multiply-add in the float32 matmul. Node 20 has relaxed SIMD only with
 * --experimental-wasm-relaxed-simd (Node 22+ by default), so both cases run in child
 * processes: with relaxed SIMD (the flag where it is needed) the
 * fused kernel must be detected, used, within the float32 accumulation bound of the scalar
 * kernel and (being fused) different in the last bit somewhere from mul+add; without it,
 * kernelInfo() must say why it is off. On an engine that has relaxed SIMD by default (Node 22+)
 * the second case checks that it is on by default instead.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernelInfo, setFusedMultiplyAdd } from '../index.js';
import { relaxedSimdSupported } from './simd-kernels-module.js';
import { simdKernels } from './kernel-runtime.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

const probe = fileURLToPath(new URL('./fixtures/fused-multiply-add-probe.ts', import.meta.url));

function runProbe(flags: string[]): {
  supported: boolean;
  info: { available: boolean; active: boolean; reason?: string };
  infoWhenOff: { active: boolean; reason?: string };
  differing: number;
  withinBound: boolean;
} {
  const output = execFileSync(process.execPath, [...flags, '--import', 'tsx', probe], {
    encoding: 'utf8',
    env: { ...process.env, VANE_FMA: undefined },
  });
  return JSON.parse(output.trim().split('\n').pop()!);
}

describe('fused multiply-add (relaxed SIMD) in matmul', () => {
  it.skipIf(SIMD_OFF)(
    'is detected and used where the engine has relaxed SIMD, within the accumulation bound',
    () => {
      // Node 22+ has relaxed SIMD by default (and Node 24 no longer accepts the flag); Node 20
      // needs the flag.
      let result = runProbe([]);
      if (!result.supported) result = runProbe(['--experimental-wasm-relaxed-simd']);
      expect(result.info).toEqual({ available: true, active: true });
      expect(result.withinBound).toBe(true);
      // 67×45 products of depth 300: a fused kernel rounds differently somewhere.
      expect(result.differing).toBeGreaterThan(0);
      expect(result.infoWhenOff).toEqual({
        available: true,
        active: false,
        reason: 'turned off by setFusedMultiplyAdd(false) or VANE_FMA=0',
      });
    },
    30_000,
  );

  it('reports why it is off where the engine lacks relaxed SIMD', () => {
    const result = runProbe([]);
    if (result.supported) {
      // An engine with relaxed SIMD by default (Node 22+): on unless turned off.
      expect(result.info).toEqual({ available: true, active: true });
      return;
    }
    expect(result.info).toEqual({
      available: false,
      active: false,
      reason: 'this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)',
    });
    expect(result.differing).toBe(0);
  }, 30_000);

  it('agrees with relaxedSimdSupported() in this process and rejects a non-boolean switch', () => {
    expect(kernelInfo().fusedMultiplyAdd.available).toBe(relaxedSimdSupported());
    expect(() => setFusedMultiplyAdd('no' as unknown as boolean)).toThrow(
      "setFusedMultiplyAdd: 'enabled' must be a boolean, got string",
    );
  });
});
