// Plain-text tables: fixed-width columns, numbers right-aligned, ratios phrased as "faster"/"slower".

/** A measured throughput (higher is better), or why there is none. */
export type Cell = { value: number } | { na: string };

export function formatValue(cell: Cell): string {
  if ('na' in cell) return cell.na;
  const x = cell.value;
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Throughput ratio ours/theirs: "3.40× faster", "1.30× slower", or "—" when either is missing. */
export function formatRatio(ours: Cell, theirs: Cell): string {
  if ('na' in ours || 'na' in theirs || theirs.value <= 0 || ours.value <= 0) return '—';
  const r = ours.value / theirs.value;
  const times = (x: number) => `${x.toFixed(x >= 10 ? 1 : 2)}×`;
  return r >= 1 ? `${times(r)} faster` : `${times(1 / r)} slower`;
}

/** A time in ms with three significant digits (whole ms from 100 up), or "?" when missing. */
export const formatMs = (x: number | undefined) =>
  x === undefined ? '?' : x >= 100 ? x.toFixed(0) : x.toPrecision(3);

export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  leftCols = 1,
): string {
  const width = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < leftCols ? cell.padEnd(width[c]) : cell.padStart(width[c])))
      .join('  ')
      .trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
