/**
 * A dependency-free SVG heatmap of a labelled grid (the M#D grafting grid): each cell coloured
 * from white (lowest value) to blue (highest) and printed with its value.
 */

/** Heatmap options. */
export interface HeatmapOptions {
  title: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  /** Axis titles, e.g. 'magnitude M' and 'direction D'. */
  rowTitle: string;
  columnTitle: string;
  /** How a value is printed in its cell (default 3 decimals). */
  format?: (value: number) => string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Renders `values[row][column]` as an SVG document.
 *
 * @example
 * svgHeatmap([[0.9, 0.8], [0.7, 0.95]], { title: 'accuracy', rowLabels: ['sgd', 'adam'], columnLabels: ['sgd', 'adam'], rowTitle: 'M', columnTitle: 'D' });
 */
export function svgHeatmap(values: readonly (readonly number[])[], options: HeatmapOptions): string {
  const cell = 90;
  const left = 130;
  const top = 80;
  // Wide enough for the title as well as the grid.
  const width = Math.max(left + cell * options.columnLabels.length + 30, options.title.length * 8 + 40);
  const height = top + cell * options.rowLabels.length + 30;
  const finite = values.flat().filter(Number.isFinite);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const format = options.format ?? ((value: number) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a'));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<text x="${left + (cell * options.columnLabels.length) / 2}" y="48" text-anchor="middle">${escapeXml(options.columnTitle)}</text>`,
    `<text x="16" y="${top + (cell * options.rowLabels.length) / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + (cell * options.rowLabels.length) / 2})">${escapeXml(options.rowTitle)}</text>`,
  ];
  options.columnLabels.forEach((label, column) =>
    parts.push(
      `<text x="${left + cell * column + cell / 2}" y="${top - 8}" text-anchor="middle">${escapeXml(label)}</text>`,
    ),
  );
  options.rowLabels.forEach((label, row) => {
    parts.push(
      `<text x="${left - 8}" y="${top + cell * row + cell / 2 + 4}" text-anchor="end">${escapeXml(label)}</text>`,
    );
    values[row]!.forEach((value, column) => {
      // Linear in the value between the grid's own extremes, so small differences stay visible.
      const share = Number.isFinite(value) && high > low ? (value - low) / (high - low) : 0;
      const channel = (from: number, to: number) => Math.round(from + (to - from) * share);
      const fill = `rgb(${channel(255, 31)},${channel(255, 119)},${channel(255, 180)})`;
      const x = left + cell * column;
      const y = top + cell * row;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#888"/>`);
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? 'white' : 'black'}">${escapeXml(format(value))}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
