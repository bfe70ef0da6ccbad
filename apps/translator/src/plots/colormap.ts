/** @file The viridis colour map (perceptually uniform, readable in greyscale and by most colour-blind readers). */

// viridis sampled at 0, 0.1, …, 1 (matplotlib's values, rounded to 8 bits).
const viridis = [
  '#440154',
  '#482475',
  '#414487',
  '#355f8d',
  '#2a788e',
  '#21918c',
  '#22a884',
  '#44bf70',
  '#7ad151',
  '#bddf26',
  '#fde725',
].map((hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)));

/** The colour of t ∈ [0, 1] (clamped; NaN gives the low end), as #rrggbb. */
export function viridisColor(t: number): string {
  const x = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t)) * (viridis.length - 1);
  const i = Math.min(viridis.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = viridis[i].map((c, k) => Math.round(c + (viridis[i + 1][k] - c) * f));
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Gradient stops for a colour bar, t from 0 to 1. */
export function viridisStops(count = 11): { offset: number; color: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: i / (count - 1),
    color: viridisColor(i / (count - 1)),
  }));
}
