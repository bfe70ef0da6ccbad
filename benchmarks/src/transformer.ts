// One Transformer encoder layer's forward + backward on a fixed batch, in ms per step (lower is better):
// Tensorloom's TransformerEncoderLayer from @tensorloom/nn-attention once per registered backend (wasm at 1
// and 2 threads), the same layer built from TF.js ops on cpu and wasm, PyTorch's nn.TransformerEncoderLayer
// at 1 and 2 threads. One step: the layer, loss = sum of the output, backward to every weight and the input.
// The suite's second table, greedy decoding with and without the KV cache, is in src/decode.ts.
import { randnArray, relError } from './data.js';
import { runDecode } from './decode.js';
import type { Param } from './lstm-tfjs.js';
import type { Context } from './suite.js';
import { formatMs, renderTable } from './table.js';
import type { TfBackend } from './tfjs.js';
import { type Measurement, measureRoundRobin, type Timed } from './timing.js';
import { fromBase64, torchColumns } from './torch-session.js';
import { loadAttention, tlEncoderStep } from './transformer-tensorloom.js';
import { type EncoderCheck, type EncoderSpec, tfEncoderLayer } from './transformer-tfjs.js';
import { missingApi, tensorloomVariants } from './variants.js';

/** The layer and batch: B, T, D, H, F (post-norm, ReLU, no dropout). */
export const ENCODER_SIZES = {
  batch: 32,
  seq: 32,
  dModel: 256,
  nhead: 4,
  dimFeedforward: 1024,
  layerNormEps: 1e-5,
};

/**
 * TF.js cpu takes ≈ 7 s per step (wasm ≈ 3 s) on the dev machine, so it gets the minimum number of samples
 * whatever --runs says; each sample is one call anyway.
 */
const TF_CPU_RUNS = 5;
const TF_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];
const CHECK_TOLERANCE = 1e-4;

/** nn.TransformerEncoderLayer's parameters in named_parameters() order, and how their values are drawn. */
function paramShapes(): [string, number[], { std: number; mean?: number }][] {
  const { dModel: d, dimFeedforward: f } = ENCODER_SIZES;
  // A Linear's U(±1/√in) init has variance 1/(3·in); in_proj's xavier-uniform init has variance 2/(in + out).
  // Biases and LayerNorm's affine are not left at their init (0 and 1): with γ = 1 exactly, the sum of a
  // LayerNorm's output does not depend on its input, and the input gradient the check compares would be noise.
  const linear = (fanIn: number) => ({ std: 1 / Math.sqrt(3 * fanIn) });
  return [
    ['self_attn.in_proj_weight', [3 * d, d], { std: Math.sqrt(2 / (4 * d)) }],
    ['self_attn.in_proj_bias', [3 * d], linear(d)],
    ['self_attn.out_proj.weight', [d, d], linear(d)],
    ['self_attn.out_proj.bias', [d], linear(d)],
    ['linear1.weight', [f, d], linear(d)],
    ['linear1.bias', [f], linear(d)],
    ['linear2.weight', [d, f], linear(f)],
    ['linear2.bias', [d], linear(f)],
    ['norm1.weight', [d], { mean: 1, std: 0.1 }],
    ['norm1.bias', [d], { std: 0.1 }],
    ['norm2.weight', [d], { mean: 1, std: 0.1 }],
    ['norm2.bias', [d], { std: 0.1 }],
  ];
}

/** The input and weights every contender starts from (seeded). */
export function encoderSpec(): EncoderSpec {
  const { batch, seq, dModel } = ENCODER_SIZES;
  const weights = new Map<string, Param>(
    paramShapes().map(([name, shape, { std, mean = 0 }], k) => {
      const size = shape.reduce((n, dim) => n * dim, 1);
      return [name, { shape, data: randnArray(size, 6000 + k).map((v) => mean + std * v) }];
    }),
  );
  return { ...ENCODER_SIZES, x: randnArray(batch * seq * dModel, 61), weights };
}

/** torch/transformer.py's stdin: x, then the weights in PyTorch's order, as raw float32. */
function packed(s: EncoderSpec): Uint8Array {
  const parts = [s.x, ...[...s.weights.values()].map((p) => p.data)];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(out.buffer);
}

interface Column {
  label: string;
  threads: number;
  /** Median ms per step, or why there is none. */
  ms: number | string;
  check?: EncoderCheck;
}

/**
 * One round-robin over every contender: Tensorloom per backend and thread count, TF.js cpu and wasm, and PyTorch at
 * each thread count from its own long-lived process (src/torch-session.ts).
 */
async function measureAll(ctx: Context, s: EncoderSpec, notes: string[]): Promise<Column[]> {
  const columns: Column[] = [];
  const entries: Record<string, Timed> = {};
  const owner = new Map<string, Column>(); // entry key → its column
  const fail = (column: Column, what: string, err: unknown) => {
    column.ms = 'error';
    notes.push(
      `${column.label} (${column.threads} thr) threw ${what}: ${err instanceof Error ? err.message : err}`,
    );
  };
  const add = (column: Column, timed: Timed) => {
    const key = `${column.label} (${column.threads} thr)`;
    entries[key] = timed;
    owner.set(key, column);
  };

  const loaded = await loadAttention(ctx);
  const unusable = 'cell' in loaded ? null : missingApi(loaded.tl);
  let restore = () => {};
  if ('cell' in loaded || unusable !== null) {
    columns.push({ label: 'Tensorloom', threads: 1, ms: 'cell' in loaded ? loaded.cell : 'n/a (old API)' });
    const note = 'cell' in loaded ? loaded.note : `Tensorloom transformer: ${unusable}`;
    if (note) notes.push(note);
  } else {
    const variants = tensorloomVariants(loaded.tl);
    restore = variants.restore;
    for (const v of variants.variants) {
      const column: Column = { label: v.label, threads: v.threads, ms: '?' };
      columns.push(column);
      try {
        v.select();
        const t = tlEncoderStep(loaded, s);
        column.check = t.check();
        add(column, { fn: t.step, enter: async () => v.select() });
      } catch (err) {
        fail(column, 'while setting up', err);
      }
    }
  }

  const disposers: (() => void)[] = [];
  for (const backend of TF_BACKENDS) {
    const column: Column = { label: `TF.js ${backend}`, threads: 1, ms: '?' };
    columns.push(column);
    try {
      const t = await tfEncoderLayer(ctx.tf, backend, s);
      if (typeof t === 'string') {
        column.ms = t;
        continue;
      }
      disposers.push(t.dispose);
      column.check = await t.check();
      add(column, { fn: t.step, enter: t.enter, runs: backend === 'cpu' ? TF_CPU_RUNS : undefined });
    } catch (err) {
      fail(column, 'while setting up', err);
    }
  }

  const torch = await startTorch(ctx, s, notes);
  const later: Record<string, Timed> = {}; // PyTorch's contenders, unless sampled in the same rounds
  for (const [column, timed] of torch.contenders) {
    columns.push(column);
    if (!timed) continue;
    add(column, timed);
    if (!ctx.interleave) {
      later[name(column)] = timed;
      delete entries[name(column)];
    }
  }

  try {
    ctx.progress(
      `transformer: timing the encoder layer (${Object.keys(entries).join(', ')}; TF.js takes seconds per step)…`,
    );
    const measured = {
      ...(await measureRoundRobin(entries, ctx.timing)),
      ...(await measureRoundRobin(later, ctx.timing)),
    };
    for (const [key, m] of Object.entries(measured) as [string, Measurement | Error][]) {
      const column = owner.get(key)!;
      if (m instanceof Error) fail(column, 'while timed', m);
      else {
        column.ms = m.medianMs;
        ctx.progress(`transformer ${key}: ${m.medianMs.toPrecision(3)} ms`);
      }
    }
  } finally {
    torch.close();
    for (const dispose of disposers) dispose();
    restore();
  }
  return columns;
}

/** PyTorch's columns, each with its contender (null when it could not start), and `close` to end the scripts. */
async function startTorch(
  ctx: Context,
  s: EncoderSpec,
  notes: string[],
): Promise<{ contenders: [Column, Timed | null][]; close: () => void }> {
  const config = {
    batch: s.batch,
    seq: s.seq,
    d_model: s.dModel,
    nhead: s.nhead,
    dim_feedforward: s.dimFeedforward,
    params: paramShapes().map(([name, shape]) => [name, shape]),
  };
  const started = await torchColumns(ctx, 'transformer', config, () => packed(s), notes, {
    unavailable: (threads, cell): Column => ({ label: 'torch', threads, ms: cell }),
    ready: (threads, info): Column => {
      const { check } = info as {
        check: { output: string; input_grad: string; in_proj_weight_grad: string };
      };
      return {
        label: 'torch',
        threads,
        ms: '?',
        check: {
          output: fromBase64(check.output),
          inputGrad: fromBase64(check.input_grad),
          inProjGrad: fromBase64(check.in_proj_weight_grad),
        },
      };
    },
  });
  const contenders = started.columns.map(([column, session]): [Column, Timed | null] => [
    column,
    session?.timed('encoder_layer') ?? null,
  ]);
  return { contenders, close: started.close };
}

const name = (c: Column) => `${c.label} (${c.threads} thr)`;

/** Every contender's output and two gradients against the first Tensorloom column's (else the first). */
function checkLine(columns: readonly Column[]): string {
  const withCheck = columns.filter((c) => c.check !== undefined);
  const ref = withCheck.find((c) => c.label.startsWith('Tensorloom')) ?? withCheck[0];
  if (ref?.check === undefined) return 'check: no contender produced an output';
  const want = ref.check;
  const parts = withCheck
    .filter((c) => c !== ref)
    .map((c) => {
      const got = c.check as EncoderCheck;
      const errors = [
        relError(got.output, want.output),
        relError(got.inputGrad, want.inputGrad),
        relError(got.inProjGrad, want.inProjGrad),
      ];
      const flag = errors.some((e) => !(e <= CHECK_TOLERANCE)) ? ' MISMATCH' : '';
      return `${name(c)} ${errors.map((e) => e.toExponential(1)).join(' / ')}${flag}`;
    });
  return `check: max rel. error of output / input gradient / in_proj_weight gradient vs ${name(ref)}: ${parts.join(', ') || '(nothing to compare)'}`;
}

/** ms per step by contender, with ratios to torch at the same thread count and to TF.js wasm. */
function render(columns: readonly Column[], notes: readonly string[]): string {
  const ratio = (a: Column, b: Column | undefined) => {
    if (b === undefined || a === b || typeof a.ms !== 'number' || typeof b.ms !== 'number') return '—';
    const r = a.ms / b.ms;
    return `${r.toFixed(r >= 10 ? 1 : 2)}×`;
  };
  const torchAt = (threads: number) => columns.find((c) => c.label === 'torch' && c.threads === threads);
  const tfWasm = columns.find((c) => c.label === 'TF.js wasm');
  const table = renderTable(
    ['contender', 'threads', 'ms per step', '÷ torch, same threads', '÷ TF.js wasm'],
    columns.map((c) => [
      c.label,
      String(c.threads),
      typeof c.ms === 'number' ? formatMs(c.ms) : c.ms,
      ratio(c, torchAt(c.threads)),
      ratio(c, tfWasm),
    ]),
  );
  const { batch, seq, dModel, nhead, dimFeedforward } = ENCODER_SIZES;
  const title = `transformer encoder layer forward + backward, batch ${batch}, seq ${seq}, d_model ${dModel}, ${nhead} heads, feed-forward ${dimFeedforward}, post-norm, ReLU, no dropout, loss = sum of the output — ms per step (median; lower is better)`;
  return [title, table, ...notes.map((n) => `  * ${n}`)].join('\n');
}

async function runEncoder(ctx: Context): Promise<string> {
  const s = encoderSpec();
  const notes: string[] = [];
  const columns = await measureAll(ctx, s, notes);
  notes.unshift(checkLine(columns));
  notes.push(
    "a step = the layer (batch-first), sum, backward to every weight and the input (gradients set to null / None first). Ratios: time ÷ the other contender's, from this run; the target for Tensorloom wasm is ≤ 2.00× torch at the same thread count.",
    "Tensorloom wasm: matmul on that many threads (setNumThreads), everything else on the caller's. TF.js: the layer written with tfjs-core ops (matMul, softmax, moments, rsqrt, relu; kernels stored [in, out] as tf.layers.dense does), tf.variableGrads over its 12 weights and the input, all results disposed.",
    `TF.js cpu: ${TF_CPU_RUNS} samples of one call each whatever --runs says (seconds per step). Every contender starts from the same weights and input (seeded in src/transformer.ts, biases and LayerNorm affine away from their init so the check sees them).`,
  );
  if (ctx.torch.ok) {
    notes.push('torch runs in training mode (its autograd path, not the inference fast path).');
  }
  return render(columns, notes);
}

/** Runs the suite (the encoder layer, then greedy decoding) and returns its tables and notes as text. */
export async function runTransformer(ctx: Context): Promise<string> {
  return [await runEncoder(ctx), await runDecode(ctx)].join('\n\n');
}
