/**
 * @file A generic line chart as SVG: several labelled series of (x, y) points, each a line with point markers,
 * on axes with round-number ticks (or named x ticks, for categories such as length buckets), an optional
 * dashed horizontal reference line, and a legend. The experiments draw BLEU against training time and
 * against source length with it.
 */
import { chartFrame } from './frame.js';
import { formatTick, linearScale, niceTicks, paddedDomain } from './scale.js';
import { element, escapeXml, num, svgDocument, text } from './svg.js';

export interface LinePoint {
  x: number;
  /** null (or a non-finite value) leaves a gap: the line breaks there. */
  y: number | null;
}

export interface LineSeries {
  label: string;
  points: readonly LinePoint[];
  /** A CSS colour (default: the next one of a colour-blind-safe palette). */
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Named x ticks instead of round numbers, e.g. [{ x: 1, label: '1–5' }, …]. */
  xTicks?: readonly { x: number; label: string }[];
  /** Fixes an end of the y axis (e.g. yMin 0 for BLEU); the other end follows the data. */
  yMin?: number;
  /** Fixes the start of the x axis (e.g. 0 for time). */
  xMin?: number;
  yMax?: number;
  /** A dashed horizontal line across the plot, e.g. a target score. */
  reference?: { y: number; label: string };
  width?: number;
  height?: number;
}

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. */
const palette = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
const colors = { grid: '#e5e5e5', axis: '#444', reference: '#888' };

/**
 * @example
 * lineChart({
 *   series: [{ label: 'attention', points: [{ x: 60, y: 12.5 }, { x: 120, y: 20.1 }] }],
 *   xLabel: 'training time (s)', yLabel: 'dev BLEU', yMin: 0,
 * }); // '<?xml …><svg …>…</svg>'
 */
export function lineChart(options: LineChartOptions): string {
  const { series, title, xLabel, yLabel, reference, width = 720, height = 420 } = options;
  if (series.length === 0) throw new RangeError('lineChart: needs at least one series (got 0)');
  const drawn = series.map((s, i) => ({
    ...s,
    color: s.color ?? palette[i % palette.length],
    points: s.points.filter((p) => Number.isFinite(p.x)),
  }));
  const finite = (p: LinePoint): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y);
  const xs = [...drawn.flatMap((s) => s.points.map((p) => p.x)), ...(options.xTicks ?? []).map((t) => t.x)];
  const ys = [
    ...drawn.flatMap((s) => s.points.filter(finite).map((p) => p.y)),
    ...(reference ? [reference.y] : []),
  ];
  let [yLow, yHigh] = paddedDomain(ys);
  if (options.yMin !== undefined) yLow = options.yMin;
  if (options.yMax !== undefined) yHigh = options.yMax;
  if (!(yHigh > yLow)) yHigh = yLow + 1;
  let [xLow, xHigh] = xs.length > 0 ? paddedDomain(xs, 0.03) : [0, 1];
  if (options.xMin !== undefined) xLow = options.xMin;
  if (!(xHigh > xLow)) xHigh = xLow + 1;

  const legendRows = drawn.length + (reference ? 1 : 0);
  const margin = { left: 68, right: 24, top: title ? 44 : 24, bottom: 56 + 18 * legendRows };
  const plot = { x0: margin.left, x1: width - margin.right, y0: height - margin.bottom, y1: margin.top };
  const toX = linearScale(xLow, xHigh, plot.x0, plot.x1);
  const toY = linearScale(yLow, yHigh, plot.y0, plot.y1);
  const yTicks = niceTicks(yLow, yHigh, 5).filter((t) => t >= yLow && t <= yHigh);
  const xTicks =
    options.xTicks ??
    niceTicks(xLow, xHigh, 6)
      .filter((t) => t >= xLow && t <= xHigh)
      .map((x, _, all) => ({ x, label: formatTick(x, all) }));

  const parts = chartFrame({ plot, title, yTicks, xTicks, toX, toY, xLabel, xLabelY: plot.y0 + 40, yLabel });
  if (reference) {
    const y = toY(reference.y);
    parts.push(
      element('line', {
        x1: plot.x0,
        y1: y,
        x2: plot.x1,
        y2: y,
        stroke: colors.reference,
        'stroke-dasharray': '6 4',
        class: 'reference',
      }),
    );
  }
  for (const s of drawn) {
    for (const run of unbrokenRuns(s.points)) {
      if (run.length < 2) continue;
      parts.push(
        element('polyline', {
          points: run.map((p) => `${num(toX(p.x))},${num(toY(p.y))}`).join(' '),
          fill: 'none',
          stroke: s.color,
          'stroke-width': 2,
          'stroke-linejoin': 'round',
          'stroke-dasharray': s.dashed ? '5 3' : undefined,
          class: 'series',
        }),
      );
    }
    for (const p of s.points.filter(finite)) {
      const label = `${s.label}: ${formatValue(p.y)} at ${formatValue(p.x)}`;
      parts.push(
        element('circle', { cx: toX(p.x), cy: toY(p.y), r: 3.5, fill: s.color }, [
          element('title', {}, [escapeXml(label)]),
        ]),
      );
    }
  }
  const entries = drawn.map((s) => ({ label: s.label, color: s.color, dashed: s.dashed ?? false }));
  if (reference) entries.push({ label: reference.label, color: colors.reference, dashed: true });
  parts.push(...legend(plot.x0, plot.y0 + 60, entries));
  return svgDocument(width, height, title ?? 'Line chart', parts);
}

/** Consecutive runs of points with a finite y (a null breaks the line). */
function unbrokenRuns(points: readonly LinePoint[]): { x: number; y: number }[][] {
  const runs: { x: number; y: number }[][] = [[]];
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) runs.push([]);
    else runs[runs.length - 1].push({ x: p.x, y: p.y });
  }
  return runs.filter((run) => run.length > 0);
}

function legend(
  x: number,
  y: number,
  entries: { label: string; color: string; dashed: boolean }[],
): string[] {
  return entries.flatMap(({ label, color, dashed }, i) => {
    const ly = y + 18 * i;
    return [
      element('line', {
        x1: x,
        y1: ly - 4,
        x2: x + 24,
        y2: ly - 4,
        stroke: color,
        'stroke-width': 2,
        'stroke-dasharray': dashed ? '5 3' : undefined,
      }),
      text(label, { x: x + 32, y: ly, 'font-size': 12, class: 'legend' }),
    ];
  });
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
