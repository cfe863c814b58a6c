/**
 * A dependency-free SVG line plot: several series over a linear or logarithmic x axis, each
 * with an optional shaded band (for example the min–max across seeds), a legend, axis ticks
 * and labels. Used by `vane sweep`, `vane surge` and `vane report`.
 */

/** One line of the plot. */
export interface PlotSeries {
  name: string;
  points: { x: number; y: number; low?: number; high?: number }[];
  /** Draw markers only, no connecting line (for measured points next to a fitted curve). */
  markersOnly?: boolean;
  dashed?: boolean;
}

/** Plot options. */
export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceTicks(low: number, high: number, count: number): number[] {
  if (!(high > low)) return [low];
  const step = Math.pow(10, Math.floor(Math.log10((high - low) / count)));
  const multiple = [1, 2, 5, 10].find((m) => (high - low) / (step * m) <= count) ?? 10;
  const spacing = step * multiple;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / spacing) * spacing; value <= high + spacing * 1e-9; value += spacing)
    ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

function formatTick(value: number, log: boolean): string {
  if (log) return `1e${Math.round(Math.log10(value))}`;
  if (value === 0) return '0';
  return Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3
    ? value.toExponential(1)
    : String(Number(value.toPrecision(4)));
}

/**
 * Renders the plot as an SVG document.
 *
 * @example
 * writeFileSync('sweep.svg', svgLinePlot([{ name: 'adamw', points: [{ x: 1e-3, y: 0.9 }] }], { title: 'Accuracy', xLabel: 'lr', yLabel: 'accuracy', logX: true }));
 */
export function svgLinePlot(series: readonly PlotSeries[], options: PlotOptions): string {
  // The legend column grows with the longest series name (about 7 px a character at 12 px),
  // so that names like 'active(adamw(weightDecay=0))' are not cut off; the plot area keeps its width.
  const longestName = Math.max(0, ...series.map((s) => s.name.length));
  const right = Math.max(170, 48 + 7 * longestName);
  const width = options.width ?? 550 + right;
  const height = options.height ?? 440;
  const margin = { left: 70, right, top: 40, bottom: 55 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points);
  const transformX = (x: number) => (options.logX ? Math.log10(x) : x);
  const transformY = (y: number) => (options.logY ? Math.log10(y) : y);
  const xs = all.map((p) => transformX(p.x)).filter(Number.isFinite);
  const ys = all
    .flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y])
    .map(transformY)
    .filter(Number.isFinite);
  let [xLow, xHigh] = [Math.min(...xs), Math.max(...xs)];
  let [yLow, yHigh] = [Math.min(...ys), Math.max(...ys)];
  if (!(xHigh > xLow)) [xLow, xHigh] = [xLow - 1, xHigh + 1];
  if (!(yHigh > yLow)) [yLow, yHigh] = [yLow - 1, yHigh + 1];
  const pad = (yHigh - yLow) * 0.05;
  yLow -= pad;
  yHigh += pad;
  const px = (x: number) => margin.left + ((transformX(x) - xLow) / (xHigh - xLow)) * plotWidth;
  const py = (y: number) => margin.top + (1 - (transformY(y) - yLow) / (yHigh - yLow)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
  const xTicks = options.logX
    ? niceTicks(Math.ceil(xLow), Math.floor(xHigh), 10)
        .filter(Number.isInteger)
        .map((e) => Math.pow(10, e))
    : niceTicks(xLow, xHigh, 8);
  for (const tick of xTicks) {
    const x = px(tick);
    parts.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotHeight}" stroke="#eee"/>`);
    parts.push(
      `<text x="${x}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${formatTick(tick, Boolean(options.logX))}</text>`,
    );
  }
  const yTicks = options.logY
    ? niceTicks(Math.ceil(yLow), Math.floor(yHigh), 8)
        .filter(Number.isInteger)
        .map((e) => Math.pow(10, e))
    : niceTicks(yLow, yHigh, 6);
  for (const tick of yTicks) {
    const y = py(tick);
    parts.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotWidth}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${margin.left - 6}" y="${y + 4}" text-anchor="end">${formatTick(tick, Boolean(options.logY))}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    const points = s.points
      .filter((p) => Number.isFinite(transformX(p.x)) && Number.isFinite(transformY(p.y)))
      .sort((a, b) => a.x - b.x);
    const banded = points.filter((p) => p.low !== undefined && p.high !== undefined);
    if (banded.length > 1) {
      const upper = banded.map((p) => `${px(p.x).toFixed(1)},${py(p.high!).toFixed(1)}`);
      const lower = banded.map((p) => `${px(p.x).toFixed(1)},${py(p.low!).toFixed(1)}`).reverse();
      parts.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`,
      );
    }
    if (!s.markersOnly && points.length > 1) {
      const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
      parts.push(
        `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    }
    if (s.markersOnly || points.length <= 12) {
      for (const p of points)
        parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const legendY = margin.top + 10 + index * 18;
    parts.push(
      `<line x1="${margin.left + plotWidth + 12}" y1="${legendY}" x2="${margin.left + plotWidth + 32}" y2="${legendY}" stroke="${color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${margin.left + plotWidth + 38}" y="${legendY + 4}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
