// An LSTM's forward + backward on a fixed batch, in ms per step (lower is better): Tensorloom's LSTM from
// @tensorloom/nn-rnn once per registered backend (wasm at 1 and 2 threads), TF.js's tf.layers.lstm on cpu
// and wasm, PyTorch's nn.LSTM at 1 and 2 threads. One step: the layer over the whole sequence from zero
// states, loss = sum of the output, backward to every weight and to the input. Two rows: one layer, and a
// 2-layer bidirectional stack.
import type * as NNRnn from '@tensorloom/nn-rnn';
import { randnArray, relError } from './data.js';
import { type LstmSpec, type Param, tfLstm } from './lstm-tfjs.js';
import type { Context } from './suite.js';
import { formatMs, renderTable } from './table.js';
import type { Tensorloom } from './tensorloom.js';
import type { TfBackend } from './tfjs.js';
import { type Measurement, measureRoundRobin, type Timed } from './timing.js';
import { fromBase64, type TorchSession, torchColumns } from './torch-session.js';
import { missingApi, tensorloomVariants, type Variant } from './variants.js';

/** T, B, in and H of every case. */
export const LSTM_SIZES = { steps: 20, batch: 32, inputSize: 128, hiddenSize: 256 };

interface LstmCase {
  id: string;
  label: string;
  numLayers: number;
  bidirectional: boolean;
}

export const LSTM_CASES: readonly LstmCase[] = [
  { id: 'lstm', label: 'LSTM, 1 layer', numLayers: 1, bidirectional: false },
  { id: 'bilstm2', label: 'LSTM, 2 layers, bidirectional', numLayers: 2, bidirectional: true },
];
/**
 * TF.js cpu takes ≈ 2 s per step for one layer and ≈ 14 s for the bidirectional stack (on the dev machine),
 * so it gets the minimum number of samples whatever --runs says; each sample is one call anyway.
 */
const TF_CPU_RUNS = 5;
const TF_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

/** PyTorch's nn.LSTM parameters, in named_parameters() order: per layer and direction, (W_ih, W_hh, b_ih, b_hh). */
function paramShapes(c: LstmCase): [string, number[]][] {
  const { inputSize, hiddenSize: h } = LSTM_SIZES;
  const directions = c.bidirectional ? 2 : 1;
  const out: [string, number[]][] = [];
  for (let layer = 0; layer < c.numLayers; layer++) {
    const layerInput = layer === 0 ? inputSize : h * directions;
    for (let d = 0; d < directions; d++) {
      const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
      out.push(
        [`weight_ih${suffix}`, [4 * h, layerInput]],
        [`weight_hh${suffix}`, [4 * h, h]],
        [`bias_ih${suffix}`, [4 * h]],
        [`bias_hh${suffix}`, [4 * h]],
      );
    }
  }
  return out;
}

/** The input and weights every contender of a case starts from (weights ~ PyTorch's init variance). */
export function lstmSpec(c: LstmCase, caseIndex: number): LstmSpec {
  const { steps, batch, inputSize, hiddenSize } = LSTM_SIZES;
  // U(±1/√H) has variance 1/(3H); normal samples with that variance are as good a start.
  const weights = new Map<string, Param>(
    paramShapes(c).map(([name, shape], k) => {
      const data = randnArray(
        shape.reduce((n, d) => n * d, 1),
        1000 * (caseIndex + 1) + k,
      ).map((v) => v / Math.sqrt(3 * hiddenSize));
      return [name, { shape, data }];
    }),
  );
  const x = randnArray(steps * batch * inputSize, 41);
  return { ...LSTM_SIZES, numLayers: c.numLayers, bidirectional: c.bidirectional, x, weights };
}

/** torch/lstm.py's stdin: x, then each case's weights in PyTorch's order, as raw float32. */
function packed(specs: readonly LstmSpec[]): Uint8Array {
  const parts = [specs[0].x, ...specs.flatMap((s) => [...s.weights.values()].map((p) => p.data))];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(out.buffer);
}

/** One step's output [T, B, D·H] and input gradient [T, B, in], compared across contenders. */
interface Check {
  output: ArrayLike<number>;
  inputGrad: ArrayLike<number>;
}

interface Column {
  label: string;
  /** Threads it runs on (Tensorloom js and TF.js: 1); torch ratios pair columns of equal thread counts. */
  threads: number;
  /** Median ms per step by case id, or why there is none (one text for every case when a string). */
  ms: Record<string, number | string> | string;
  checks: Record<string, Check>;
}

/** @tensorloom/nn-rnn (built dist/), or the cell text saying why not, plus a note. */
async function loadRnn(
  ctx: Context,
): Promise<{ tl: Tensorloom; rnn: typeof NNRnn } | { cell: string; note?: string }> {
  if (!ctx.tl.ok) return { cell: ctx.tl.cell };
  try {
    return { tl: ctx.tl.tl, rnn: await import('@tensorloom/nn-rnn') };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const built = e.code !== 'ERR_MODULE_NOT_FOUND';
    return {
      cell: built ? 'n/a (load error)' : 'n/a (not built)',
      note: `Tensorloom lstm: ${e.message ?? String(err)}${built ? '' : ' (run `pnpm bench` from the root, which builds it)'}`,
    };
  }
}

/** A Tensorloom LSTM loaded with the case's weights, built while the wanted backend is selected. */
export function tlStep(
  tl: Tensorloom,
  rnn: typeof NNRnn,
  s: LstmSpec,
): { step: () => void; check: () => Check } {
  const { steps, batch, inputSize, hiddenSize, numLayers, bidirectional } = s;
  const model = new rnn.LSTM({ inputSize, hiddenSize, numLayers, bidirectional });
  model.loadStateDict(
    Object.fromEntries([...s.weights].map(([name, p]) => [name, tl.tensor(p.data, { shape: p.shape })])),
  );
  const x = tl.tensor(s.x, { shape: [steps, batch, inputSize], requiresGrad: true }); // [T, B, in]
  const step = () => {
    model.zeroGrad();
    x.grad = null;
    const [output] = model.forward(x); // [T, B, D·H]
    output.sum().backward();
    return output;
  };
  return {
    step,
    check: () => {
      const output = step().detach().dataSync().slice();
      return { output, inputGrad: x.grad?.dataSync().slice() ?? [] };
    },
  };
}

/** One round-robin per case over the JS contenders: Tensorloom per backend × threads, TF.js cpu and wasm. */
/**
 * Per case, one round-robin over every contender: Tensorloom per backend and thread count, TF.js cpu and wasm, and
 * PyTorch at each thread count from its own long-lived process (src/torch-session.ts).
 */
async function measureAll(ctx: Context, specs: readonly LstmSpec[], notes: string[]): Promise<Column[]> {
  const loaded = await loadRnn(ctx);
  const unusable = 'cell' in loaded ? null : missingApi(loaded.tl);
  const tlColumns: Column[] = [];
  let variants: Variant[] = [];
  let restore = () => {};
  if ('cell' in loaded || unusable !== null) {
    const cell = 'cell' in loaded ? loaded.cell : 'n/a (old API)';
    tlColumns.push({ label: 'Tensorloom', threads: 1, ms: cell, checks: {} });
    const note = 'cell' in loaded ? loaded.note : `Tensorloom lstm: ${unusable}`;
    if (note) notes.push(note);
  } else {
    ({ variants, restore } = tensorloomVariants(loaded.tl));
    for (const v of variants) tlColumns.push({ label: v.header, threads: v.threads, ms: {}, checks: {} });
  }
  const tfColumns: Column[] = TF_BACKENDS.map((b) => ({
    label: `TF.js ${b}`,
    threads: 1,
    ms: {},
    checks: {},
  }));
  const fail = (column: Column, caseId: string, what: string, err: unknown) => {
    (column.ms as Record<string, number | string>)[caseId] = 'error';
    notes.push(`${column.label} (${caseId}) threw ${what}: ${err instanceof Error ? err.message : err}`);
  };
  const torch = await startTorch(ctx, specs, notes);

  try {
    for (const [k, c] of LSTM_CASES.entries()) {
      const s = specs[k];
      const entries: Record<string, Timed> = {};
      const owner = new Map<string, Column>(); // entry key → its column
      const disposers: (() => void)[] = [];
      if (!('cell' in loaded)) {
        variants.forEach((v, b) => {
          const column = tlColumns[b];
          try {
            v.select();
            const t = tlStep(loaded.tl, loaded.rnn, s);
            column.checks[c.id] = t.check();
            entries[column.label] = { fn: t.step, enter: async () => v.select() };
            owner.set(column.label, column);
          } catch (err) {
            fail(column, c.id, 'while setting up', err);
          }
        });
      }
      for (const [b, backend] of TF_BACKENDS.entries()) {
        const column = tfColumns[b];
        try {
          const t = await tfLstm(ctx.tf, backend, s);
          if (typeof t === 'string') {
            (column.ms as Record<string, string>)[c.id] = t;
            continue;
          }
          disposers.push(t.dispose);
          const { output, inputGrad } = await t.check();
          column.checks[c.id] = { output, inputGrad };
          entries[column.label] = {
            fn: t.step,
            enter: t.enter,
            runs: backend === 'cpu' ? TF_CPU_RUNS : undefined,
          };
          owner.set(column.label, column);
        } catch (err) {
          fail(column, c.id, 'while setting up', err);
        }
      }
      const later: Record<string, Timed> = {}; // PyTorch's contenders, unless sampled in the same rounds
      for (const [column, session] of torch.contenders) {
        if (!session) continue;
        (ctx.interleave ? entries : later)[column.label] = session.timed(c.id);
        owner.set(column.label, column);
      }
      ctx.progress(
        `lstm: timing ${c.label} (${Object.keys(entries).join(', ')}; TF.js takes seconds per step)…`,
      );
      const measured = {
        ...(await measureRoundRobin(entries, ctx.timing)),
        ...(await measureRoundRobin(later, ctx.timing)),
      };
      for (const [key, m] of Object.entries(measured) as [string, Measurement | Error][]) {
        const column = owner.get(key)!;
        if (m instanceof Error) fail(column, c.id, 'while timed', m);
        else {
          (column.ms as Record<string, number>)[c.id] = m.medianMs;
          ctx.progress(`lstm ${c.label} ${key}: ${m.medianMs.toPrecision(3)} ms`);
        }
      }
      for (const dispose of disposers) dispose();
    }
  } finally {
    torch.close();
    restore();
  }
  return [...tlColumns, ...tfColumns, ...torch.contenders.map(([column]) => column)];
}

/** PyTorch's columns, each with its session (null when it could not start), and `close` to end the scripts. */
async function startTorch(
  ctx: Context,
  specs: readonly LstmSpec[],
  notes: string[],
): Promise<{ contenders: [Column, TorchSession | null][]; close: () => void }> {
  const config = {
    steps: LSTM_SIZES.steps,
    batch: LSTM_SIZES.batch,
    input_size: LSTM_SIZES.inputSize,
    hidden_size: LSTM_SIZES.hiddenSize,
    cases: LSTM_CASES.map((c) => ({
      id: c.id,
      num_layers: c.numLayers,
      bidirectional: c.bidirectional,
      params: paramShapes(c),
    })),
  };
  const label = (threads: number) => `torch (${threads} thr)`;
  const started = await torchColumns(ctx, 'lstm', config, () => packed(specs), notes, {
    unavailable: (threads, cell): Column => ({ label: label(threads), threads, ms: cell, checks: {} }),
    ready: (threads, info): Column => {
      const { check } = info as { check: Record<string, { output: string; input_grad: string }> };
      const checks = Object.fromEntries(
        Object.entries(check).map(([id, c]) => [
          id,
          { output: fromBase64(c.output), inputGrad: fromBase64(c.input_grad) },
        ]),
      );
      return { label: label(threads), threads, ms: {}, checks };
    },
  });
  return { contenders: started.columns, close: started.close };
}

/** Per case: every contender's output and input gradient against the first Tensorloom column's (else the first). */
function checkLines(columns: readonly Column[]): string[] {
  return LSTM_CASES.map((c) => {
    const withCheck = columns.filter((col) => col.checks[c.id] !== undefined);
    const ref = withCheck.find((col) => col.label.startsWith('Tensorloom')) ?? withCheck[0];
    if (ref === undefined) return `check ${c.label}: no contender produced an output`;
    const want = ref.checks[c.id];
    const parts = withCheck
      .filter((col) => col !== ref)
      .map((col) => {
        const got = col.checks[c.id];
        const errors = [relError(got.output, want.output), relError(got.inputGrad, want.inputGrad)];
        const flag = errors.some((e) => !(e <= 1e-4)) ? ' MISMATCH' : '';
        return `${col.label} ${errors.map((e) => e.toExponential(1)).join(' / ')}${flag}`;
      });
    return `check ${c.label}, max rel. error of output / input gradient vs ${ref.label}: ${parts.join(', ') || '(nothing to compare)'}`;
  });
}

/**
 * Two tables: ms per step (rows = cases, columns = contenders), then Tensorloom's time ÷ each TF.js
 * contender's and torch's at the same thread count, one row per case and Tensorloom column (a column per
 * pair would be too wide to read).
 */
function render(columns: readonly Column[], notes: readonly string[]): string {
  const tls = columns.filter((c) => c.label.startsWith('Tensorloom'));
  const tfs = columns.filter((c) => c.label.startsWith('TF.js'));
  const torchAt = (threads: number) =>
    columns.find((c) => c.label.startsWith('torch') && c.threads === threads);
  const value = (c: Column, id: string) => (typeof c.ms === 'string' ? c.ms : (c.ms[id] ?? '?'));
  const cell = (c: Column, id: string) => {
    const v = value(c, id);
    return typeof v === 'string' ? v : formatMs(v);
  };
  const ratio = (t: Column, o: Column | undefined, id: string) => {
    if (o === undefined) return '—';
    const [a, b] = [value(t, id), value(o, id)];
    if (typeof a !== 'number' || typeof b !== 'number' || !(a > 0 && b > 0)) return '—';
    const r = a / b;
    return `${r.toFixed(r >= 10 ? 1 : 2)}×`;
  };
  const times = renderTable(
    ['layer', ...columns.map((c) => c.label)],
    LSTM_CASES.map((c) => [c.label, ...columns.map((col) => cell(col, c.id))]),
  );
  const ratios = renderTable(
    ['layer', 'Tensorloom', ...tfs.map((o) => `÷ ${o.label}`), '÷ torch, same threads'],
    LSTM_CASES.flatMap((c) =>
      tls.map((t) => [
        c.label,
        t.label.replace(/^Tensorloom ?/, '') || '—',
        ...tfs.map((o) => ratio(t, o, c.id)),
        ratio(t, torchAt(t.threads), c.id),
      ]),
    ),
    2,
  );
  const { steps, batch, inputSize, hiddenSize } = LSTM_SIZES;
  const title = `lstm forward + backward, T ${steps}, batch ${batch}, ${inputSize} → ${hiddenSize}, loss = sum of the output — ms per step (median; lower is better)`;
  return [
    title,
    times,
    '',
    "Tensorloom time ÷ the other contender's (torch's at the row's thread count; js counts as 1), from this run (lower is better; below 1.00× Tensorloom is faster)",
    ratios,
    ...notes.map((n) => `  * ${n}`),
  ].join('\n');
}

/** Runs the suite and returns its table and notes as text. */
export async function runLstm(ctx: Context): Promise<string> {
  const specs = LSTM_CASES.map(lstmSpec);
  const notes: string[] = [];
  const columns = await measureAll(ctx, specs, notes);
  notes.unshift(...checkLines(columns));
  notes.push(
    `a step = zero states, the layer over all ${LSTM_SIZES.steps} steps, sum, backward to the weights and the input (gradients set to null / None first); TF.js: tf.variableGrads over the layer's weights and the input, all results disposed.`,
    'Tensorloom wasm runs at 1 and 2 threads (setNumThreads: matmul split across them, the other kernels on the calling thread), js on one; the torch ratio pairs equal thread counts.',
    `TF.js cpu: ${TF_CPU_RUNS} samples of one call each whatever --runs says (seconds per step). Every contender starts from the same weights and input (seeded in src/lstm.ts; TF.js gets W_ihᵀ, W_hhᵀ and b_ih + b_hh).`,
  );
  return render(columns, notes);
}
