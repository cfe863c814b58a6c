import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from './documented-examples.js';

const guide = [
  '# Guide',
  '```ts',
  'import { x } from "y";',
  '```',
  'Text.',
  '```ts',
  'const a = 1;',
  '',
  'const b = a + 1;',
  '```',
  '```sh',
  'npm test',
  '```',
].join('\n');

describe('findUndocumentedExamples', () => {
  it('finds a block whose lines the test contains, up to indentation and blank lines', () => {
    const source = "import { x } from 'y';\nit('works', () => {\n    const a = 1;\n    const b = a + 1;\n});";
    expect(findUndocumentedExamples(guide, source, { skipImports: true })).toEqual({ blocks: 2, missing: [] });
  });

  it('reports blocks the test lacks, and import blocks unless told to skip them', () => {
    const source = 'const a = 1;\nconst b = a + 2;';
    const report = findUndocumentedExamples(guide, source);
    expect(report.blocks).toBe(2);
    expect(report.missing).toEqual(['import { x } from "y";\n', 'const a = 1;\n\nconst b = a + 1;\n']);
  });

  it('ignores how the formatter broke a line and its trailing commas, but not a changed token', () => {
    const oneLine = ['```ts', 'const value = run({ seed: 1, steps: 2 });', '```'].join('\n');
    const formatted = 'it("x", () => {\n  const value = run({\n    seed: 1,\n    steps: 2,\n  });\n});';
    expect(findUndocumentedExamples(oneLine, formatted).missing).toEqual([]);
    const changed = formatted.replace('steps: 2', 'steps: 3');
    expect(findUndocumentedExamples(oneLine, changed).missing).toHaveLength(1);
  });
});
