/**
 * The page's plots, drawn with uPlot (see docs/decisions/0006-uplot-for-playground-charts.md):
 * line charts that grow point by point, and a bar histogram. Each chart follows its
 * container's width, so the page works in a narrow window, and writes its number of data
 * points into `data-points` (what the browser test checks).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart. */
export interface SeriesStyle {
  label: string;
  color: string;
  /** Draw only points (for sparse series such as one value per epoch on a per-step axis). */
  pointsOnly?: boolean;
  dash?: number[];
}

/** Options of {@link LineChart}. */
export interface LineChartOptions {
  xLabel: string;
  yLabel: string;
  series: SeriesStyle[];
  /** A base-10 logarithmic x axis (learning rates). */
  logX?: boolean;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  height?: number;
}

function chartWidth(element: HTMLElement): number {
  return Math.max(200, Math.floor(element.clientWidth || 600));
}

/** Redraws a uPlot at its container's width whenever the container is resized. */
function followWidth(element: HTMLElement, plot: uPlot, height: number): void {
  new ResizeObserver(() => plot.setSize({ width: chartWidth(element), height })).observe(element);
}

/**
 * A line chart whose x values and series grow as a run advances; `null` is a gap.
 *
 * @example
 * const chart = new LineChart(element, { xLabel: 'step', yLabel: 'loss', series: [{ label: 'batch', color: '#36c' }] });
 * chart.add(1, [2.3]);
 */
export class LineChart {
  private readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly columns: (number | null)[][];

  constructor(element: HTMLElement, options: LineChartOptions) {
    this.element = element;
    const height = options.height ?? 240;
    this.columns = options.series.map(() => []);
    this.plot = new uPlot(
      {
        width: chartWidth(element),
        height,
        scales: {
          x: options.logX ? { time: false, distr: 3, log: 10 } : { time: false },
          y: options.yRange ? { range: options.yRange } : {},
        },
        // uPlot's default tick labels round 0.0001 to "0"; one significant digit shows it.
        axes: [
          options.logX
            ? {
                label: options.xLabel,
                values: (_plot, splits) =>
                  splits.map((value) => (value == null ? '' : String(Number(value.toPrecision(1))))),
              }
            : { label: options.xLabel },
          { label: options.yLabel },
        ],
        series: [
          { label: options.xLabel },
          ...options.series.map((style) => ({
            label: style.label,
            stroke: style.color,
            width: 2,
            dash: style.dash,
            spanGaps: true,
            ...(style.pointsOnly
              ? { paths: () => null, points: { show: true, size: 7, fill: style.color } }
              : { points: { show: false } }),
          })),
        ],
        legend: { live: false },
      },
      [[], ...this.columns],
      element,
    );
    followWidth(element, this.plot, height);
    this.element.dataset.points = '0';
  }

  /** Adds a point at `x` with one value (or null) per series, keeping x sorted. */
  add(x: number, values: (number | null)[]): void {
    let index = this.xs.length;
    while (index > 0 && this.xs[index - 1]! > x) index--;
    if (this.xs[index - 1] === x) {
      values.forEach((value, series) => value !== null && (this.columns[series]![index - 1] = value));
    } else {
      this.xs.splice(index, 0, x);
      values.forEach((value, series) => this.columns[series]!.splice(index, 0, value));
    }
  }

  /** Draws what was added since the last draw (callers batch points to one draw per frame). */
  draw(): void {
    this.plot.setData([this.xs, ...this.columns] as uPlot.AlignedData);
    this.element.dataset.points = String(
      this.columns.reduce((total, column) => total + column.filter((value) => value !== null).length, 0),
    );
  }

  /** Removes every point. */
  clear(): void {
    this.xs.length = 0;
    for (const column of this.columns) column.length = 0;
    this.draw();
  }
}

/**
 * A histogram drawn as bars over bin centres.
 *
 * @example
 * const histogram = new BarChart(element, { xLabel: 'log₂ gain', yLabel: 'parameters', color: '#c60' });
 * histogram.show([-1, 0, 1], [10, 400, 30]);
 */
export class BarChart {
  private readonly element: HTMLElement;
  private readonly plot: uPlot;
  private centres: number[] = [];

  constructor(element: HTMLElement, options: { xLabel: string; yLabel: string; color: string; height?: number }) {
    this.element = element;
    const height = options.height ?? 200;
    this.plot = new uPlot(
      {
        width: chartWidth(element),
        height,
        // Half a bar of room at each end, so the first and last bars are drawn whole.
        scales: {
          x: {
            time: false,
            range: (_plot, low, high) => {
              const half = this.centres.length > 1 ? (this.centres[1]! - this.centres[0]!) / 2 : 0.5;
              return [low - half, high + half];
            },
          },
        },
        axes: [{ label: options.xLabel }, { label: options.yLabel }],
        series: [
          { label: options.xLabel },
          {
            label: options.yLabel,
            stroke: options.color,
            fill: `${options.color}99`,
            paths: uPlot.paths.bars!({ size: [0.9, 64] }),
            points: { show: false },
          },
        ],
        legend: { show: false },
      },
      [[], []],
      element,
    );
    followWidth(element, this.plot, height);
    this.element.dataset.points = '0';
  }

  /** Replaces the bars. */
  show(centres: number[], counts: number[]): void {
    this.centres = centres;
    this.plot.setData([centres, counts]);
    this.element.dataset.points = String(counts.length);
  }
}
