/** @file Axis ticks at round numbers, and a linear map from data to pixels. */

/**
 * About `count` ticks at multiples of 1, 2 or 5 × 10^k covering [min, max].
 * @example niceTicks(0, 7.3) // [0, 2, 4, 6]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return [];
  if (min === max) return [min];
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) {
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** A tick label with as many decimals as the tick spacing needs: 0.25 → "0.25", 2000 → "2000". */
export function formatTick(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(value) || 1;
  let decimals = 0;
  while (decimals < 10 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6)
    decimals++;
  return value.toFixed(decimals);
}

/** Maps [domainMin, domainMax] onto [rangeMin, rangeMax]; a zero-width domain maps to the middle. */
export function linearScale(
  domainMin: number,
  domainMax: number,
  rangeMin: number,
  rangeMax: number,
): (value: number) => number {
  if (domainMax === domainMin) return () => (rangeMin + rangeMax) / 2;
  const k = (rangeMax - rangeMin) / (domainMax - domainMin);
  return (value) => rangeMin + (value - domainMin) * k;
}

/** A domain padded so the data does not touch the frame, and never empty. */
export function paddedDomain(values: readonly number[], padding = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    const spread = Math.abs(min) * 0.1 || 1;
    min -= spread;
    max += spread;
  }
  const pad = (max - min) * padding;
  return [min - pad, max + pad];
}
