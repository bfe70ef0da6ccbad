import { describe, expect, it } from 'vitest';
import { lineChart } from '../src/plots/line-chart.js';
import { allElements, parseXml, textOf } from './xml.js';

const elementsOf = (svg: string) => allElements(parseXml(svg));

describe('lineChart', () => {
  const series = [
    {
      label: 'no attention',
      points: [
        { x: 1, y: 30 },
        { x: 2, y: 20 },
        { x: 3, y: 10 },
      ],
    },
    {
      label: 'attention',
      points: [
        { x: 1, y: 32 },
        { x: 2, y: 31 },
        { x: 3, y: 30 },
      ],
    },
  ];

  it('draws one line and one marker per point for each series, with a legend and axis labels', () => {
    const svg = lineChart({ series, title: 'BLEU by length', xLabel: 'source length', yLabel: 'BLEU' });
    const elements = elementsOf(svg);
    expect(elements[0].name).toBe('svg');
    expect(elements.filter((e) => e.attributes.class === 'series')).toHaveLength(2);
    const markers = elements.filter((e) => e.name === 'circle');
    expect(markers).toHaveLength(6);
    expect(textOf(markers[1])).toBe('no attention: 20 at 2');
    expect(elements.filter((e) => e.attributes.class === 'legend').map(textOf)).toEqual([
      'no attention',
      'attention',
    ]);
    const texts = elements.filter((e) => e.name === 'text').map(textOf);
    expect(texts).toEqual(expect.arrayContaining(['BLEU by length', 'source length', 'BLEU']));
  });

  it('puts higher values higher up and larger x further right', () => {
    const markers = elementsOf(lineChart({ series })).filter((e) => e.name === 'circle');
    const [a, b, c] = markers
      .slice(0, 3)
      .map((m) => ({ x: Number(m.attributes.cx), y: Number(m.attributes.cy) }));
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(c.x);
    expect(a.y).toBeLessThan(b.y); // y = 30 is drawn above y = 20 (SVG y grows downwards)
    expect(b.y).toBeLessThan(c.y);
  });

  it('breaks a line at a missing value and skips its marker', () => {
    const svg = lineChart({
      series: [
        {
          label: 'gappy',
          points: [
            { x: 1, y: 1 },
            { x: 2, y: 2 },
            { x: 3, y: null },
            { x: 4, y: 4 },
            { x: 5, y: 5 },
          ],
        },
      ],
    });
    const elements = elementsOf(svg);
    expect(elements.filter((e) => e.attributes.class === 'series')).toHaveLength(2);
    expect(elements.filter((e) => e.name === 'circle')).toHaveLength(4);
  });

  it('uses named x ticks, a fixed y minimum and a labelled reference line', () => {
    const svg = lineChart({
      series,
      xTicks: [
        { x: 1, label: '1–5' },
        { x: 2, label: '6–10' },
        { x: 3, label: '11+' },
      ],
      yMin: 0,
      reference: { y: 25, label: 'target 25 BLEU' },
    });
    const elements = elementsOf(svg);
    const texts = elements.filter((e) => e.name === 'text').map(textOf);
    expect(texts).toEqual(expect.arrayContaining(['1–5', '6–10', '11+', '0', 'target 25 BLEU']));
    expect(elements.filter((e) => e.attributes.class === 'reference')).toHaveLength(1);
  });

  it('escapes labels and rejects a chart without series', () => {
    const svg = lineChart({ series: [{ label: 'a < b & c', points: [{ x: 0, y: 1 }] }] });
    expect(svg).not.toContain('a < b & c');
    expect(elementsOf(svg).some((e) => textOf(e) === 'a < b & c')).toBe(true);
    expect(() => lineChart({ series: [] })).toThrow(/lineChart: needs at least one series/);
  });
});
