/**
 * Pieces of gpu.js kernel source that turn the flat output index into coordinates and
 * coordinates into a strided input position.
 *
 * Shapes, strides and offsets are passed as scalar kernel arguments (uniforms) rather than
 * gpu.js constants, so one compiled kernel serves every shape of a given rank. GLSL has only
 * floats here: integer division is `floor((i + 0.5) / d)`, exact for the integers below 2^24
 * that index a texture.
 */

/** Names `prefix0 … prefix{count−1}`. */
export function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, axis) => `${prefix}${axis}`);
}

/** The kernel parameters of a strided view called `name`: its offset and one stride per axis. */
export function viewParameters(name: string, rank: number): string[] {
  return [`${name}Offset`, ...names(`${name}Stride`, rank)];
}

/**
 * Declares `c0 … c{rank−1}`, the row-major coordinates of the flat index `flat` over the
 * dimensions named `d0 … d{rank−1}` (the `dimensionPrefix`).
 */
export function coordinates(
  rank: number,
  flat = 'this.thread.x + 0.0',
  dimensionPrefix = 'd',
  coordinatePrefix = 'c',
): string {
  if (rank === 0) return '';
  const lines = [`let ${coordinatePrefix}Rest = ${flat};`];
  for (let axis = rank - 1; axis >= 1; axis--) {
    const dimension = `${dimensionPrefix}${axis}`;
    lines.push(
      `const ${coordinatePrefix}Quotient${axis} = Math.floor((${coordinatePrefix}Rest + 0.5) / ${dimension});`,
    );
    lines.push(
      `const ${coordinatePrefix}${axis} = ${coordinatePrefix}Rest - ${coordinatePrefix}Quotient${axis} * ${dimension};`,
    );
    lines.push(`${coordinatePrefix}Rest = ${coordinatePrefix}Quotient${axis};`);
  }
  lines.push(`const ${coordinatePrefix}0 = ${coordinatePrefix}Rest;`);
  return lines.join('\n  ');
}

/** The position in view `name` of the coordinates `c0 …`, optionally replacing some of them. */
export function position(
  name: string,
  rank: number,
  replace: Record<number, string> = {},
  coordinatePrefix = 'c',
): string {
  const terms = [`${name}Offset`];
  for (let axis = 0; axis < rank; axis++)
    terms.push(`(${replace[axis] ?? `${coordinatePrefix}${axis}`}) * ${name}Stride${axis}`);
  return terms.join(' + ');
}

/** The argument values of a view: offset then strides. */
export function viewArguments(view: { readonly offset: number; readonly strides: readonly number[] }): number[] {
  return [view.offset, ...view.strides];
}
