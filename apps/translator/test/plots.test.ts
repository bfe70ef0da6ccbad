import { describe, expect, it } from 'vitest';
import { attentionHeatmap } from '../src/plots/attention-heatmap.js';
import { viridisColor } from '../src/plots/colormap.js';
import { lossCurve, movingAverage, thin } from '../src/plots/loss-curve.js';
import { formatTick, niceTicks } from '../src/plots/scale.js';
import { escapeXml } from '../src/plots/svg.js';
import { allElements, parseXml, textOf } from './xml.js';

const texts = (svg: string) =>
  allElements(parseXml(svg))
    .filter((e) => e.name === 'text')
    .map(textOf);

describe('attentionHeatmap', () => {
  const sourceTokens = ['the', 'red', 'car', '<eos>'];
  const targetTokens = ['la', 'voiture', 'rouge', '<eos>'];
  const weights = [
    [0.9, 0.05, 0.03, 0.02],
    [0.05, 0.1, 0.8, 0.05],
    [0.05, 0.85, 0.05, 0.05],
    [0.01, 0.01, 0.03, 0.95],
  ];

  it('is well-formed SVG with every token as a label and one cell per weight', () => {
    const root = parseXml(attentionHeatmap({ sourceTokens, targetTokens, weights, title: 'Attention' }));
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    const elements = allElements(root);
    const labels = (cls: string) => elements.filter((e) => e.attributes.class === cls).map(textOf);
    expect(labels('source')).toEqual(sourceTokens);
    expect(labels('target')).toEqual(targetTokens);
    const cells = elements.filter((e) => e.name === 'rect' && e.children.length > 0);
    expect(cells).toHaveLength(16);
    expect(textOf(cells[6])).toBe('voiture ← car: 0.800');
    expect(cells[6].attributes.fill).toBe(viridisColor(0.8));
    const captions = elements.filter((e) => e.name === 'text').map(textOf);
    expect(captions).toEqual(expect.arrayContaining(['Attention', 'source', 'target']));
  });

  it('has a colour scale with ticks from 0 to 1', () => {
    const elements = allElements(parseXml(attentionHeatmap({ sourceTokens, targetTokens, weights })));
    expect(elements.some((e) => e.name === 'linearGradient')).toBe(true);
    expect(elements.filter((e) => e.attributes.class === 'scale').map(textOf)).toEqual(['0.0', '0.5', '1.0']);
  });

  it('escapes <, & and > (and quotes) in tokens', () => {
    const svg = attentionHeatmap({
      sourceTokens: ['<unk>', 'R&D', 'a>b', '"q\''],
      targetTokens: ['<pad>', 'x&amp;y'],
      weights: [
        [0.25, 0.25, 0.25, 0.25],
        [0.1, 0.2, 0.3, 0.4],
      ],
      title: 'tokens <&>',
    });
    expect(svg).not.toMatch(/<unk>|R&D|a>b/);
    const labels = texts(svg);
    expect(labels).toEqual(
      expect.arrayContaining(['<unk>', 'R&D', 'a>b', '"q\'', '<pad>', 'x&amp;y', 'tokens <&>']),
    );
  });

  it('shortens very long labels and rejects weights of the wrong shape', () => {
    const long = 'x'.repeat(40);
    const labels = texts(attentionHeatmap({ sourceTokens: [long], targetTokens: ['y'], weights: [[1]] }));
    expect(labels).toContain(`${'x'.repeat(23)}…`);
    expect(() => attentionHeatmap({ sourceTokens, targetTokens, weights: [[1]] })).toThrow(
      /weights must be \[targetTokens.length, sourceTokens.length\] = \[4, 4\] \(got \[1, 1\]\)/,
    );
  });
});

describe('lossCurve', () => {
  const train = Array.from({ length: 300 }, (_, i) => 5 * Math.exp(-i / 80) + 0.5 + 0.3 * Math.sin(i * 1.7));
  const dev = [
    { step: 100, loss: 2.6, epoch: 1 },
    { step: 200, loss: 1.4, epoch: 2 },
    { step: 300, loss: 1.1, epoch: 3 },
  ];

  it('is well-formed SVG with axes, tick labels, axis labels and a legend', () => {
    const svg = lossCurve({ train, dev, title: 'Loss & <friends>' });
    const root = parseXml(svg);
    const labels = texts(svg);
    expect(labels).toEqual(
      expect.arrayContaining(['step', 'loss', 'train', 'train (smoothed)', 'dev (per epoch)']),
    );
    expect(labels).toContain('Loss & <friends>');
    expect(labels).toEqual(expect.arrayContaining(['100', '200', '300']));
    const polylines = allElements(root).filter((e) => e.name === 'polyline');
    expect(polylines).toHaveLength(4); // axes, raw, smoothed, dev
    expect(polylines[1].attributes.points.split(' ')).toHaveLength(300);
    const markers = allElements(root).filter((e) => e.name === 'circle');
    expect(markers.map(textOf)).toEqual([
      'dev loss 2.6000 after epoch 1 (step 100)',
      'dev loss 1.4000 after epoch 2 (step 200)',
      'dev loss 1.1000 after epoch 3 (step 300)',
    ]);
  });

  it('draws without dev loss, skips non-finite losses and thins very long runs', () => {
    const noisy = [...train, Number.NaN, Number.POSITIVE_INFINITY];
    const root = parseXml(lossCurve({ train: noisy }));
    expect(texts(lossCurve({ train: noisy }))).not.toContain('dev (per epoch)');
    expect(allElements(root).filter((e) => e.name === 'polyline')).toHaveLength(3);
    const long = Array.from({ length: 50_000 }, (_, i) => 1 / (1 + i));
    const polylines = allElements(parseXml(lossCurve({ train: long }))).filter((e) => e.name === 'polyline');
    expect(polylines[1].attributes.points.split(' ').length).toBeLessThanOrEqual(2002);
  });

  it('rejects a smoothing weight outside [0, 1)', () => {
    expect(() => lossCurve({ train, smoothing: 1 })).toThrow(/smoothing must be in \[0, 1\)/);
  });
});

describe('plot helpers', () => {
  it('give every picture an accessible name: a <title> as the first child of the <svg>', () => {
    const heatmap = attentionHeatmap({ sourceTokens: ['a'], targetTokens: ['b'], weights: [[1]] });
    const curve = lossCurve({ train: [{ step: 1, loss: 2 }], title: 'Loss & more' });
    expect(heatmap).toMatch(/<svg [^>]*><title>Attention weights<\/title>/);
    expect(curve).toMatch(/<svg [^>]*><title>Loss &amp; more<\/title>/);
  });

  it('debiases the moving average, so a constant stays constant', () => {
    const flat = movingAverage(
      [1, 2, 3].map((step) => ({ step, loss: 2 })),
      0.9,
    );
    for (const p of flat) expect(p.loss).toBeCloseTo(2, 12);
  });

  it('thins to about maxPoints keeping each bin’s extremes and both ends', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ step: i, loss: i === 500 ? 99 : 1 }));
    const thinned = thin(points, 100);
    expect(thinned.length).toBeLessThanOrEqual(102);
    expect(thinned.some((p) => p.loss === 99)).toBe(true);
    expect(thinned[0]).toBe(points[0]);
    expect(thinned[thinned.length - 1]).toBe(points[999]);
  });

  it('makes round ticks and labels', () => {
    expect(niceTicks(0, 7.3)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(0.13, 0.92, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 1)).toEqual([1]);
    expect(formatTick(0.25, [0, 0.25, 0.5])).toBe('0.25');
    expect(formatTick(2000, [0, 1000, 2000])).toBe('2000');
  });

  it('escapes XML and replaces characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\u0000b\ud800c😀')).toBe('a\ufffdb\ufffdc😀');
  });

  it('maps 0 and 1 to the ends of viridis', () => {
    expect(viridisColor(0)).toBe('#440154');
    expect(viridisColor(1)).toBe('#fde725');
    expect(viridisColor(2)).toBe('#fde725');
  });
});
