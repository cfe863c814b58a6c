/**
 * Turns a plain JavaScript function into a named `function` source that gpu.js can transpile.
 *
 * Kernels do not come through here: unary, binary and fused kernels are gpu.js source generated
 * from their expressions (`expression-source.ts`), and so are the store conversions and
 * `vaneRoundHalfEven` (kernel-definition.ts). What is left is the one helper the expression
 * language cannot say and shares with the CPU as a real function: `vaneErf` (a series and a
 * continued fraction, with loops).
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

// Minifiers (Vite's production build, esbuild --minify) turn `a === b ? 1 : 0` into
// `+(a === b)`, which GLSL rejects (no `+` on a bool): write such a unary plus on a comparison
// back as a conditional. Other unary pluses and every binary plus are left alone.
const COMPARISON = /[<>]|[=!]==?/;

function comparisonsAsConditionals(source: string): string {
  let result = '';
  let index = 0;
  while (index < source.length) {
    const start = source.indexOf('+(', index);
    if (start < 0) break;
    const before = source.slice(0, start).trimEnd();
    const unary = before === '' || /[(,=>?:{;&|+\-*/!<]$/.test(before) || /\breturn$/.test(before);
    let end = start + 1;
    let depth = 0;
    for (; end < source.length; end++) {
      if (source[end] === '(') depth++;
      else if (source[end] === ')' && --depth === 0) break;
    }
    const inner = source.slice(start + 2, end);
    if (unary && end < source.length && COMPARISON.test(inner)) {
      result += `${source.slice(index, start)}((${comparisonsAsConditionals(inner)}) ? 1 : 0)`;
      index = end + 1;
    } else {
      result += source.slice(index, start + 2);
      index = start + 2;
    }
  }
  return result + source.slice(index);
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
  const text = comparisonsAsConditionals(bareHelperCalls(fn.toString().trim()));
  const declaration = /^function\b[^(]*\(([^)]*)\)\s*(\{[\s\S]*\})$/.exec(text);
  if (declaration) return `function ${name}(${declaration[1]}) ${declaration[2]}`;
  const arrow = /^(?:\(([^)]*)\)|([\w$]+))\s*=>\s*([\s\S]*)$/.exec(text);
  if (!arrow)
    throw new Error(`gpu: cannot transpile kernel '${name}': its source is not a function: ${text.slice(0, 80)}`);
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
