// What the suites share: the contenders, the run context, timing a contender into a table cell,
// the output check, and rendering a suite's results as a table with ratio columns.
import { relError } from './data.js';
import { type Cell, formatRatio, formatValue, renderTable } from './table.js';
import type { Loaded } from './tensorloom.js';
import type { TfInfo } from './tfjs.js';
import { type Measurement, measureRoundRobin, type Timed, type TimingOptions } from './timing.js';
import type { TorchInfo, TorchResults } from './torch.js';

export const CONTENDERS = ['tensorloom', 'tfCpu', 'tfWasm', 'plain', 'torch'] as const;
export type Contender = (typeof CONTENDERS)[number];

export const LABEL: Record<Contender, string> = {
  tensorloom: 'Tensorloom',
  tfCpu: 'TF.js cpu',
  tfWasm: 'TF.js wasm',
  plain: 'plain loop',
  torch: 'torch (1 thr)',
};

/** Measured alongside the contenders but reported in a note rather than a column. */
export type Extra = 'plainReused';
const NAME: Record<Contender | Extra, string> = { ...LABEL, plainReused: 'plain loop (reused output)' };

/** Ratio columns: Tensorloom's throughput against each of these, measured in the same run. */
const AGAINST: readonly Contender[] = ['plain', 'tfCpu', 'tfWasm', 'torch'];
const SHORT: Record<Contender, string> = {
  tensorloom: 'TL',
  tfCpu: 'TF cpu',
  tfWasm: 'TF wasm',
  plain: 'loop',
  torch: 'torch',
};

export type TorchState = { ok: true; info: TorchInfo } | { ok: false; error: string; cell: string };

export interface Context {
  timing: TimingOptions;
  tl: Loaded;
  tf: TfInfo;
  torch: TorchState;
  /** PyTorch's samples taken in the same rounds as the JS contenders' (mlp, lstm, transformer), else after them. */
  interleave: boolean;
  progress(message: string): void;
}

export interface Row {
  labels: string[];
  cells: Record<Contender, Cell>;
}

export interface SuiteReport {
  title: string;
  labelHeaders: string[];
  rows: Row[];
  notes: string[];
}

export const na = (why: string): Cell => ({ na: why });

/**
 * Times the given contenders round-robin and turns each median into throughput: `work` units per
 * second × `scale` (1e-9 by default: GFLOPS for flops, GB/s for bytes; work 1 and scale 1e-3 gives
 * thousands of calls per second). A string instead of a Timed is the reason there is nothing to time;
 * an exception becomes an "error" cell and a note.
 */
export async function timeCells(
  ctx: Context,
  what: string,
  entries: Partial<Record<Contender | Extra, Timed | string>>,
  work: number,
  notes: string[],
  scale = 1e-9,
): Promise<Partial<Record<Contender | Extra, Cell>>> {
  const cells: Partial<Record<Contender | Extra, Cell>> = {};
  const timed: Partial<Record<Contender | Extra, Timed>> = {};
  for (const [c, entry] of Object.entries(entries) as [Contender | Extra, Timed | string][]) {
    if (typeof entry === 'string') cells[c] = na(entry);
    else timed[c] = entry;
  }
  const measured = await measureRoundRobin(timed, ctx.timing);
  for (const [c, m] of Object.entries(measured) as [Contender | Extra, Measurement | Error][]) {
    if (m instanceof Error) {
      notes.push(`${what}: ${NAME[c]} threw: ${m.message}`);
      cells[c] = na('error');
      continue;
    }
    const cell = { value: (work / (m.medianMs * 1e-3)) * scale };
    ctx.progress(`${what} ${NAME[c]}: ${formatValue(cell)} (median ${m.medianMs.toPrecision(3)} ms/call)`);
    cells[c] = cell;
  }
  return cells;
}

/** Torch's cell for `key`, from the results of its subprocess (or why there are none); scale as in timeCells. */
export function torchCell(
  ctx: Context,
  results: { results: TorchResults } | { error: string } | null,
  key: string,
  work: number,
  scale = 1e-9,
): Cell {
  if (!ctx.torch.ok) return na(ctx.torch.cell);
  if (results === null) return na('skipped');
  if ('error' in results) return na('error');
  const ms = results.results[key];
  return ms === undefined ? na('missing') : { value: (work / (ms * 1e-3)) * scale };
}

/** A full row of cells: the measured ones, "?" for any contender nobody filled in. */
export function rowCells(cells: Partial<Record<Contender | Extra, Cell>>): Record<Contender, Cell> {
  return Object.fromEntries(CONTENDERS.map((c) => [c, cells[c] ?? na('?')])) as Record<Contender, Cell>;
}

/** One line comparing each contender's output with the plain loop's. */
export async function checkLine(
  what: string,
  want: ArrayLike<number>,
  got: [Contender, () => ArrayLike<number> | Promise<ArrayLike<number>>][],
): Promise<string> {
  const parts: string[] = [];
  for (const [c, run] of got) {
    try {
      const err = relError(await run(), want);
      parts.push(`${LABEL[c]} ${err.toExponential(1)}${err > 1e-4 ? ' MISMATCH' : ''}`);
    } catch (e) {
      parts.push(`${LABEL[c]} threw (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return `check ${what}, max rel. error vs plain loop: ${parts.join(', ')}`;
}

export function renderSuite(report: SuiteReport): string {
  const headers = [
    ...report.labelHeaders,
    ...CONTENDERS.map((c) => LABEL[c]),
    ...AGAINST.map((c) => `TL vs ${SHORT[c]}`),
  ];
  const rows = report.rows.map((row) => [
    ...row.labels,
    ...CONTENDERS.map((c) => formatValue(row.cells[c])),
    ...AGAINST.map((c) => formatRatio(row.cells.tensorloom, row.cells[c])),
  ]);
  const body = renderTable(headers, rows, report.labelHeaders.length);
  const notes = report.notes.map((n) => `  * ${n}`);
  return [report.title, body, ...notes].join('\n');
}
