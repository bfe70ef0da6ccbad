// The Tensorloom side of the transformer suite: loading @tensorloom/nn and nn-attention, the backend and
// thread settings each Tensorloom column runs with, and the encoder layer's timed step.
import type * as NN from '@tensorloom/nn';
import type * as NNAttention from '@tensorloom/nn-attention';
import type { Context } from './suite.js';
import { missingExports, type Tensorloom } from './tensorloom.js';
import type { EncoderCheck, EncoderSpec } from './transformer-tfjs.js';

export interface Loaded {
  tl: Tensorloom;
  nn: typeof NN;
  attention: typeof NNAttention;
}

/** @tensorloom/nn and nn-attention (their built dist/), or the cell text saying why not, plus a note. */
export async function loadAttention(ctx: Context): Promise<Loaded | { cell: string; note?: string }> {
  if (!ctx.tl.ok) return { cell: ctx.tl.cell };
  try {
    return {
      tl: ctx.tl.tl,
      nn: await import('@tensorloom/nn'),
      attention: await import('@tensorloom/nn-attention'),
    };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const built = e.code !== 'ERR_MODULE_NOT_FOUND';
    return {
      cell: built ? 'n/a (load error)' : 'n/a (not built)',
      note: `Tensorloom transformer: ${e.message ?? String(err)}${built ? '' : ' (run `pnpm bench` from the root, which builds it)'}`,
    };
  }
}

/** One Tensorloom column: a backend at a thread count. */
export interface Variant {
  /** e.g. "Tensorloom wasm"; with `threads`, unique. */
  label: string;
  threads: number;
  /** Selects the backend and thread count (untimed, before every sample). */
  select: () => void;
}

/** Threads the wasm backend's matmul is measured at (the other kernels are single-threaded). */
export const WASM_THREADS = [1, 2] as const;

/**
 * A column per registered backend, the wasm one at 1 and 2 threads (setNumThreads), and a function that puts
 * back the backend and thread count found at the start.
 */
export function tensorloomVariants(tl: Tensorloom): { variants: Variant[]; restore: () => void } {
  const original = tl.getBackend().name;
  const originalThreads = tl.getNumThreads();
  const variants: Variant[] = tl.listBackends().flatMap((name): Variant[] => {
    const label = `Tensorloom ${name}`;
    if (name !== 'wasm') return [{ label, threads: 1, select: () => tl.setBackend(name) }];
    return WASM_THREADS.map((threads) => ({
      label,
      threads,
      select: () => {
        tl.setBackend(name);
        tl.setNumThreads(threads);
      },
    }));
  });
  return {
    variants,
    restore: () => {
      tl.setBackend(original);
      tl.setNumThreads(originalThreads);
    },
  };
}

/** Why Tensorloom cannot run the suite (an export it needs is missing), or null. */
export function missingApi(tl: Tensorloom): string | null {
  const missing = missingExports(tl, ['listBackends', 'setBackend', 'getNumThreads', 'setNumThreads']);
  return missing.length === 0 ? null : `@tensorloom/tensor lacks ${missing.join(', ')}`;
}

/** The encoder layer loaded with the spec's weights, and its step: zero grads, forward, sum, backward. */
export function tlEncoderStep(
  { tl, attention }: Loaded,
  s: EncoderSpec,
): { step: () => void; check: () => EncoderCheck } {
  const { batch, seq, dModel, nhead, dimFeedforward, layerNormEps } = s;
  const layer = new attention.TransformerEncoderLayer({
    dModel,
    nhead,
    dimFeedforward,
    dropout: 0,
    activation: 'relu',
    layerNormEps,
    batchFirst: true,
    normFirst: false,
  });
  layer.loadStateDict(
    Object.fromEntries([...s.weights].map(([name, p]) => [name, tl.tensor(p.data, { shape: p.shape })])),
  );
  const x = tl.tensor(s.x, { shape: [batch, seq, dModel], requiresGrad: true }); // [B, T, D]
  const step = () => {
    layer.zeroGrad();
    x.grad = null;
    const output = layer.forward(x); // [B, T, D]
    output.sum().backward();
    return output;
  };
  const copy = (t: { dataSync(): ArrayLike<number> } | null) => Float32Array.from(t?.dataSync() ?? []);
  return {
    step,
    check: () => {
      const output = copy(step().detach());
      return { output, inputGrad: copy(x.grad), inProjGrad: copy(layer.selfAttn.inProjWeight?.grad ?? null) };
    },
  };
}
