/** @file Learned position embeddings: the `weight` parameter, its init, forward with offsets, gradients and errors. */
import { ConfigError, LearnedPositionalEmbedding } from '@tensorloom/positional';
import { cat, Generator, gradcheck, IndexError, randn, ShapeError, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('LearnedPositionalEmbedding', () => {
  it('has one trainable parameter, weight [maxLen, D], in the state dict under that name', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 10, dModel: 4 });
    expect(pos.namedParameters().map(([name, p]) => [name, p.shape, p.requiresGrad])).toEqual([
      ['weight', [10, 4], true],
    ]);
    expect(Object.keys(pos.stateDict())).toEqual(['weight']);
    expect(pos.numParameters()).toBe(40);
    expect(pos.weight.dtype).toBe('float32');
    expect(pos.toString()).toBe(
      'LearnedPositionalEmbedding(maxLen=10, dModel=4\n  (dropout): Dropout(p=0)\n)',
    );
  });

  it('starts ~ N(0, 1), like nn.Embedding, and is reproducible from a generator', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 64, dModel: 64, generator: new Generator(1) });
    const w = pos.weight;
    expect(Math.abs(w.mean().item())).toBeLessThan(0.05);
    expect(Math.abs(w.std().item() - 1)).toBeLessThan(0.05);
    const again = new LearnedPositionalEmbedding({ maxLen: 64, dModel: 64, generator: new Generator(1) });
    expect(again.weight).toBeAllClose(w, { rtol: 0, atol: 0 });
  });

  it('adds weight[offset…offset+T] in both layouts', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 8, dModel: 3 });
    const x = randn([2, 4, 3]);
    expect(pos.forward(x)).toBeAllClose(x.add(pos.weight.narrow(0, 0, 4)), { rtol: 0, atol: 0 });
    expect(pos.forward(x, { offset: 4 })).toBeAllClose(x.add(pos.weight.narrow(0, 4, 4)), {
      rtol: 0,
      atol: 0,
    });
    const timeMajor = new LearnedPositionalEmbedding({ maxLen: 8, dModel: 3, batchFirst: false });
    timeMajor.loadStateDict(pos.stateDict());
    const xt = x.transpose(0, 1); // [T, B, D]
    expect(timeMajor.forward(xt, { offset: 2 })).toBeAllClose(pos.forward(x, { offset: 2 }).transpose(0, 1), {
      rtol: 0,
      atol: 0,
    });
  });

  it('gradient flows to the rows used and to x', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 6, dModel: 3 });
    const x = randn([2, 3, 3], { requiresGrad: true });
    const r = randn([2, 3, 3]);
    pos.forward(x, { offset: 2 }).mul(r).sum().backward();
    expect(x.grad).toBeAllClose(r, { rtol: 0, atol: 0 });
    const expected = cat([zeros([2, 3]), r.sum(0), zeros([1, 3])]); // rows 2…4 get Σ_b R[b, t]
    expect(pos.weight.grad).toBeAllClose(expected, { rtol: 1e-6, atol: 1e-7 });
  });

  it('float64 gradient check', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 5, dModel: 2, dtype: 'float64' });
    const x = randn([2, 3, 2], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((input) => pos.forward(input, { offset: 1 }), [x, pos.weight])).toBe(true);
  });

  it('dropout acts in training mode only', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 8, dModel: 16, dropout: 0.5 });
    const x = randn([4, 8, 16]);
    const zeroed = Array.from(pos.forward(x).dataSync()).filter((v) => v === 0).length;
    expect(zeroed).toBeGreaterThan(100);
    pos.eval();
    expect(pos.forward(x)).toBeAllClose(x.add(pos.weight), { rtol: 0, atol: 0 });
  });

  it('positions past maxLen are an IndexError naming maxLen and the positions', () => {
    const pos = new LearnedPositionalEmbedding({ maxLen: 8, dModel: 3 });
    expect(() => pos.forward(randn([1, 9, 3]))).toThrow(IndexError);
    expect(() => pos.forward(randn([1, 4, 3]), { offset: 6 })).toThrow(
      'learnedPositionalEmbedding: positions 6…9 requested (offset 6 + length 4) but maxLen is 8: only positions 0…7 have an embedding',
    );
    expect(pos.forward(randn([1, 2, 3]), { offset: 6 }).shape).toEqual([1, 2, 3]); // the last two fit
  });

  it('rejects bad configurations and inputs', () => {
    expect(() => new LearnedPositionalEmbedding({ maxLen: 0, dModel: 3 })).toThrow(ConfigError);
    expect(() => new LearnedPositionalEmbedding({ maxLen: 4, dModel: -2 })).toThrow(
      'learnedPositionalEmbedding: dModel must be an integer ≥ 1 (got -2)',
    );
    expect(() => new LearnedPositionalEmbedding({ maxLen: 4, dModel: 2, dropout: -0.1 })).toThrow(
      ConfigError,
    );
    const pos = new LearnedPositionalEmbedding({ maxLen: 4, dModel: 3 });
    expect(() => pos.forward(randn([1, 2, 5]))).toThrow(ShapeError);
    expect(() => pos.forward(randn([1, 2, 3]), { offset: 0.5 })).toThrow(ConfigError);
  });
});
