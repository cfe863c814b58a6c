/**
 * GLSL statements shared by the native read functions (value-fetch.ts, quad-fetch.ts): a linear
 * texel index split into a texture row and column, the same split of a stride, and one step of
 * a strided walk from such a split. Float arithmetic, not gpu.js's integer modulo and division,
 * because llvmpipe runs integer division lane by lane (see value-fetch.ts); GLSL allows division
 * 2.5 ulp of error, enough to pick the neighbouring row for a large index (llvmpipe divides
 * exactly; GPUs often use a reciprocal), so each split takes one correction step, which makes it
 * exact below 2^24 (all of the backend's float index arithmetic). Each function expects a float
 * `width` (the texture's width in texels) in scope.
 */

/**
 * Statements that declare `float row` and `float column`, the texel at linear position `index`
 * (the name of a float variable: it is read twice).
 *
 * @example
 * `float width = float(texSize.x);\n${splitTexelIndex('index')}\nreturn texture2D(tex, (vec2(column, row) + 0.5) / vec2(texSize)).r;`
 */
export function splitTexelIndex(index: string): string {
  return `float row = floor((${index} + 0.5) / width);
  float column = ${index} - row * width;
  if (column < 0.0) {
    row -= 1.0;
    column += width;
  } else if (column >= width) {
    row += 1.0;
    column -= width;
  }`;
}

/**
 * Statements that declare `float rowStep` and `float columnStep` with
 * `stride = rowStep · width + columnStep` and `0 ≤ columnStep < width` (the stride, the name of a
 * float variable, may be negative), so that a walk steps with one carry at most
 * ({@link STEP_TEXEL}).
 *
 * @example
 * `${splitTexelIndex('first')}\n${splitTexelStride('stride')}\n${STEP_TEXEL}`
 */
export function splitTexelStride(stride: string): string {
  return `float rowStep = floor(${stride} / width);
  float columnStep = ${stride} - rowStep * width;
  if (columnStep < 0.0) {
    rowStep -= 1.0;
    columnStep += width;
  } else if (columnStep >= width) {
    rowStep += 1.0;
    columnStep -= width;
  }`;
}

/** Statements that move `row` and `column` one stride on ({@link splitTexelStride}), with its carry. */
export const STEP_TEXEL = `column += columnStep;
  row += rowStep;
  if (column >= width) {
    column -= width;
    row += 1.0;
  }`;
