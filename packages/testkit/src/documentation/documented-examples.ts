/**
 * Keeping guides honest: every TypeScript example in a markdown guide must appear in a test
 * file that runs it, so a guide cannot show code that no longer works.
 */

/** What {@link findUndocumentedExamples} reports. */
export interface DocumentedExamples {
  /** How many ```ts blocks the guide has (skipped import blocks included). */
  blocks: number;
  /** The blocks whose code does not appear, in order, in the test source. */
  missing: string[];
}

// Comparison ignores layout: all whitespace (indentation, line breaks, blank lines) and trailing
// commas before a closing bracket. The test nests examples inside `it(...)`, and the formatter
// (prettier) may break a long guide line in the test but not in the guide, or the other way round.
function normalise(text: string): string {
  return text.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');
}

/**
 * Finds the ```ts blocks of `guide` that do not appear verbatim (up to whitespace, line breaks and
 * trailing commas) in `testSource`. With `skipImports`, blocks that start with `import` are not required:
 * a guide shows the package entry point, while the test imports the same names at its top.
 *
 * @example
 * const guide = readFileSync(new URL('../../../docs/active.md', import.meta.url), 'utf8');
 * const source = readFileSync(new URL(import.meta.url), 'utf8');
 * const { blocks, missing } = findUndocumentedExamples(guide, source, { skipImports: true });
 * expect(blocks).toBeGreaterThan(3);
 * expect(missing).toEqual([]);
 */
export function findUndocumentedExamples(
  guide: string,
  testSource: string,
  options: { skipImports?: boolean } = {},
): DocumentedExamples {
  const source = normalise(testSource);
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const missing = blocks.filter((block) => {
    if (options.skipImports && block.trimStart().startsWith('import')) return false;
    return !source.includes(normalise(block));
  });
  return { blocks: blocks.length, missing };
}
