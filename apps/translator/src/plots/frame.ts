/**
 * @file The frame line charts share: title, horizontal grid lines with y labels, x ticks with labels, the two
 * axes and the axis titles. The caller draws its data inside `plot`.
 */
import { formatTick } from './scale.js';
import { element, num, text } from './svg.js';

/** The plotting area in SVG coordinates: x0 left, x1 right, y0 bottom (the x axis), y1 top. */
export interface PlotArea {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface FrameOptions {
  plot: PlotArea;
  title?: string;
  yTicks: readonly number[];
  xTicks: readonly { x: number; label: string }[];
  toX: (x: number) => number;
  toY: (y: number) => number;
  xLabel?: string;
  /** Baseline of the x axis title. */
  xLabelY: number;
  yLabel?: string;
}

const colors = { grid: '#e5e5e5', axis: '#444' };

export function chartFrame(options: FrameOptions): string[] {
  const { plot, title, yTicks, xTicks, toX, toY, xLabel, xLabelY, yLabel } = options;
  const parts: string[] = [];
  if (title) parts.push(text(title, { x: plot.x0, y: 26, 'font-size': 15, 'font-weight': 'bold' }));
  for (const tick of yTicks) {
    const y = toY(tick);
    parts.push(element('line', { x1: plot.x0, y1: y, x2: plot.x1, y2: y, stroke: colors.grid }));
    parts.push(
      text(formatTick(tick, yTicks), { x: plot.x0 - 8, y: y + 4, 'font-size': 11, 'text-anchor': 'end' }),
    );
  }
  for (const tick of xTicks) {
    const x = toX(tick.x);
    parts.push(element('line', { x1: x, y1: plot.y0, x2: x, y2: plot.y0 + 5, stroke: colors.axis }));
    parts.push(text(tick.label, { x, y: plot.y0 + 18, 'font-size': 11, 'text-anchor': 'middle' }));
  }
  parts.push(
    element('polyline', {
      points: `${num(plot.x0)},${num(plot.y1)} ${num(plot.x0)},${num(plot.y0)} ${num(plot.x1)},${num(plot.y0)}`,
      fill: 'none',
      stroke: colors.axis,
    }),
  );
  if (xLabel) {
    parts.push(
      text(xLabel, { x: (plot.x0 + plot.x1) / 2, y: xLabelY, 'font-size': 12, 'text-anchor': 'middle' }),
    );
  }
  if (yLabel) {
    const middle = (plot.y0 + plot.y1) / 2;
    parts.push(
      text(yLabel, {
        x: 18,
        y: middle,
        'font-size': 12,
        'text-anchor': 'middle',
        transform: `rotate(-90 18 ${num(middle)})`,
      }),
    );
  }
  return parts;
}
