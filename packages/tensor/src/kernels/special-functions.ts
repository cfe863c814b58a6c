/**
 * Special functions the elementwise kernels need and `Math` lacks.
 *
 * Written as plain named functions without closures so that the same source runs in the CPU
 * loops and can be handed to gpu.js (`gpu.addFunction`).
 */

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, accurate to about 1e-14 in float64.
 *
 * For |x| < 3 the Maclaurin series Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)) converges with a cancellation
 * loss of at most three digits; beyond that the continued fraction of erfc
 * (erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))) converges in a few dozen
 * terms. A fixed term count keeps the loop bounds static for GPU transpilation.
 *
 * @example
 * vaneErf(1) // 0.8427007929497149
 */
export function vaneErf(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude !== magnitude) return x;
  let result = 0;
  if (magnitude < 3) {
    const square = magnitude * magnitude;
    let term = magnitude;
    let sum = magnitude;
    for (let n = 1; n < 80; n++) {
      term = (-term * square) / n;
      sum += term / (2 * n + 1);
    }
    result = 1.1283791670955126 * sum;
  } else {
    let fraction = magnitude;
    for (let n = 60; n >= 1; n--) {
      fraction = magnitude + (n * 0.5) / fraction;
    }
    result = 1 - Math.exp(-magnitude * magnitude) / (1.7724538509055159 * fraction);
  }
  return x < 0 ? -result : result;
}

/** Round half to even (banker's rounding), as NumPy and PyTorch round. */
export function vaneRoundHalfEven(x: number): number {
  const rounded = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return rounded;
}
