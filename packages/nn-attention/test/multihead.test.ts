/** @file MultiheadAttention: PyTorch's parameters and init, layouts, weights, the shortcuts, the positional hook. */

import { init } from '@tensorloom/nn';
import { MultiheadAttention, type PositionalHook, paddingMask } from '@tensorloom/nn-attention';
import { manualSeed, randn, ShapeError, type Tensor, TensorloomError, zerosLike } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const shapes = (m: MultiheadAttention) => m.namedParameters().map(([name, p]) => [name, p.shape]);

describe('MultiheadAttention parameters', () => {
  it("has PyTorch's names and shapes: packed, separate (kdim/vdim) and without bias", () => {
    expect(shapes(new MultiheadAttention({ embedDim: 8, numHeads: 2 }))).toEqual([
      ['in_proj_weight', [24, 8]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    expect(shapes(new MultiheadAttention({ embedDim: 8, numHeads: 2, kdim: 5, vdim: 7 }))).toEqual([
      ['q_proj_weight', [8, 8]],
      ['k_proj_weight', [8, 5]],
      ['v_proj_weight', [8, 7]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    expect(shapes(new MultiheadAttention({ embedDim: 8, numHeads: 2, bias: false }))).toEqual([
      ['in_proj_weight', [24, 8]],
      ['out_proj.weight', [8, 8]],
    ]);
  });

  it("initialises as PyTorch: xavier-uniform in_proj, zero biases, Linear's default out_proj weight", () => {
    manualSeed(1);
    const e = 64;
    const mha = new MultiheadAttention({ embedDim: e, numHeads: 4 });
    const stats = (t: Tensor) => {
      const v = Array.from(t.dataSync());
      const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
      return { max, std };
    };
    const xavier = Math.sqrt(6 / (e + 3 * e)); // fanIn E, fanOut 3E
    const inProj = stats(mha.inProjWeight as Tensor);
    expect(inProj.max).toBeLessThanOrEqual(xavier);
    expect(inProj.std).toBeCloseTo(xavier / Math.sqrt(3), 2);
    const out = stats(mha.outProj.weight);
    expect(out.max).toBeLessThanOrEqual(1 / Math.sqrt(e)); // kaiming-uniform(a = √5) = U(±1/√in)
    expect(out.std).toBeCloseTo(1 / Math.sqrt(3 * e), 2);
    expect(stats(mha.inProjBias as Tensor).max).toBe(0);
    expect(stats(mha.outProj.bias as Tensor).max).toBe(0);
  });
});

describe('MultiheadAttention forward', () => {
  manualSeed(2);
  const mha = new MultiheadAttention({ embedDim: 8, numHeads: 2 });
  for (const p of mha.parameters()) init.normal_(p, 0, 0.3); // non-zero biases
  const x = randn([5, 3, 8]); // [T, B, E]
  const memory = randn([4, 3, 8]); // [S, B, E]
  const pad = paddingMask([4, 2, 3]); // [B, S]

  it('returns [T, B, E] and averaged weights [B, T, S] that sum to 1 and are 0 at padding', () => {
    const [out, weights] = mha.forward(x, memory, memory, { keyPaddingMask: pad });
    expect(out.shape).toEqual([5, 3, 8]);
    expect(weights?.shape).toEqual([3, 5, 4]);
    expect(weights?.sum(-1)).toBeAllClose(randn([3, 5]).mul(0).add(1), { rtol: 1e-6 });
    const w = weights?.toArray() as number[][][];
    for (const row of w[1]) expect(row.slice(2)).toEqual([0, 0]);
  });

  it('per-head weights [B, H, T, S] average to the averaged ones', () => {
    const [, perHead] = mha.forward(x, memory, memory, { averageAttnWeights: false });
    const [, averaged] = mha.forward(x, memory, memory);
    expect(perHead?.shape).toEqual([3, 2, 5, 4]);
    expect(perHead?.mean(1)).toBeAllClose(averaged);
    expect(mha.forward(x, memory, memory, { needWeights: false })[1]).toBeNull();
  });

  it("PyTorch's packed shortcuts (q = k = v, k = v) equal the general path", () => {
    const [self] = mha.forward(x, x, x);
    const [general] = mha.forward(x, x.clone(), x.clone());
    expect(self).toBeAllClose(general, { rtol: 1e-5, atol: 1e-6 });
    const [shared] = mha.forward(x, memory, memory);
    const [separate] = mha.forward(x, memory, memory.clone());
    expect(shared).toBeAllClose(separate, { rtol: 1e-5, atol: 1e-6 });
  });

  it('batchFirst only changes the layout; an unbatched input equals a batch of one', () => {
    const first = new MultiheadAttention({ embedDim: 8, numHeads: 2, batchFirst: true });
    first.loadStateDict(mha.stateDict());
    const [a, wa] = mha.forward(x, memory, memory, { keyPaddingMask: pad });
    const [b, wb] = first.forward(x.transpose(0, 1), memory.transpose(0, 1), memory.transpose(0, 1), {
      keyPaddingMask: pad,
    });
    expect(b.transpose(0, 1)).toBeAllClose(a);
    expect(wb).toBeAllClose(wa);
    const [single, ws] = mha.forward(x.select(1, 2), memory.select(1, 2), memory.select(1, 2), {
      keyPaddingMask: pad.select(0, 2),
    });
    expect(single.shape).toEqual([5, 8]);
    expect(ws?.shape).toEqual([5, 4]);
    expect(single).toBeAllClose(a.select(1, 2), { rtol: 1e-5, atol: 1e-6 });
  });

  it('attend over projectKeyValue(memory) equals forward', () => {
    const kv = mha.projectKeyValue(memory, memory);
    expect(kv.keys.shape).toEqual([3, 2, 4, 4]); // [B, H, S, Dh]
    const [a, wa] = mha.attend(x, kv, { keyPaddingMask: pad });
    const [b, wb] = mha.forward(x, memory, memory, { keyPaddingMask: pad });
    expect(a).toBeAllClose(b);
    expect(wa).toBeAllClose(wb);
  });

  it('dropout acts on the weights in training mode only', () => {
    const dropping = new MultiheadAttention({ embedDim: 8, numHeads: 2, dropout: 0.5 });
    dropping.loadStateDict(mha.stateDict());
    const [trained] = dropping.forward(x, x, x);
    const [evaluated] = dropping.eval().forward(x, x, x);
    expect(evaluated).toBeAllClose(mha.forward(x, x, x)[0]);
    expect(trained).not.toBeAllClose(evaluated);
  });
});

describe('MultiheadAttention positional hook', () => {
  it('sees the per-head q [B, H, T, Dh] and k [B, H, S, Dh] at offset 0, and its output is used', () => {
    const seen: { q: number[]; k: number[]; offset: number }[] = [];
    const zeroQueries: PositionalHook = (q, k, { offset }) => {
      seen.push({ q: [...q.shape], k: [...k.shape], offset });
      return [zerosLike(q), k];
    };
    const mha = new MultiheadAttention({
      embedDim: 6,
      numHeads: 3,
      batchFirst: true,
      positionalHook: zeroQueries,
    });
    const [, weights] = mha.forward(randn([2, 4, 6]), randn([2, 5, 6]), randn([2, 5, 6]));
    expect(seen).toEqual([{ q: [2, 3, 4, 2], k: [2, 3, 5, 2], offset: 0 }]);
    expect(weights).toBeAllClose(
      randn([2, 4, 5])
        .mul(0)
        .add(1 / 5),
      { rtol: 1e-6 },
    ); // q = 0: uniform
  });

  it('must keep the shapes, and is not available with precomputed keys', () => {
    const bad: PositionalHook = (q, k) => [q.narrow(2, 0, 1), k];
    const mha = new MultiheadAttention({ embedDim: 4, numHeads: 2, positionalHook: bad });
    const x = randn([3, 1, 4]);
    expect(() => mha.forward(x, x, x)).toThrow(ShapeError);
    expect(() => mha.attend(x, mha.projectKeyValue(x, x))).toThrow(TensorloomError);
  });
});
