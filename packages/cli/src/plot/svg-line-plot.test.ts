import { describe, expect, it } from 'vitest';
import { svgLinePlot } from './svg-line-plot.js';

describe('svgLinePlot', () => {
  const svg = svgLinePlot(
    [
      { name: 'adamw', points: [1e-5, 1e-4, 1e-3].map((x, i) => ({ x, y: i, low: i - 0.5, high: i + 0.5 })) },
      {
        name: 'a<b>',
        points: [
          { x: 1e-5, y: 2 },
          { x: 1e-3, y: 1 },
        ],
        dashed: true,
      },
    ],
    { title: 'Final accuracy', xLabel: 'learning rate', yLabel: 'accuracy', logX: true },
  );

  it('is a standalone SVG with a title, a legend entry per series and escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>Final accuracy<');
    expect(svg).toContain('>adamw<');
    expect(svg).toContain('>a&lt;b&gt;<');
  });

  it('draws a shaded band for series with low/high and decade ticks on a log axis', () => {
    expect((svg.match(/<polygon/g) ?? []).length).toBe(1);
    for (const tick of ['1e-5', '1e-4', '1e-3']) expect(svg).toContain(`>${tick}<`);
    expect(svg).toContain('stroke-dasharray');
  });

  it('widens the legend column for long series names and keeps the default width for short ones', () => {
    const widthOf = (name: string) =>
      Number(
        /^<svg [^>]*width="(\d+)"/.exec(
          svgLinePlot([{ name, points: [{ x: 1, y: 1 }] }], { title: 't', xLabel: 'x', yLabel: 'y' }),
        )![1],
      );
    expect(widthOf('adamw')).toBe(720);
    // 'active(adamw(weightDecay=0))' is 28 characters: 48 + 7·28 = 244 px of legend beside the 480 px plot and 70 px axis.
    expect(widthOf('active(adamw(weightDecay=0))')).toBe(70 + 480 + 244);
  });
});
