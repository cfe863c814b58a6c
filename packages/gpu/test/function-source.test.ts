import { describe, expect, it } from 'vitest';
import { functionSource } from '../src/function-source.js';

// What a minifier makes of the kernels (Vite's production build: `a === b ? 1 : 0` becomes
// `+(a === b)`), built with `new Function` so that this file's own transform cannot change it.
const minified = (source: string) => new Function(`return ${source}`)() as (...values: number[]) => number;

describe('functionSource', () => {
  it('keeps a kernel as written', () => {
    expect(functionSource('vane_neg', (x) => -x)).toBe('function vane_neg(x) { return (-x); }');
    expect(functionSource('k', (a, b) => (a === b ? 1 : 0))).toMatch(
      /^function k\(a, b\) \{ return \(\(?a === b\)? \? 1 : 0\); \}$/,
    );
  });

  it("writes a minifier's unary plus on a comparison back as a conditional (GLSL has no + on bool)", () => {
    expect(functionSource('k', minified('(e,t)=>+(e===t)'))).toBe('function k(e,t) { return (((e===t) ? 1 : 0)); }');
    expect(functionSource('k', minified('(e,t)=>{return+(e<t)}'))).toBe('function k(e,t) {return((e<t) ? 1 : 0)}');
    expect(functionSource('k', minified('(e,t)=>e+(t<e)*2'))).toBe('function k(e,t) { return (e+(t<e)*2); }');
    expect(functionSource('k', minified('(e)=>+(e)'))).toBe('function k(e) { return (+(e)); }');
    expect(functionSource('k', minified('(e,t)=>+(+(e>t)===+(t>0))'))).toBe(
      'function k(e,t) { return (((((e>t) ? 1 : 0)===((t>0) ? 1 : 0)) ? 1 : 0)); }',
    );
  });
});
