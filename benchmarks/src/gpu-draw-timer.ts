/**
 * Times every gpu.js kernel run on a WebGL context: each `drawArrays` runs between two waits
 * for the device (`finish()`, or a one-pixel read where that does not wait), and its time is added to a row named after what the kernel does (the Vane
 * functions its fragment shader defines) and its output texture's size. Shared by the Node
 * kernel profile (gpu-kernel-profile.ts, headless-gl) and the browser one
 * (gpu-browser-kernel-page.ts, WebGL2 in Chromium). The finishes serialise the device, so the
 * sum is a little above a normal step's time; the ranking is what it is for.
 */

/** The parts of a WebGL context the timer calls. */
export interface TimedContext {
  finish(): void;
  drawArrays(...parameters: unknown[]): void;
  getParameter(name: number): unknown;
  getAttachedShaders(program: unknown): unknown[] | null;
  getShaderSource(shader: unknown): string | null;
  getUniform(program: unknown, location: unknown): unknown;
  getUniformLocation(program: unknown, name: string): unknown;
  readonly CURRENT_PROGRAM: number;
}

/** One row: a kernel at one output size. */
export interface DrawEntry {
  calls: number;
  milliseconds: number;
  /** Process CPU time where the caller can measure it (Node), else 0. */
  cpuMilliseconds: number;
}

/** A short name for a fragment shader: the kernel's own functions it defines (vane…), in order. */
function describe(source: string): string {
  const defined = [...source.matchAll(/\b(?:float|vec4|void)\s+(vane\w+)\s*\(/g)].map((match) => match[1]!);
  const distinct = [...new Set(defined)].filter((name) => !/^vane(Thread[XY]|Block(Sum|Row)\d\w*)$/.test(name));
  return distinct.slice(0, 6).join(',') || 'plain';
}

/**
 * Wraps `context.drawArrays`; draws are timed while `timing` is set on the returned object.
 * `cpuNow` returns the process's CPU time in milliseconds where there is one (Node). `settle`
 * waits until the device has done everything queued: `finish()` by default, which blocks in
 * headless-gl; in Chromium it does not wait for the GPU process, and a one-pixel `readPixels`
 * does.
 */
export function timeDraws(
  context: TimedContext,
  cpuNow?: () => number,
  settle: () => void = () => context.finish(),
): { timing: boolean; readonly entries: Map<string, DrawEntry> } {
  const state = { timing: false, entries: new Map<string, DrawEntry>() };
  const labels = new Map<unknown, string>();
  const draw = context.drawArrays.bind(context);
  context.drawArrays = (...parameters: unknown[]) => {
    if (!state.timing) return draw(...parameters);
    settle();
    const cpuBefore = cpuNow?.() ?? 0;
    const start = performance.now();
    draw(...parameters);
    settle();
    const milliseconds = performance.now() - start;
    const cpuMilliseconds = (cpuNow?.() ?? 0) - cpuBefore;
    const program = context.getParameter(context.CURRENT_PROGRAM);
    let label = labels.get(program);
    if (label === undefined) {
      const sources = (context.getAttachedShaders(program) ?? []).map(
        (shader) => context.getShaderSource(shader) ?? '',
      );
      // The fragment shader is the longer of the two (the vertex shader is a fixed quad).
      label = describe(sources.reduce((longest, source) => (source.length > longest.length ? source : longest), ''));
      labels.set(program, label);
    }
    // gpu.js sets the viewport to its largest texture; the output's own size is uniform uTexSize.
    const size = context.getUniform(
      program,
      context.getUniformLocation(program, 'uTexSize'),
    ) as ArrayLike<number> | null;
    const name = `${label} @${size ? `${size[0]}x${size[1]}` : '?'}`;
    const entry = state.entries.get(name) ?? { calls: 0, milliseconds: 0, cpuMilliseconds: 0 };
    entry.calls++;
    entry.milliseconds += milliseconds;
    entry.cpuMilliseconds += cpuMilliseconds;
    state.entries.set(name, entry);
  };
  return state;
}

/** The rows as text, slowest first: ms per step, CPU ms per step (Node only), calls per step, kernel. */
export function drawTable(entries: Map<string, DrawEntry>, steps: number, withCpu: boolean): string[] {
  const rows = [...entries.entries()].sort((a, b) =>
    withCpu ? b[1].cpuMilliseconds - a[1].cpuMilliseconds : b[1].milliseconds - a[1].milliseconds,
  );
  return [
    withCpu ? 'ms/step  cpu ms/step  calls/step  kernel @texture' : 'ms/step  calls/step  kernel @texture',
    ...rows.map(
      ([name, entry]) =>
        `${(entry.milliseconds / steps).toFixed(2).padStart(7)}  ${withCpu ? `${(entry.cpuMilliseconds / steps).toFixed(2).padStart(11)}  ` : ''}${(entry.calls / steps).toFixed(0).padStart(10)}  ${name}`,
    ),
  ];
}
