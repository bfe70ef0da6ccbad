// One training step of a small MLP, in ms per step (lower is better): Tensorloom once per registered
// backend (wasm at 1 and 2 threads), PyTorch at 1 and 2 threads. The step is PyTorch's usual loop body:
// zeroGrad, forward (Linear, ReLU, Linear), cross-entropy on class targets, backward, Adam. It is also split
// into forward, backward and the optimizer, to show where the time goes.
import type * as Losses from '@tensorloom/losses';
import type * as NN from '@tensorloom/nn';
import type * as Optim from '@tensorloom/optim';
import type { Tensor } from '@tensorloom/tensor';
import { randnArray, relError } from './data.js';
import type { Context } from './suite.js';
import { formatMs, renderTable } from './table.js';
import type { Tensorloom } from './tensorloom.js';
import { type Measurement, measureRoundRobin, type Timed } from './timing.js';
import { torchColumns } from './torch-session.js';
import { missingApi, tensorloomVariants } from './variants.js';

export interface MlpConfig {
  batch: number;
  inFeatures: number;
  hidden: number;
  classes: number;
  lr: number;
  /** Steps taken from the shared init, whose losses are compared across contenders before timing. */
  checkSteps: number;
}

export const MLP: MlpConfig = {
  batch: 64,
  inFeatures: 784,
  hidden: 256,
  classes: 10,
  lr: 1e-3,
  checkSteps: 3,
};

/** What gets timed; "backward" is derived as (forward+backward) − forward. */
const TIMED = ['step', 'forward', 'forward+backward', 'optimizer'] as const;
type Timing = (typeof TIMED)[number];
type Ms = Partial<Record<Timing, number>>;
const diff = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);

const ROWS: [string, (ms: Ms) => number | undefined][] = [
  ['train step', (ms) => ms.step],
  ['  forward + loss', (ms) => ms.forward],
  ['  backward', (ms) => diff(ms['forward+backward'], ms.forward)],
  ['  Adam step', (ms) => ms.optimizer],
];

/** The batch and initial weights every contender starts from (weights ~ PyTorch's init variance). */
export interface MlpData {
  x: Float32Array; // [B, in]
  targets: Int32Array; // [B]
  w1: Float32Array; // [hidden, in]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [classes, hidden]
  b2: Float32Array; // [classes]
}

export function mlpData(c: MlpConfig): MlpData {
  // U(±1/√fanIn) has variance 1/(3·fanIn); normal samples with that variance are as good a start.
  const scaled = (n: number, seed: number, fanIn: number) =>
    randnArray(n, seed).map((v) => v / Math.sqrt(3 * fanIn));
  return {
    x: randnArray(c.batch * c.inFeatures, 21),
    targets: Int32Array.from({ length: c.batch }, (_, i) => (i * 7 + 3) % c.classes),
    w1: scaled(c.hidden * c.inFeatures, 22, c.inFeatures),
    b1: scaled(c.hidden, 23, c.inFeatures),
    w2: scaled(c.classes * c.hidden, 24, c.hidden),
    b2: scaled(c.classes, 25, c.hidden),
  };
}

/** torch/mlp.py's stdin: x, then each layer's weight and bias, as raw float32. */
function packed(d: MlpData): Uint8Array {
  const parts = [d.x, d.w1, d.b1, d.w2, d.b2];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(out.buffer);
}

export interface MlpLibs {
  tl: Tensorloom;
  nn: typeof NN;
  losses: typeof Losses;
  optim: typeof Optim;
}

/** @tensorloom/nn, losses and optim (built dist/), or the cell text saying why not, plus a note. */
async function loadLibs(ctx: Context): Promise<MlpLibs | { cell: string; note?: string }> {
  if (!ctx.tl.ok) return { cell: ctx.tl.cell };
  try {
    const [nn, losses, optim] = await Promise.all([
      import('@tensorloom/nn'),
      import('@tensorloom/losses'),
      import('@tensorloom/optim'),
    ]);
    return { tl: ctx.tl.tl, nn, losses, optim };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const built = e.code !== 'ERR_MODULE_NOT_FOUND';
    return {
      cell: built ? 'n/a (load error)' : 'n/a (not built)',
      note: `Tensorloom mlp: ${e.message ?? String(err)}${built ? '' : ' (run `pnpm bench` from the root, which builds it)'}`,
    };
  }
}

export interface Trainer {
  /** zeroGrad, forward, loss, backward, Adam step; returns the loss (timed without reading it back). */
  step: () => Tensor;
  /** Forward and loss only (the autograd graph is built, then dropped). */
  forward: () => unknown;
  /** zeroGrad, forward, loss, backward. */
  forwardBackward: () => void;
  /** Adam's step on the current gradients. */
  optimizer: () => void;
  hasGrads: () => boolean;
}

/** A fresh model and optimizer from the shared init, built while the wanted backend is selected. */
export function trainer({ tl, nn, losses, optim }: MlpLibs, d: MlpData, c: MlpConfig): Trainer {
  const model = new nn.Sequential(
    new nn.Linear(c.inFeatures, c.hidden),
    new nn.ReLU(),
    new nn.Linear(c.hidden, c.classes),
  );
  model.loadStateDict({
    '0.weight': tl.tensor(d.w1, { shape: [c.hidden, c.inFeatures] }),
    '0.bias': tl.tensor(d.b1, { shape: [c.hidden] }),
    '2.weight': tl.tensor(d.w2, { shape: [c.classes, c.hidden] }),
    '2.bias': tl.tensor(d.b2, { shape: [c.classes] }),
  });
  const x = tl.tensor(d.x, { shape: [c.batch, c.inFeatures] }); // [B, in]
  const y = tl.tensor(d.targets, { shape: [c.batch], dtype: 'int32' }); // [B]
  const opt = new optim.Adam(model.parameters(), { lr: c.lr });
  const loss = () => losses.crossEntropy(model.forward(x), y); // [] (mean over the batch)
  return {
    step: () => {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      return l;
    },
    forward: loss,
    forwardBackward: () => {
      opt.zeroGrad();
      loss().backward();
    },
    optimizer: () => opt.step(),
    hasGrads: () => model.parameters().every((p) => p.grad !== null),
  };
}

interface Column {
  label: string;
  /** Threads it runs on (Tensorloom js: 1); ratios pair columns of equal thread counts. */
  threads: number;
  /** Median ms per timed part, or why there are none. */
  ms: Ms | string;
  /** Losses of the first checkSteps steps from the shared init. */
  losses?: number[];
}

/** Contenders keyed by entry, and which column and part each one's median fills in. */
interface Entries {
  entries: Record<string, Timed>;
  owner: Map<string, [Column, Timing]>;
}

/** Measures `entries` in one round-robin and fills in their columns. */
async function measureEntries(ctx: Context, { entries, owner }: Entries, notes: string[]): Promise<void> {
  const measured = await measureRoundRobin(entries, ctx.timing);
  for (const [key, m] of Object.entries(measured) as [string, Measurement | Error][]) {
    const [column, part] = owner.get(key)!;
    if (m instanceof Error) {
      notes.push(`${key} threw: ${m.message}`);
      column.ms = 'error';
    } else if (typeof column.ms !== 'string') {
      column.ms[part] = m.medianMs;
      ctx.progress(`mlp ${key}: ${m.medianMs.toPrecision(3)} ms`);
    }
  }
}

/** Tensorloom's columns, measured in the same rounds as `torch`'s contenders with --interleave. */
async function measureTensorloom(
  ctx: Context,
  libs: MlpLibs,
  d: MlpData,
  notes: string[],
  torch: Entries,
): Promise<Column[]> {
  const { variants, restore } = tensorloomVariants(libs.tl);
  const columns: Column[] = [];
  const entries: Record<string, Timed> = {};
  const owner = new Map<string, [Column, Timing]>(); // entry key → what its median fills in
  try {
    for (const v of variants) {
      const column: Column = { label: v.header, threads: v.threads, ms: {} };
      columns.push(column);
      try {
        v.select();
        const t = trainer(libs, d, MLP);
        column.losses = Array.from({ length: MLP.checkSteps }, () => t.step().item());
        const enter = async () => v.select();
        const timed: Record<Timing, Timed> = {
          step: { fn: t.step, enter },
          forward: { fn: t.forward, enter },
          'forward+backward': { fn: t.forwardBackward, enter },
          optimizer: {
            fn: t.optimizer,
            // Adam needs gradients; stepping repeatedly on the same ones costs the same as on fresh ones.
            enter: async () => {
              v.select();
              if (!t.hasGrads()) t.forwardBackward();
            },
          },
        };
        for (const part of TIMED) {
          const key = `${column.label} ${part}`;
          entries[key] = timed[part];
          owner.set(key, [column, part]);
        }
      } catch (err) {
        column.ms = 'error';
        notes.push(`${column.label} threw while setting up: ${err instanceof Error ? err.message : err}`);
      }
    }
    await measureEntries(
      ctx,
      ctx.interleave
        ? { entries: { ...entries, ...torch.entries }, owner: new Map([...owner, ...torch.owner]) }
        : { entries, owner },
      notes,
    );
  } finally {
    restore();
  }
  return columns;
}

/**
 * PyTorch's columns and their contenders: one long-lived script per thread count, sampled in the same rounds as
 * Tensorloom (src/torch-session.ts). `close` ends the scripts.
 */
async function startTorch(
  ctx: Context,
  d: MlpData,
  notes: string[],
): Promise<{ columns: Column[]; torch: Entries; close: () => void }> {
  const config = {
    batch: MLP.batch,
    sizes: [MLP.inFeatures, MLP.hidden, MLP.classes],
    lr: MLP.lr,
    targets: [...d.targets],
    check_steps: MLP.checkSteps,
  };
  const label = (threads: number) => `torch (${threads} thr)`;
  const started = await torchColumns(ctx, 'mlp', config, () => packed(d), notes, {
    unavailable: (threads, cell): Column => ({ label: label(threads), threads, ms: cell }),
    ready: (threads, info): Column => ({
      label: label(threads),
      threads,
      ms: {},
      losses: (info as { check_losses: number[] }).check_losses,
    }),
  });
  const torch: Entries = { entries: {}, owner: new Map() };
  for (const [column, session] of started.columns) {
    if (!session) continue;
    for (const part of TIMED) {
      const key = `${column.label} ${part}`;
      torch.entries[key] = session.timed(part);
      torch.owner.set(key, [column, part]);
    }
  }
  return { columns: started.columns.map(([column]) => column), torch, close: started.close };
}

/** Every contender's first losses against the reference's (torch at 1 thread, else the first backend). */
function checkLine(columns: Column[]): string {
  const withLosses = columns.filter((c) => c.losses !== undefined);
  const ref = withLosses.find((c) => c.label.startsWith('torch')) ?? withLosses[0];
  if (ref?.losses === undefined) return 'check: no contender produced losses';
  const parts = withLosses
    .filter((c) => c !== ref)
    .map((c) => {
      const err = relError(c.losses!, ref.losses!);
      return `${c.label} ${err.toExponential(1)}${err > 1e-4 ? ' MISMATCH' : ''}`;
    });
  const losses = ref.losses.map((l) => l.toFixed(4)).join(', ');
  return `check: loss of the first ${MLP.checkSteps} steps from the same init, ${ref.label} ${losses}; max rel. error vs it: ${parts.join(', ') || '(nothing to compare)'}`;
}

function render(columns: Column[], notes: string[]): string {
  const tls = columns.filter((c) => c.label.startsWith('Tensorloom'));
  const torches = columns.filter((c) => c.label.startsWith('torch'));
  const pairs = tls.flatMap((t) =>
    torches.filter((p) => p.threads === t.threads).map((p) => [t, p] as const),
  );
  const short = (c: Column) => c.label.replace('Tensorloom', 'TL').replace(/[()]/g, '');
  const headers = [
    'part',
    ...columns.map((c) => c.label),
    ...pairs.map(([t, p]) => `${short(t)} ÷ ${short(p)}`),
  ];
  const rows = ROWS.map(([label, pick]) => {
    const value = (c: Column) => (typeof c.ms === 'string' ? undefined : pick(c.ms));
    const cell = (c: Column) => (typeof c.ms === 'string' ? c.ms : formatMs(value(c)));
    const ratio = (t: Column, p: Column) => {
      const [a, b] = [value(t), value(p)];
      if (a === undefined || b === undefined || !(a > 0 && b > 0)) return '—';
      const r = a / b;
      return `${r.toFixed(r >= 10 ? 1 : 2)}×`;
    };
    return [label, ...columns.map(cell), ...pairs.map(([t, p]) => ratio(t, p))];
  });
  const { batch, inFeatures, hidden, classes, lr } = MLP;
  const title = `mlp training step, batch ${batch}, ${inFeatures}→${hidden}→${classes} (Linear, ReLU, Linear), cross-entropy, Adam lr ${lr} — ms per step (median; lower is better)`;
  return [title, renderTable(headers, rows), ...notes.map((n) => `  * ${n}`)].join('\n');
}

/** Runs the suite and returns its table and notes as text. */
export async function runMlp(ctx: Context): Promise<string> {
  const d = mlpData(MLP);
  const notes: string[] = [];
  const libs = await loadLibs(ctx);
  const unusable = 'cell' in libs ? null : missingApi(libs.tl);
  let tlColumns: Column[];
  const started = await startTorch(ctx, d, notes);
  try {
    if ('cell' in libs || unusable !== null) {
      tlColumns = [{ label: 'Tensorloom', threads: 1, ms: 'cell' in libs ? libs.cell : 'n/a (old API)' }];
      const note = 'cell' in libs ? libs.note : `Tensorloom mlp: ${unusable}`;
      if (note) notes.push(note);
      await measureEntries(ctx, started.torch, notes);
    } else {
      tlColumns = await measureTensorloom(ctx, libs, d, notes, started.torch);
      if (!ctx.interleave) await measureEntries(ctx, started.torch, notes);
    }
  } finally {
    started.close();
  }
  const columns = [...tlColumns, ...started.columns];
  notes.unshift(checkLine(columns));
  notes.push(
    'train step = zeroGrad + forward + loss + backward + Adam step; backward = (zeroGrad + forward + backward) − forward, a difference of medians; Adam step timed alone on standing gradients.',
    'Tensorloom wasm runs at 1 and 2 threads (setNumThreads: matmul split across them, the other kernels on the calling thread), js on one. TL x ÷ torch n thr = Tensorloom time / PyTorch time at the same thread count, both from this run (lower is better).',
  );
  return render(columns, notes);
}
