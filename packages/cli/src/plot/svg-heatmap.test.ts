import { describe, expect, it } from 'vitest';
import { svgHeatmap } from './svg-heatmap.js';

describe('svgHeatmap', () => {
  it('draws one labelled cell per value, darkest for the largest', () => {
    const svg = svgHeatmap(
      [
        [0.5, 0.9],
        [0.7, NaN],
      ],
      { title: 'a <grid>', rowLabels: ['sgd', 'adam'], columnLabels: ['sgd', 'adam'], rowTitle: 'M', columnTitle: 'D' },
    );
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(svg).toContain('a &lt;grid&gt;');
    expect(svg).toContain('rgb(31,119,180)'); // 0.9, the maximum
    expect(svg).toContain('rgb(255,255,255)'); // 0.5, the minimum
    expect(svg).toContain('>n/a<');
  });
});
