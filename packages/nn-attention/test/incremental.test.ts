/**
 * @file Incremental decoding: self-attention keys/values are appended step by step and the memory's
 * cross-attention projections are computed once, and the results equal full recomputation with the causal mask.
 */
import {
  generateSquareSubsequentMask,
  type KeyValue,
  MultiheadAttention,
  paddingMask,
  TransformerDecoder,
} from '@tensorloom/nn-attention';
import { cat, manualSeed, noGrad, randint, randn, type Tensor } from '@tensorloom/tensor';
import { describe, expect, it, vi } from 'vitest';
import { Translator } from './translator.js';

const close = { rtol: 1e-4, atol: 1e-5 };

describe('MultiheadAttention.forwardStep', () => {
  it('one step at a time over 10 steps equals forward with the causal mask', () => {
    manualSeed(1);
    const mha = new MultiheadAttention({ embedDim: 12, numHeads: 3 });
    const x = randn([10, 2, 12]); // [T, B, E]
    const [full, fullWeights] = mha.forward(x, x, x, {
      attnMask: generateSquareSubsequentMask(10),
      averageAttnWeights: false,
    }); // [T, B, E], [B, H, T, T]
    let past: KeyValue | null = null;
    for (let t = 0; t < 10; t++) {
      const [out, weights, present] = mha.forwardStep(x.narrow(0, t, 1), past, { averageAttnWeights: false });
      expect(present.keys.shape).toEqual([2, 3, t + 1, 4]);
      expect(out).toBeAllClose(full.narrow(0, t, 1), close);
      expect(weights).toBeAllClose(fullWeights?.narrow(2, t, 1).narrow(3, 0, t + 1), close);
      past = present;
    }
  });

  it('several new steps at once attend causally among themselves (batchFirst, with padding)', () => {
    manualSeed(2);
    const mha = new MultiheadAttention({ embedDim: 8, numHeads: 2, batchFirst: true });
    const x = randn([2, 7, 8]); // [B, T, E]
    const pad = paddingMask([7, 5]); // [B, T]
    const [full] = mha.forward(x, x, x, { isCausal: true, keyPaddingMask: pad }); // [B, T, E]
    const [first, , cache] = mha.forwardStep(x.narrow(1, 0, 3), null, {
      keyPaddingMask: pad.narrow(1, 0, 3),
    });
    const [rest] = mha.forwardStep(x.narrow(1, 3, 4), cache, { keyPaddingMask: pad });
    expect(cat([first, rest], 1)).toBeAllClose(full, close);
  });

  it('passes the cache length as the positional hook offset', () => {
    const offsets: number[] = [];
    const hook = (q: Tensor, k: Tensor, { offset }: { offset: number }): [Tensor, Tensor] => {
      offsets.push(offset);
      return [q, k];
    };
    const mha = new MultiheadAttention({ embedDim: 4, numHeads: 2, positionalHook: hook });
    const x = randn([5, 1, 4]);
    let past: KeyValue | null = null;
    for (let t = 0; t < 5; t++) past = mha.forwardStep(x.narrow(0, t, 1), past)[2];
    expect(offsets).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('TransformerDecoder with a key/value cache', () => {
  for (const normFirst of [false, true]) {
    it(`${normFirst ? 'pre' : 'post'}-norm: 10 steps equal the full causal pass; the memory is projected once`, () => {
      manualSeed(3);
      const decoder = new TransformerDecoder({
        dModel: 16,
        nhead: 4,
        numLayers: 2,
        dimFeedforward: 32,
        dropout: 0.3,
        normFirst,
        norm: true,
      }).eval(); // dropout is off in eval mode
      const memory = randn([6, 3, 16]); // [S, B, D]
      const memoryPadding = paddingMask([6, 4, 2]); // [B, S]
      const tgt = randn([10, 3, 16]); // [T, B, D]
      const full = decoder.forward(tgt, memory, {
        tgtMask: generateSquareSubsequentMask(10),
        memoryKeyPaddingMask: memoryPadding,
      }); // [T, B, D]
      const projections = [...decoder.layers].map((layer) =>
        vi.spyOn(layer.multiheadAttn, 'projectKeyValue'),
      );
      const cache = decoder.createCache();
      for (let t = 0; t < 10; t++) {
        const step = decoder.forward(tgt.narrow(0, t, 1), memory, {
          cache,
          memoryKeyPaddingMask: memoryPadding,
        }); // [1, B, D]
        expect(cache.length).toBe(t + 1);
        expect(step).toBeAllClose(full.narrow(0, t, 1), close);
      }
      for (const spy of projections) expect(spy).toHaveBeenCalledTimes(1);
      expect(cache.layers[1].self?.keys.shape).toEqual([3, 4, 10, 4]); // [B, H, t, Dh]
      expect(cache.layers[1].memory?.keys.shape).toEqual([3, 4, 6, 4]); // [B, H, S, Dh]
    });
  }

  it('greedy decoding with the cache gives the ids and logits of full recomputation (12 steps)', () => {
    manualSeed(4);
    const model = new Translator({
      vocabSize: 11,
      dModel: 16,
      nhead: 2,
      numLayers: 2,
      dimFeedforward: 32,
      maxLength: 16,
    });
    model.eval();
    const src = randint(3, 11, [3, 7]); // [B, S]
    const srcPadding = paddingMask([7, 5, 6]);
    const cached = model.greedy(src, srcPadding, 12, true);
    const recomputed = model.greedy(src, srcPadding, 12, false);
    expect(cached.ids).toEqual(recomputed.ids);
    cached.logits.forEach((l, t) => {
      expect(l).toBeAllClose(recomputed.logits[t], close);
    });
  });

  it('selectBatch keeps and reorders rows of every cached tensor', () => {
    manualSeed(5);
    const decoder = new TransformerDecoder({
      dModel: 8,
      nhead: 2,
      numLayers: 1,
      dimFeedforward: 16,
      dropout: 0,
    });
    const memory = randn([4, 3, 8]); // [S, B, D]
    const tgt = randn([3, 3, 8]); // [T, B, D]
    const rows = [2, 0];
    const full = noGrad(() => decoder.forward(tgt, memory, { tgtIsCausal: true })); // [T, B, D]
    const cache = decoder.createCache();
    noGrad(() => decoder.forward(tgt.narrow(0, 0, 2), memory, { cache }));
    cache.selectBatch(rows);
    const kept = (t: Tensor) =>
      cat(
        rows.map((r) => t.narrow(1, r, 1)),
        1,
      ); // [·, B', D]
    const last = noGrad(() => decoder.forward(kept(tgt.narrow(0, 2, 1)), kept(memory), { cache })); // [1, B', D]
    expect(last).toBeAllClose(kept(full.narrow(0, 2, 1)), close);
  });
});
