// Greedy decoding with Tensorloom's TransformerDecoder, with the key/value cache (decoder.createCache(): each
// step feeds only the newest token) against recomputing the whole prefix every step (a causal pass over all
// tokens so far, as a decoder without a cache must), in ms per decoded sequence. Both must pick the same
// tokens.
import type { StateDict } from '@tensorloom/nn';
import { relError } from './data.js';
import type { Context } from './suite.js';
import { formatMs, renderTable } from './table.js';
import { type Measurement, measureRoundRobin, type Timed } from './timing.js';
import { type Loaded, loadAttention } from './transformer-tensorloom.js';
import { missingApi, tensorloomVariants } from './variants.js';

/** Batch B, memory length S, tokens decoded N, and the model: D, H, F, layers, vocabulary. */
export const DECODE_SIZES = {
  batch: 1,
  memoryLength: 32,
  tokens: 32,
  dModel: 256,
  nhead: 4,
  dimFeedforward: 1024,
  numLayers: 2,
  vocab: 1000,
};
const BOS = 0;
const SEED = 2024;
/** The cache should make decoding at least this much faster. */
const TARGET_SPEEDUP = 3;

/** One greedy decode: the tokens picked per batch row (after BOS), and each step's logits [B, V] if asked. */
interface Decoded {
  tokens: number[][];
  logits: Float32Array[];
}

export type Greedy = (cached: boolean, keepLogits?: boolean) => Decoded;

/** sin/cos positions [N, D] (Vaswani et al.), so that the steps differ by more than their tokens. */
function sinusoids(length: number, width: number): Float32Array {
  const out = new Float32Array(length * width);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < width; i += 2) {
      const angle = pos / 10000 ** (i / width);
      out[pos * width + i] = Math.sin(angle);
      if (i + 1 < width) out[pos * width + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/**
 * A decoder (post-norm, ReLU, no dropout, a final LayerNorm as nn.Transformer's), a token embedding and an
 * output projection, in eval mode; weights from `state` when given (every backend decodes with one model).
 */
export function makeGreedy({ tl, nn, attention }: Loaded, state: Record<string, StateDict> | null) {
  const {
    batch,
    memoryLength,
    tokens: steps,
    dModel,
    nhead,
    dimFeedforward,
    numLayers,
    vocab,
  } = DECODE_SIZES;
  tl.manualSeed(SEED);
  const decoder = new attention.TransformerDecoder({
    dModel,
    nhead,
    dimFeedforward,
    numLayers,
    dropout: 0,
    batchFirst: true,
    norm: true,
  }).eval();
  const embedding = new nn.Embedding(vocab, dModel);
  const generator = new nn.Linear(dModel, vocab);
  const memory = tl.randn([batch, memoryLength, dModel]); // [B, S, D]: an encoder's output
  const modules = { decoder, embedding, generator } as const;
  if (state) for (const [k, m] of Object.entries(modules)) m.loadStateDict(state[k]);
  const positions = tl.tensor(sinusoids(steps, dModel), { shape: [steps, dModel] }); // [N, D]

  /** Rows of tokens [B, n] starting at position `from` → [B, n, D]. */
  const embed = (rows: number[][], from: number) => {
    const n = rows[0].length;
    const ids = tl.tensor(rows.flat(), { shape: [batch, n], dtype: 'int32' }); // [B, n]
    return embedding
      .forward(ids)
      .mul(Math.sqrt(dModel))
      .add(positions.narrow(0, from, n)); // [B, n, D]
  };

  const greedy: Greedy = (cached, keepLogits = false) =>
    tl.noGrad(() => {
      const cache = cached ? decoder.createCache() : null;
      const rows = Array.from({ length: batch }, () => [BOS]);
      const logits: Float32Array[] = [];
      for (let t = 0; t < steps; t++) {
        const newest = rows.map((r) => [r[t]]); // [B, 1] tokens
        const y = cache
          ? decoder.forward(embed(newest, t), memory, { cache }) // [B, 1, D]
          : decoder.forward(embed(rows, 0), memory, { tgtIsCausal: true }); // [B, t+1, D]
        const last = y.narrow(1, y.shape[1] - 1, 1).squeeze(1); // [B, D]
        const scores = generator.forward(last); // [B, V]
        if (keepLogits) logits.push(Float32Array.from(scores.dataSync()));
        const next = scores.argmax(-1).dataSync(); // [B]
        rows.forEach((r, b) => {
          r.push(Number(next[b]));
        });
      }
      return { tokens: rows.map((r) => r.slice(1)), logits };
    });
  return { greedy, state: Object.fromEntries(Object.entries(modules).map(([k, m]) => [k, m.stateDict()])) };
}

interface Row {
  label: string;
  threads: number;
  /** Median ms per decoded sequence, or why there is none. */
  noCache: number | string;
  cached: number | string;
  /** Cached against recomputed: the first step whose tokens differ (-1: none) and the largest logit error. */
  firstDifference: number;
  logitError: number;
  tokens: number[][];
}

/** The first step at which some batch row picked a different token, or -1. */
function firstDifference(a: readonly number[][], b: readonly number[][]): number {
  const steps = Math.max(...a.map((r) => r.length), ...b.map((r) => r.length));
  for (let t = 0; t < steps; t++) if (a.some((row, i) => row[t] !== b[i]?.[t])) return t;
  return -1;
}

function logitError(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  return a.reduce((worst, x, i) => Math.max(worst, b[i] ? relError(x, b[i]) : Number.POSITIVE_INFINITY), 0);
}

async function measure(ctx: Context, notes: string[]): Promise<Row[] | string> {
  const loaded = await loadAttention(ctx);
  if ('cell' in loaded) {
    if (loaded.note) notes.push(loaded.note);
    return loaded.cell;
  }
  const unusable = missingApi(loaded.tl);
  if (unusable !== null) return `n/a (${unusable})`;
  const { variants, restore } = tensorloomVariants(loaded.tl);
  const rows: Row[] = [];
  const entries: Record<string, Timed> = {};
  const owner = new Map<string, [Row, 'noCache' | 'cached']>();
  try {
    let state: Record<string, StateDict> | null = null;
    for (const v of variants) {
      v.select();
      const made = makeGreedy(loaded, state);
      state ??= made.state;
      const recomputed = made.greedy(false, true);
      const cached = made.greedy(true, true);
      const row: Row = {
        label: v.label,
        threads: v.threads,
        noCache: '?',
        cached: '?',
        firstDifference: firstDifference(cached.tokens, recomputed.tokens),
        logitError: logitError(cached.logits, recomputed.logits),
        tokens: cached.tokens,
      };
      rows.push(row);
      for (const kind of ['noCache', 'cached'] as const) {
        const key = `${v.label} (${v.threads} thr) ${kind === 'cached' ? 'KV cache' : 'no cache'}`;
        entries[key] = { fn: () => made.greedy(kind === 'cached'), enter: async () => v.select() };
        owner.set(key, [row, kind]);
      }
    }
    ctx.progress(`transformer: timing greedy decoding (${Object.keys(entries).join(', ')})…`);
    const measured = await measureRoundRobin(entries, ctx.timing);
    for (const [key, m] of Object.entries(measured) as [string, Measurement | Error][]) {
      const [row, kind] = owner.get(key)!;
      if (m instanceof Error) {
        row[kind] = 'error';
        notes.push(`${key} threw: ${m.message}`);
      } else {
        row[kind] = m.medianMs;
        ctx.progress(`decode ${key}: ${m.medianMs.toPrecision(3)} ms`);
      }
    }
  } finally {
    restore();
  }
  return rows;
}

function render(rows: Row[] | string, notes: string[]): string {
  const ms = (v: number | string) => (typeof v === 'number' ? formatMs(v) : v);
  const lines =
    typeof rows === 'string'
      ? [['Tensorloom', '—', rows, rows, '—', '—']]
      : rows.map((r) => {
          const speedup =
            typeof r.noCache === 'number' && typeof r.cached === 'number' ? r.noCache / r.cached : null;
          return [
            r.label,
            String(r.threads),
            ms(r.noCache),
            ms(r.cached),
            speedup === null
              ? '—'
              : `${speedup.toFixed(speedup >= 10 ? 1 : 2)}×${speedup < TARGET_SPEEDUP ? ' (< target)' : ''}`,
            r.firstDifference < 0 ? 'same' : `differ from step ${r.firstDifference}`,
          ];
        });
  const table = renderTable(
    ['contender', 'threads', 'no cache', 'KV cache', 'speedup', 'tokens, cache vs none'],
    lines,
  );
  if (typeof rows !== 'string' && rows.length > 0) {
    const ref = rows[0];
    const across = rows
      .slice(1)
      .map(
        (r) =>
          `${r.label} (${r.threads} thr) ${firstDifference(r.tokens, ref.tokens) < 0 ? 'same' : 'DIFFERENT'}`,
      );
    notes.unshift(
      `check: max rel. error of the 32 steps' logits, KV cache vs none: ${rows.map((r) => `${r.label} (${r.threads} thr) ${r.logitError.toExponential(1)}${r.logitError > 1e-4 ? ' MISMATCH' : ''}`).join(', ')}; tokens vs ${ref.label} (${ref.threads} thr): ${across.join(', ') || '(nothing to compare)'}`,
    );
  }
  const { batch, memoryLength, tokens, dModel, nhead, dimFeedforward, numLayers, vocab } = DECODE_SIZES;
  notes.push(
    `a sequence = ${tokens} greedy steps from BOS under noGrad: embed (× √D, + sinusoidal positions), decoder, final LayerNorm, Linear to ${vocab} logits, argmax read back. No cache: the decoder reruns over every token so far (tgtIsCausal) and re-projects the memory each step; KV cache: decoder.forward(newest token, memory, { cache }). Target: the cache ≥ ${TARGET_SPEEDUP}× faster.`,
  );
  const title = `greedy decoding of ${tokens} tokens, TransformerDecoder ${numLayers} layers (d_model ${dModel}, ${nhead} heads, feed-forward ${dimFeedforward}), memory ${memoryLength}, batch ${batch} — ms per sequence (median; lower is better)`;
  return [title, table, ...notes.map((n) => `  * ${n}`)].join('\n');
}

/** Times greedy decoding with and without the cache for every Tensorloom backend; returns the table as text. */
export async function runDecode(ctx: Context): Promise<string> {
  const notes: string[] = [];
  return render(await measure(ctx, notes), notes);
}
