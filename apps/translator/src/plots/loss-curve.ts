/**
 * @file A training curve as SVG: the raw training loss per step (faint), its exponential moving average
 * (bold; debiased as TensorBoard's smoothing slider), and optionally the dev loss measured after each epoch
 * (points joined by a line), on axes with round-number ticks.
 */
import { chartFrame } from './frame.js';
import { formatTick, linearScale, niceTicks, paddedDomain } from './scale.js';
import { element, escapeXml, num, svgDocument, text } from './svg.js';

export interface LossPoint {
  step: number;
  loss: number;
}

export interface DevLossPoint extends LossPoint {
  epoch?: number;
}

export interface LossCurveOptions {
  /** Training loss per step: points, or plain losses for steps 1, 2, 3, … */
  train: readonly LossPoint[] | readonly number[];
  /** Dev loss, one point per epoch, at the step where the epoch ended. */
  dev?: readonly DevLossPoint[];
  /** Moving-average weight of the past, in [0, 1) (default 0.9). */
  smoothing?: number;
  title?: string;
  width?: number;
  height?: number;
}

const colors = { raw: '#9ecae1', smoothed: '#1f77b4', dev: '#ff7f0e', grid: '#e5e5e5', axis: '#444' };
/** Longer raw curves are thinned to about this many points, keeping each bin's low and high. */
const maxRawPoints = 2000;

/** @example writeFileAtomic('loss.svg', lossCurve({ train: losses, dev: devLosses })) */
export function lossCurve(options: LossCurveOptions): string {
  const { dev = [], smoothing = 0.9, title, width = 720, height = 420 } = options;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new RangeError(`lossCurve: smoothing must be in [0, 1) (got ${smoothing})`);
  }
  const train = toPoints(options.train).filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss));
  const devPoints = dev.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss));
  const smoothed = movingAverage(train, smoothing);

  const margin = { left: 68, right: 24, top: title ? 44 : 24, bottom: 56 };
  const plot = { x0: margin.left, x1: width - margin.right, y0: height - margin.bottom, y1: margin.top };
  const steps = [...train, ...devPoints].map((p) => p.step);
  const losses = [...train, ...devPoints].map((p) => p.loss);
  const [xMin, xMax] = steps.length > 0 ? [Math.min(...steps), Math.max(...steps)] : [0, 1];
  const [yMin, yMax] = paddedDomain(losses);
  const toX = linearScale(xMin, xMax === xMin ? xMin + 1 : xMax, plot.x0, plot.x1);
  const toY = linearScale(yMin, yMax, plot.y0, plot.y1);
  const xTicks = niceTicks(xMin, xMax === xMin ? xMin + 1 : xMax, 6).filter((t) => Number.isInteger(t));
  const yTicks = niceTicks(yMin, yMax, 5);

  const parts = chartFrame({
    plot,
    title,
    yTicks,
    xTicks: xTicks.map((x) => ({ x, label: formatTick(x, xTicks) })),
    toX,
    toY,
    xLabel: 'step',
    xLabelY: height - 14,
    yLabel: 'loss',
  });

  const line = (points: readonly LossPoint[], attributes: Record<string, string | number>) =>
    element('polyline', {
      points: points.map((p) => `${num(toX(p.step))},${num(toY(p.loss))}`).join(' '),
      fill: 'none',
      'stroke-linejoin': 'round',
      ...attributes,
    });
  if (train.length > 0) {
    parts.push(line(thin(train, maxRawPoints), { stroke: colors.raw, 'stroke-width': 1 }));
    parts.push(line(thin(smoothed, maxRawPoints, false), { stroke: colors.smoothed, 'stroke-width': 2 }));
  }
  if (devPoints.length > 0) {
    parts.push(line(devPoints, { stroke: colors.dev, 'stroke-width': 2 }));
    devPoints.forEach((p, i) => {
      const label = `dev loss ${p.loss.toFixed(4)} after epoch ${p.epoch ?? i + 1} (step ${p.step})`;
      parts.push(
        element('circle', { cx: toX(p.step), cy: toY(p.loss), r: 3.5, fill: colors.dev }, [
          element('title', {}, [escapeXml(label)]),
        ]),
      );
    });
  }
  parts.push(...legend(plot.x1 - 170, plot.y1 + 8, devPoints.length > 0));
  return svgDocument(width, height, title ?? 'Loss curve', parts);
}

function legend(x: number, y: number, withDev: boolean): string[] {
  const entries: [string, string, number][] = [
    ['train', colors.raw, 1],
    ['train (smoothed)', colors.smoothed, 2],
  ];
  if (withDev) entries.push(['dev (per epoch)', colors.dev, 2]);
  const parts = [
    element('rect', {
      x,
      y,
      width: 162,
      height: 8 + 18 * entries.length,
      fill: '#ffffff',
      'fill-opacity': 0.85,
      stroke: colors.grid,
    }),
  ];
  entries.forEach(([label, color, strokeWidth], i) => {
    const ly = y + 16 + 18 * i;
    parts.push(
      element('line', {
        x1: x + 8,
        y1: ly - 4,
        x2: x + 32,
        y2: ly - 4,
        stroke: color,
        'stroke-width': strokeWidth,
      }),
    );
    parts.push(text(label, { x: x + 40, y: ly, 'font-size': 12 }));
  });
  return parts;
}

function toPoints(train: readonly LossPoint[] | readonly number[]): LossPoint[] {
  return train.map((p, i) => (typeof p === 'number' ? { step: i + 1, loss: p } : p));
}

/** Exponential moving average, divided by 1 − smoothingᵏ so the first points are not pulled towards 0. */
export function movingAverage(points: readonly LossPoint[], smoothing: number): LossPoint[] {
  let average = 0;
  return points.map((p, k) => {
    average = smoothing * average + (1 - smoothing) * p.loss;
    return { step: p.step, loss: smoothing === 0 ? p.loss : average / (1 - smoothing ** (k + 1)) };
  });
}

/**
 * At most about `maxPoints` points: consecutive bins, each kept as its lowest and highest point in step
 * order (`envelope`), or as its first point (for an already smooth line). First and last points stay.
 */
export function thin(points: readonly LossPoint[], maxPoints: number, envelope = true): LossPoint[] {
  if (points.length <= maxPoints) return [...points];
  const bins = Math.max(1, Math.floor(envelope ? maxPoints / 2 : maxPoints));
  const size = points.length / bins;
  const out: LossPoint[] = [];
  for (let b = 0; b < bins; b++) {
    const bin = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bin.length === 0) continue;
    if (!envelope) {
      out.push(bin[0]);
      continue;
    }
    let low = bin[0];
    let high = bin[0];
    for (const p of bin) {
      if (p.loss < low.loss) low = p;
      if (p.loss > high.loss) high = p;
    }
    out.push(
      ...(low.step <= high.step ? [low, high] : [high, low]).filter((p, i, a) => i === 0 || p !== a[0]),
    );
  }
  if (out[0] !== points[0]) out.unshift(points[0]);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}
