import { TransformerDecoder } from '@tensorloom/nn-attention';
import { manualSeed, noGrad, randn, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { decodeWithAttention } from '../src/models/transformer-decoder.js';

// decodeWithAttention re-runs the last decoder layer from its submodules to return the cross-attention weights:
// it must compute exactly what nn-attention's own TransformerDecoder.forward computes.
describe.each([
  ['post-norm', false],
  ['pre-norm', true],
])('decodeWithAttention (%s)', (_name, normFirst) => {
  const build = () => {
    manualSeed(11);
    return new TransformerDecoder({
      dModel: 16,
      nhead: 4,
      dimFeedforward: 24,
      numLayers: 2,
      norm: true,
      dropout: 0.2,
      batchFirst: true,
      normFirst,
      activation: 'gelu',
    });
  };
  const tgt = () => {
    manualSeed(12);
    return randn([3, 5, 16]);
  };
  const memory = () => {
    manualSeed(13);
    return randn([3, 4, 16]);
  };
  const padding = () => tensor([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1], { shape: [3, 4], dtype: 'bool' }); // [B, S]
  const tgtPadding = () =>
    tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1], { shape: [3, 5], dtype: 'bool' });

  it('equals TransformerDecoder.forward in eval mode, with weights averaged over heads [B, T, S]', () => {
    const decoder = build().eval();
    const options = { memoryKeyPaddingMask: padding(), tgtKeyPaddingMask: tgtPadding() };
    const expected = decoder.forward(tgt(), memory(), { ...options, tgtIsCausal: true });
    const [out, weights] = decodeWithAttention(decoder, tgt(), memory(), options);
    expect(out).toBeAllClose(expected, { atol: 1e-6 });
    expect(weights.shape).toEqual([3, 5, 4]);
    expect(weights.sum(-1)).toBeAllClose(new Array(3).fill(new Array(5).fill(1)), { atol: 1e-5 });
    expect(weights.select(0, 1).narrow(1, 2, 2).abs().max().item()).toBe(0); // padded source positions
  });

  it('equals it in training mode too: the same dropout modules draw in the same order', () => {
    const decoder = build().train();
    const options = { memoryKeyPaddingMask: padding() };
    const [x, m] = [tgt(), memory()];
    manualSeed(21);
    const expected = decoder.forward(x, m, { ...options, tgtIsCausal: true });
    manualSeed(21);
    const [out] = decodeWithAttention(decoder, x, m, options);
    expect(out).toBeAllClose(expected, { atol: 1e-6 });
    const [evaluated] = decodeWithAttention(decoder.eval(), x, m, options);
    expect(out.sub(evaluated).abs().max().item()).toBeGreaterThan(0.1); // dropout was on
  });

  it('decodes one step at a time with the key/value cache as the full causal pass does', () => {
    const decoder = build().eval();
    const x = tgt();
    const m = memory();
    const options = { memoryKeyPaddingMask: padding() };
    noGrad(() => {
      const [full, fullWeights] = decodeWithAttention(decoder, x, m, options);
      const cache = decoder.createCache();
      for (let t = 0; t < 5; t++) {
        const [out, weights] = decodeWithAttention(decoder, x.narrow(1, t, 1), m, {
          ...options,
          cache: cache.layers,
        });
        expect(out.select(1, 0)).toBeAllClose(full.select(1, t), { atol: 2e-6 });
        expect(weights.select(1, 0)).toBeAllClose(fullWeights.select(1, t), { atol: 1e-6 });
      }
      expect(cache.length).toBe(5);
    });
  });
});
