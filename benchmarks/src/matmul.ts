// fp32 square matmul, n×n · n×n, in GFLOPS (2n³ flops per product). Three layouts: A·B, and
// A·Bᵀ / Aᵀ·B where Tensorloom gets a transposed *view* (b.transpose(0, 1)), TF.js its
// transposeA/transposeB flags, torch a .t() view, and the plain loop its best loop order.
import { randnArray } from './data.js';
import * as plain from './plain.js';
import {
  type Contender,
  type Context,
  checkLine,
  type Row,
  rowCells,
  type SuiteReport,
  timeCells,
  torchCell,
} from './suite.js';
import { missingExports } from './tensorloom.js';
import { type TfContender, tf, tfContender } from './tfjs.js';
import type { Timed } from './timing.js';
import { runTorch } from './torch.js';

export const MATMUL_OPS = ['AB', 'ABt', 'AtB'] as const;
export type MatmulOp = (typeof MATMUL_OPS)[number];
const OP_LABEL: Record<MatmulOp, string> = { AB: 'A·B', ABt: 'A·Bᵀ', AtB: 'Aᵀ·B' };
const PLAIN: Record<MatmulOp, (a: Float32Array, b: Float32Array, n: number) => Float32Array> = {
  AB: plain.matmulAB,
  ABt: plain.matmulABt,
  AtB: plain.matmulAtB,
};
const TF_FLAGS: Record<MatmulOp, [boolean, boolean]> = {
  AB: [false, false],
  ABt: [false, true],
  AtB: [true, false],
};
const CHECK_N = 96;

interface Operands {
  a: Float32Array;
  b: Float32Array;
  n: number;
}

/** Tensorloom's matmul over fresh tensors, or why it cannot run. */
function tensorloomOp(
  ctx: Context,
  { a, b, n }: Operands,
  op: MatmulOp,
): (() => { dataSync(): ArrayLike<number> }) | string {
  if (!ctx.tl.ok) return ctx.tl.cell;
  const tl = ctx.tl.tl;
  const missing = missingExports(tl, ['tensor', 'matmul']);
  if (missing.length > 0) return `n/a (no ${missing.join(', ')})`;
  const ta = tl.tensor(a, { shape: [n, n] });
  const tb = tl.tensor(b, { shape: [n, n] });
  if (op === 'AB') return () => tl.matmul(ta, tb);
  if (op === 'ABt') return () => tl.matmul(ta, tb.transpose(0, 1));
  return () => tl.matmul(ta.transpose(0, 1), tb);
}

function tfOp(ctx: Context, backend: 'cpu' | 'wasm', { a, b, n }: Operands, op: MatmulOp) {
  const [transA, transB] = TF_FLAGS[op];
  return tfContender(ctx.tf, backend, () => {
    const ta = tf.tensor2d(a, [n, n]);
    const tb = tf.tensor2d(b, [n, n]);
    return { inputs: [ta, tb], run: () => tf.matMul(ta, tb, transA, transB) };
  });
}

/** Everything to time for one (op, n), plus a way to free TF.js memory afterwards. */
async function contenders(ctx: Context, x: Operands, op: MatmulOp) {
  const tl = tensorloomOp(ctx, x, op);
  const tfCpu = await tfOp(ctx, 'cpu', x, op);
  const tfWasm = await tfOp(ctx, 'wasm', x, op);
  const entries: Partial<Record<Contender, Timed | string>> = {
    plain: { fn: () => PLAIN[op](x.a, x.b, x.n) },
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

async function check(ctx: Context, op: MatmulOp): Promise<string> {
  const x: Operands = {
    a: randnArray(CHECK_N * CHECK_N, 11),
    b: randnArray(CHECK_N * CHECK_N, 12),
    n: CHECK_N,
  };
  const { tl, tfCpu, tfWasm, dispose } = await contenders(ctx, x, op);
  const got: Parameters<typeof checkLine>[2] = [];
  if (typeof tl !== 'string') got.push(['tensorloom', () => tl().dataSync()]);
  if (typeof tfCpu !== 'string') got.push(['tfCpu', tfCpu.output]);
  if (typeof tfWasm !== 'string') got.push(['tfWasm', tfWasm.output]);
  try {
    return await checkLine(`${OP_LABEL[op]} n=${CHECK_N}`, PLAIN[op](x.a, x.b, x.n), got);
  } finally {
    dispose();
  }
}

export async function runMatmul(
  ctx: Context,
  sizes: readonly number[],
  ops: readonly MatmulOp[],
): Promise<SuiteReport> {
  const notes: string[] = [];
  const rows: Row[] = [];
  for (const op of ops) notes.push(await check(ctx, op));

  for (const n of sizes) {
    const x: Operands = { a: randnArray(n * n, 1), b: randnArray(n * n, 2), n };
    for (const op of ops) {
      const { entries, dispose } = await contenders(ctx, x, op);
      try {
        const cells = await timeCells(ctx, `matmul ${OP_LABEL[op]} n=${n}`, entries, 2 * n ** 3, notes);
        rows.push({
          labels: [OP_LABEL[op], String(n)],
          cells: rowCells(cells),
        });
      } finally {
        dispose();
      }
    }
  }

  if (ctx.torch.ok) ctx.progress('matmul: torch (subprocess)…');
  const torch = ctx.torch.ok ? runTorch('matmul', ctx.timing, { sizes, ops }) : null;
  if (torch && 'error' in torch) notes.push(`torch matmul failed: ${torch.error}`);
  let i = 0;
  for (const n of sizes) {
    for (const op of ops) rows[i++].cells.torch = torchCell(ctx, torch, `${op}/${n}`, 2 * n ** 3);
  }

  return {
    title: 'matmul, fp32 n×n · n×n — GFLOPS (2n³ / median time; higher is better)',
    labelHeaders: ['op', 'n'],
    rows,
    notes,
  };
}
