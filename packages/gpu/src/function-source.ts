/**
 * Turns a plain JavaScript function into a named `function` source that gpu.js can transpile.
 *
 * Kernels do not come through here: unary, binary and fused kernels are gpu.js source generated
 * from their expressions (`expression-source.ts`). What is left are the helpers the expression
 * language has no node for and shares with the CPU as real functions: `vaneErf` (a series and
 * a continued fraction, with loops), `vaneRoundHalfEven`, and the int32/bool store conversions.
 */

/** A function definition handed to gpu.js through a kernel's `functions` setting. */
export interface GpuFunctionSource {
  readonly source: string;
  readonly settings: { readonly returnType: 'Number'; readonly argumentTypes: readonly 'Number'[] };
}

// Module transforms rewrite calls to imported helpers as `(0, module.name)(...)` (bundlers)
// or `module.name(...)` (Vite's SSR transform); gpu.js only resolves bare function names.
const HELPER_NAMES = ['vaneErf', 'vaneRoundHalfEven'];

function bareHelperCalls(source: string): string {
  let result = source;
  for (const name of HELPER_NAMES) {
    result = result.replace(new RegExp(`\\(\\s*0\\s*,\\s*[\\w$]+\\.${name}\\s*\\)`, 'g'), name);
    result = result.replace(new RegExp(`[\\w$]+\\.${name}\\b`, 'g'), name);
    // A bundler may rename a helper on a name clash (vaneErf2); the GPU registers the plain name.
    result = result.replace(new RegExp(`\\b${name}\\d+\\b`, 'g'), name);
  }
  return result;
}

/**
 * The source of `fn` as `function name(parameters) { ... }`.
 *
 * Accepts arrow functions (expression or block body), function expressions and function
 * declarations; the parameter list is kept as written, so `fn` must be closure-free and use
 * only `Math` and the shared helpers, as the kernels in `@vane/tensor` are.
 *
 * @example
 * functionSource('vane_neg', (x) => -x) // 'function vane_neg(x) { return (-x); }'
 */
export function functionSource(name: string, fn: (...values: number[]) => number): string {
  const text = bareHelperCalls(fn.toString().trim());
  const declaration = /^function\b[^(]*\(([^)]*)\)\s*(\{[\s\S]*\})$/.exec(text);
  if (declaration) return `function ${name}(${declaration[1]}) ${declaration[2]}`;
  const arrow = /^(?:\(([^)]*)\)|([\w$]+))\s*=>\s*([\s\S]*)$/.exec(text);
  if (!arrow) throw new Error(`gpu: cannot transpile kernel '${name}': its source is not a function: ${text.slice(0, 80)}`);
  const parameters = arrow[1] ?? arrow[2] ?? '';
  const body = arrow[3]!.trim();
  return `function ${name}(${parameters}) ${body.startsWith('{') ? body : `{ return (${body}); }`}`;
}

/** The gpu.js function definition of `fn` under `name`, typed as numbers in and out. */
export function gpuFunction(name: string, fn: (...values: number[]) => number): GpuFunctionSource {
  return {
    source: functionSource(name, fn),
    settings: { returnType: 'Number', argumentTypes: new Array<'Number'>(fn.length).fill('Number') },
  };
}
