// Memory-bound ops on a [rows, cols] float32 matrix, in GB/s of effective traffic: every input
// read once plus the output written once (4 bytes each). softmax is over the last dim.
// Also the per-op overhead: the same add on a small matrix, in calls per second, where the fixed cost
// of an op call (validation, dispatch, allocation) rather than memory traffic sets the pace.
import { randnArray } from './data.js';
import * as plain from './plain.js';
import {
  CONTENDERS,
  type Contender,
  type Context,
  checkLine,
  type Extra,
  LABEL,
  type Row,
  rowCells,
  type SuiteReport,
  timeCells,
  torchCell,
} from './suite.js';
import { type Cell, formatValue } from './table.js';
import { missingExports } from './tensorloom.js';
import { type TfContender, type TfOp, tf, tfContender } from './tfjs.js';
import type { Timed } from './timing.js';
import { runTorch } from './torch.js';

export const ELEMENTWISE_OPS = ['add', 'add-broadcast', 'softmax'] as const;
export type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];

interface Inputs {
  rows: number;
  cols: number;
  a: Float32Array; // [rows, cols]
  b: Float32Array; // [rows, cols]
  row: Float32Array; // [cols]
}

interface Case {
  label: (x: Inputs) => string;
  /** Bytes moved per call. */
  bytes: (x: Inputs) => number;
  /** The anchor; writes into `out` when given, else allocates like the libraries do. */
  plain: (x: Inputs, out?: Float32Array) => Float32Array;
  /** Tensorloom exports the op needs. */
  needs: string[];
  tensorloom: (
    tl: import('./tensorloom.js').Tensorloom,
    x: Inputs,
  ) => () => { dataSync(): ArrayLike<number> };
  /** TF.js inputs (on the active backend) and the op over them. */
  tf: (x: Inputs) => TfOp;
}

const CASES: Record<ElementwiseOp, Case> = {
  add: {
    label: (x) => `add [${x.rows},${x.cols}] + [${x.rows},${x.cols}]`,
    bytes: (x) => 3 * 4 * x.rows * x.cols,
    plain: (x, out) => plain.add(x.a, x.b, out),
    needs: ['tensor', 'add'],
    tensorloom: (tl, x) => {
      const a = tl.tensor(x.a, { shape: [x.rows, x.cols] });
      const b = tl.tensor(x.b, { shape: [x.rows, x.cols] });
      return () => tl.add(a, b);
    },
    tf: (x) => {
      const a = tf.tensor2d(x.a, [x.rows, x.cols]);
      const b = tf.tensor2d(x.b, [x.rows, x.cols]);
      return { inputs: [a, b], run: () => tf.add(a, b) };
    },
  },
  'add-broadcast': {
    label: (x) => `add [${x.rows},${x.cols}] + [${x.cols}]`,
    bytes: (x) => 4 * (2 * x.rows * x.cols + x.cols),
    plain: (x, out) => plain.addRow(x.a, x.row, x.rows, x.cols, out),
    needs: ['tensor', 'add'],
    tensorloom: (tl, x) => {
      const a = tl.tensor(x.a, { shape: [x.rows, x.cols] });
      const row = tl.tensor(x.row, { shape: [x.cols] });
      return () => tl.add(a, row);
    },
    tf: (x) => {
      const a = tf.tensor2d(x.a, [x.rows, x.cols]);
      const row = tf.tensor1d(x.row);
      return { inputs: [a, row], run: () => tf.add(a, row) };
    },
  },
  softmax: {
    label: (x) => `softmax [${x.rows},${x.cols}], dim -1`,
    bytes: (x) => 2 * 4 * x.rows * x.cols,
    plain: (x, out) => plain.softmaxRows(x.a, x.rows, x.cols, out),
    needs: ['tensor', 'softmax'],
    tensorloom: (tl, x) => {
      const a = tl.tensor(x.a, { shape: [x.rows, x.cols] });
      return () => tl.softmax(a, -1);
    },
    tf: (x) => {
      const a = tf.tensor2d(x.a, [x.rows, x.cols]);
      return { inputs: [a], run: () => tf.softmax(a, -1) };
    },
  },
};

function tensorloomOp(ctx: Context, c: Case, x: Inputs): (() => { dataSync(): ArrayLike<number> }) | string {
  if (!ctx.tl.ok) return ctx.tl.cell;
  const missing = missingExports(ctx.tl.tl, c.needs);
  if (missing.length > 0) return `n/a (no ${missing.join(', ')})`;
  return c.tensorloom(ctx.tl.tl, x);
}

/** Everything to time for one op, plus a way to free TF.js memory afterwards. */
async function contenders(ctx: Context, c: Case, x: Inputs) {
  const tl = tensorloomOp(ctx, c, x);
  const tfCpu = await tfContender(ctx.tf, 'cpu', () => c.tf(x));
  const tfWasm = await tfContender(ctx.tf, 'wasm', () => c.tf(x));
  const reused = new Float32Array(x.rows * x.cols);
  const entries: Partial<Record<Contender | Extra, Timed | string>> = {
    plain: { fn: () => c.plain(x) },
    // The anchor writing into one preallocated output: its gap to `plain` is the price of a fresh
    // output per call (allocation, zeroing, page faults, GC), which Tensorloom pays too.
    plainReused: { fn: () => c.plain(x, reused) },
    tensorloom: typeof tl === 'string' ? tl : { fn: tl },
    tfCpu,
    tfWasm,
  };
  const tfs = [tfCpu, tfWasm].filter((t): t is TfContender => typeof t !== 'string');
  return {
    entries,
    tl,
    tfCpu,
    tfWasm,
    dispose: () =>
      tfs.forEach((t) => {
        t.dispose();
      }),
  };
}

function inputs(rows: number, cols: number): Inputs {
  return {
    rows,
    cols,
    a: randnArray(rows * cols, 3),
    b: randnArray(rows * cols, 4),
    row: randnArray(cols, 5),
  };
}

export async function runElementwise(
  ctx: Context,
  shape: readonly [number, number],
  ops: readonly ElementwiseOp[],
): Promise<SuiteReport> {
  const [rows, cols] = shape;
  const x = inputs(rows, cols);
  const notes: string[] = [];
  const result: Row[] = [];

  for (const op of ops) {
    const { tl, tfCpu, tfWasm, dispose } = await contenders(ctx, CASES[op], x);
    const got: Parameters<typeof checkLine>[2] = [];
    if (typeof tl !== 'string') got.push(['tensorloom', () => tl().dataSync()]);
    if (typeof tfCpu !== 'string') got.push(['tfCpu', tfCpu.output]);
    if (typeof tfWasm !== 'string') got.push(['tfWasm', tfWasm.output]);
    try {
      notes.push(await checkLine(op, CASES[op].plain(x), got));
    } finally {
      dispose();
    }
  }

  const reusedNote: string[] = [];
  for (const op of ops) {
    const c = CASES[op];
    const { entries, dispose } = await contenders(ctx, c, x);
    try {
      const cells = await timeCells(ctx, op, entries, c.bytes(x), notes);
      result.push({ labels: [c.label(x)], cells: rowCells(cells) });
      reusedNote.push(`${op} ${cells.plainReused ? formatValue(cells.plainReused) : '?'}`);
    } finally {
      dispose();
    }
  }

  notes.push(`plain loop writing into a reused output (no allocation), GB/s: ${reusedNote.join(', ')}`);

  if (ctx.torch.ok) ctx.progress('elementwise: torch (subprocess)…');
  const torch = ctx.torch.ok ? runTorch('elementwise', ctx.timing, { rows, cols, ops }) : null;
  if (torch && 'error' in torch) notes.push(`torch elementwise failed: ${torch.error}`);
  ops.forEach((op, i) => {
    result[i].cells.torch = torchCell(ctx, torch, op, CASES[op].bytes(x));
  });

  return {
    title:
      'elementwise, fp32 — GB/s (inputs read once + output written once, / median time; higher is better)',
    labelHeaders: ['op'],
    rows: result,
    notes,
  };
}

/**
 * Per-op overhead: `add` of two small [rows, cols] tensors, in thousands of calls per second. Recurrent
 * models run thousands of ops this small per step, so this fixed cost adds up.
 */
export async function runOverhead(ctx: Context, shape: readonly [number, number]): Promise<SuiteReport> {
  const [rows, cols] = shape;
  const x = inputs(rows, cols);
  const c = CASES.add;
  const notes: string[] = [];
  const kOps = 1e-3; // one call per op, reported in thousands per second

  const { entries, tl, tfCpu, tfWasm, dispose } = await contenders(ctx, c, x);
  let cells: Partial<Record<Contender | Extra, Cell>>;
  try {
    const got: Parameters<typeof checkLine>[2] = [];
    if (typeof tl !== 'string') got.push(['tensorloom', () => tl().dataSync()]);
    if (typeof tfCpu !== 'string') got.push(['tfCpu', tfCpu.output]);
    if (typeof tfWasm !== 'string') got.push(['tfWasm', tfWasm.output]);
    notes.push(await checkLine(`add [${rows},${cols}]`, c.plain(x), got));
    cells = await timeCells(ctx, `overhead add [${rows},${cols}]`, entries, 1, notes, kOps);
  } finally {
    dispose();
  }
  const row: Row = { labels: [c.label(x)], cells: rowCells(cells) };

  if (ctx.torch.ok) ctx.progress('overhead: torch (subprocess)…');
  const torch = ctx.torch.ok ? runTorch('elementwise', ctx.timing, { rows, cols, ops: ['add'] }) : null;
  if (torch && 'error' in torch) notes.push(`torch overhead add failed: ${torch.error}`);
  row.cells.torch = torchCell(ctx, torch, 'add', 1, kOps);

  const perCall = (cell: Cell | undefined) =>
    cell && 'value' in cell ? `${(1e3 / cell.value).toPrecision(3)} µs` : '?';
  notes.push(
    `time per call: ${CONTENDERS.map((k) => `${LABEL[k]} ${perCall(row.cells[k])}`).join(', ')}; ` +
      `plain loop into a reused output ${perCall(cells.plainReused)}`,
  );
  return {
    title: `per-op overhead, fp32 add [${rows},${cols}] + [${rows},${cols}] — thousand ops/s (higher is better)`,
    labelHeaders: ['op'],
    rows: [row],
    notes,
  };
}
