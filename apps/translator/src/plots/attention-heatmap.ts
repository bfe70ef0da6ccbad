/**
 * @file An attention heatmap as SVG: one cell per (target token, source token), coloured by the weight the
 * decoder gave that source token when it produced that target token; source tokens along the top, target
 * tokens down the left, a colour bar on the right. Hovering a cell shows its weight.
 */
import { viridisColor, viridisStops } from './colormap.js';
import { formatTick, linearScale, niceTicks } from './scale.js';
import { element, escapeXml, num, svgDocument, text } from './svg.js';

export interface AttentionHeatmapOptions {
  sourceTokens: readonly string[];
  targetTokens: readonly string[];
  /** weights[t][s]: target step t's weight on source token s (rows usually sum to 1). */
  weights: readonly ArrayLike<number>[];
  title?: string;
  /** Cell side in pixels (default 28). */
  cellSize?: number;
  /** Colour range (default [0, 1], attention probabilities). */
  min?: number;
  max?: number;
}

const fontSize = 12;
// A rough advance width for the label font, to leave room for the longest label.
const charWidth = 7;
const maxLabelChars = 24;

/**
 * @example writeFileAtomic('attention.svg', attentionHeatmap({ sourceTokens, targetTokens, weights }))
 */
export function attentionHeatmap(options: AttentionHeatmapOptions): string {
  const { sourceTokens, targetTokens, weights, title, cellSize = 28, min = 0, max = 1 } = options;
  if (weights.length !== targetTokens.length || weights.some((row) => row.length !== sourceTokens.length)) {
    throw new RangeError(
      `attentionHeatmap: weights must be [targetTokens.length, sourceTokens.length] = [${targetTokens.length}, ${sourceTokens.length}] (got [${weights.length}, ${weights[0]?.length ?? 0}])`,
    );
  }
  const sourceLabels = sourceTokens.map(shorten);
  const targetLabels = targetTokens.map(shorten);
  const longest = (labels: string[]) => Math.max(1, ...labels.map((l) => Array.from(l).length));
  const titleHeight = title ? 28 : 8;
  const left = 16 + longest(targetLabels) * charWidth + 8;
  const top = titleHeight + longest(sourceLabels) * charWidth + 8;
  const gridWidth = sourceTokens.length * cellSize;
  const gridHeight = targetTokens.length * cellSize;
  const barX = left + gridWidth + 24;
  const barWidth = 14;
  const barHeight = Math.max(gridHeight, 80);
  const width = barX + barWidth + 48;
  const height = top + Math.max(gridHeight, barHeight) + 40;
  const unit = linearScale(min, max, 0, 1);

  const parts: string[] = [];
  if (title) parts.push(text(title, { x: 16, y: 20, 'font-size': 15, 'font-weight': 'bold' }));

  weights.forEach((row, t) => {
    for (let s = 0; s < sourceTokens.length; s++) {
      const weight = row[s];
      parts.push(
        element(
          'rect',
          {
            x: left + s * cellSize,
            y: top + t * cellSize,
            width: cellSize,
            height: cellSize,
            fill: viridisColor(unit(weight)),
          },
          [
            element('title', {}, [
              escapeXml(`${targetTokens[t]} ← ${sourceTokens[s]}: ${weight.toFixed(3)}`),
            ]),
          ],
        ),
      );
    }
  });
  parts.push(
    element('rect', { x: left, y: top, width: gridWidth, height: gridHeight, fill: 'none', stroke: '#444' }),
  );

  sourceLabels.forEach((label, s) => {
    const x = left + (s + 0.5) * cellSize + fontSize / 3;
    const y = top - 6;
    parts.push(
      text(label, {
        x,
        y,
        'font-size': fontSize,
        transform: `rotate(-90 ${num(x)} ${num(y)})`,
        class: 'source',
      }),
    );
  });
  targetLabels.forEach((label, t) => {
    const y = top + (t + 0.5) * cellSize + fontSize / 3;
    parts.push(text(label, { x: left - 6, y, 'font-size': fontSize, 'text-anchor': 'end', class: 'target' }));
  });
  parts.push(
    text('target', { x: left - 6, y: top - 6, 'font-size': fontSize, 'text-anchor': 'end', fill: '#555' }),
  );
  parts.push(
    text('source', {
      x: left + gridWidth / 2,
      y: height - 14,
      'font-size': fontSize,
      'text-anchor': 'middle',
      fill: '#555',
    }),
  );

  parts.push(...colorBar(barX, top, barWidth, barHeight, min, max));
  return svgDocument(width, height, title ?? 'Attention weights', parts);
}

/** A vertical gradient from `min` (bottom) to `max` (top) with ticks. */
function colorBar(x: number, y: number, width: number, height: number, min: number, max: number): string[] {
  // The gradient runs top (offset 0, colour of max) to bottom (offset 1, colour of min).
  const stops = viridisStops().map(({ offset }) =>
    element('stop', { offset, 'stop-color': viridisColor(1 - offset) }),
  );
  const gradient = element('linearGradient', { id: 'attention-scale', x1: 0, y1: 0, x2: 0, y2: 1 }, stops);
  const parts = [
    element('defs', {}, [gradient]),
    element('rect', { x, y, width, height, fill: 'url(#attention-scale)', stroke: '#444' }),
  ];
  const ticks = niceTicks(min, max, 4);
  const toY = linearScale(min, max, y + height, y);
  for (const tick of ticks) {
    const ty = toY(tick);
    parts.push(element('line', { x1: x + width, y1: ty, x2: x + width + 4, y2: ty, stroke: '#444' }));
    parts.push(
      text(formatTick(tick, ticks), { x: x + width + 7, y: ty + 4, 'font-size': 11, class: 'scale' }),
    );
  }
  return parts;
}

function shorten(token: string): string {
  const chars = Array.from(token);
  return chars.length <= maxLabelChars ? token : `${chars.slice(0, maxLabelChars - 1).join('')}…`;
}
