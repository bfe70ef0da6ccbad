// The Tensorloom side of the transformer suite: loading @tensorloom/nn and nn-attention, and the encoder
// layer's timed step (the backend and thread settings of each column are in src/variants.ts).
import type * as NN from '@tensorloom/nn';
import type * as NNAttention from '@tensorloom/nn-attention';
import type { Context } from './suite.js';
import type { Tensorloom } from './tensorloom.js';
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
