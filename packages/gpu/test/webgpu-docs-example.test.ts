/**
 * The example of docs/gpu.md's "The webgpu backend" section, run as written in headless
 * Chromium with WebGPU enabled: the code block is cut from the guide, its `console.log` calls
 * recorded, and the logged values checked against closed forms (exp(2x)).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromiumRequirement } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { runPageInChromium } from './support/chromium-page.js';
import { WEBGPU_CHROMIUM_ARGUMENTS, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

const chromium = chromiumRequirement();
const guide = readFileSync(new URL('../../../docs/gpu.md', import.meta.url), 'utf8');

/** The first ```ts block after `heading`. */
function exampleAfter(heading: string): string {
  const section = guide.slice(guide.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`docs/gpu.md: no ts example after '${heading}'`);
  return match[1]!;
}

describe('docs/gpu.md: the webgpu backend example', () => {
  it('runs in headless Chromium and logs exp(2x)', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    chromium.skipUnlessAvailable(context);
    const example = exampleAfter('## The webgpu backend');
    const lines = example.split('\n');
    const imports = lines.filter((line) => line.startsWith('import '));
    const body = lines.filter((line) => !line.startsWith('import ')).join('\n');
    const entry = fileURLToPath(new URL('./webgpu/generated-docs-example.ts', import.meta.url));
    writeFileSync(
      entry,
      [
        ...imports,
        'const logged: unknown[] = [];',
        'const console = { log: (...values: unknown[]) => logged.push(values.map((value) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value))) };',
        'async function example() {',
        body,
        '}',
        'example().then(() => ((globalThis as { vaneResult?: unknown }).vaneResult = { logged }), (error: unknown) => ((globalThis as { vaneResult?: unknown }).vaneResult = { error: String(error) }));',
      ].join('\n'),
    );
    try {
      const { result, pageErrors } = await runPageInChromium<{ logged?: unknown[][]; error?: string }>(
        entry,
        '',
        WEBGPU_PAGE_TIMEOUT_MS,
        WEBGPU_CHROMIUM_ARGUMENTS,
      );
      expect(pageErrors).toEqual([]);
      expect(result.error).toBeUndefined();
      const values = result.logged![0]![0] as number[];
      [2, 4, 6].forEach((exponent, index) => expect(values[index]).toBeCloseTo(Math.exp(exponent), 3));
    } finally {
      rmSync(entry, { force: true });
    }
  });
});
