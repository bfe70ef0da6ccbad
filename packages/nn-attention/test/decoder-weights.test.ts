/**
 * @file TransformerDecoderLayer.forwardWithWeights and TransformerDecoder.forwardWithWeights: the same output as
 * `forward` (in eval and in training mode, where the dropout modules must draw in the same order), and the
 * cross-attention weights the layer's own MultiheadAttention gives for the layer's input, one step at a time
 * with the key/value cache as in the full causal pass.
 */
import { TransformerDecoder, TransformerDecoderLayer } from '@tensorloom/nn-attention';
import { manualSeed, noGrad, randn, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe.each([
  ['post-norm', false],
  ['pre-norm', true],
])('forwardWithWeights (%s)', (_name, normFirst) => {
  const config = {
    dModel: 16,
    nhead: 4,
    dimFeedforward: 24,
    dropout: 0.2,
    batchFirst: true,
    normFirst,
    activation: 'gelu' as const,
  };
  const build = () => {
    manualSeed(11);
    return new TransformerDecoder({ ...config, numLayers: 2, norm: true });
  };
  const tgt = () => {
    manualSeed(12);
    return randn([3, 5, 16]); // [B, T, D]
  };
  const memory = () => {
    manualSeed(13);
    return randn([3, 4, 16]); // [B, S, D]
  };
  const padding = () => tensor([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1], { shape: [3, 4], dtype: 'bool' }); // [B, S]
  const tgtPadding = () =>
    tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1], { shape: [3, 5], dtype: 'bool' }); // [B, T]

  it('gives forward’s output and each layer’s head-averaged weights [B, T, S], zero at padded sources', () => {
    const decoder = build().eval();
    const options = { memoryKeyPaddingMask: padding(), tgtKeyPaddingMask: tgtPadding(), tgtIsCausal: true };
    const expected = decoder.forward(tgt(), memory(), options);
    const [out, weights] = decoder.forwardWithWeights(tgt(), memory(), options);
    expect(out).toBeAllClose(expected, { atol: 1e-6 });
    expect(weights).toHaveLength(2);
    for (const w of weights) {
      expect(w.shape).toEqual([3, 5, 4]);
      expect(w.sum(-1)).toBeAllClose(new Array(3).fill(new Array(5).fill(1)), { atol: 1e-5 });
      expect(w.select(0, 1).narrow(1, 2, 2).abs().max().item()).toBe(0); // padded source positions
    }
    expect(weights[0].sub(weights[1]).abs().max().item()).toBeGreaterThan(1e-3); // two layers, two patterns
  });

  it('returns the weights of the layer’s own cross-attention over its input', () => {
    manualSeed(3);
    const layer = new TransformerDecoderLayer(config).eval();
    const [x, m] = [tgt(), memory()];
    const options = { memoryKeyPaddingMask: padding(), tgtIsCausal: true };
    const [, weights] = layer.forwardWithWeights(x, m, options);
    // The cross-attention's query: the self-attention block's output as forward computes it.
    const h = normFirst ? layer.norm1.forward(x) : x;
    const [attended] = layer.selfAttn.forward(h, h, h, { isCausal: true, needWeights: false });
    const query = normFirst ? x.add(attended) : layer.norm1.forward(x.add(attended));
    const [, direct] = layer.multiheadAttn.forward(normFirst ? layer.norm2.forward(query) : query, m, m, {
      keyPaddingMask: padding(),
    });
    expect(weights).toBeAllClose(direct!, { atol: 1e-6 });
  });

  it('equals forward in training mode too: the dropout modules draw in the same order', () => {
    const decoder = build().train();
    const options = { memoryKeyPaddingMask: padding(), tgtIsCausal: true };
    const [x, m] = [tgt(), memory()];
    manualSeed(21);
    const expected = decoder.forward(x, m, options);
    manualSeed(21);
    const [out] = decoder.forwardWithWeights(x, m, options);
    expect(out).toBeAllClose(expected, { atol: 1e-6 });
    const [evaluated] = decoder.eval().forwardWithWeights(x, m, options);
    expect(out.sub(evaluated).abs().max().item()).toBeGreaterThan(0.1); // dropout was on
  });

  it('decodes one step at a time with the key/value cache as the full causal pass does', () => {
    const decoder = build().eval();
    const [x, m] = [tgt(), memory()];
    const options = { memoryKeyPaddingMask: padding() };
    noGrad(() => {
      const [full, fullWeights] = decoder.forwardWithWeights(x, m, { ...options, tgtIsCausal: true });
      const cache = decoder.createCache();
      for (let t = 0; t < 5; t++) {
        const [out, weights] = decoder.forwardWithWeights(x.narrow(1, t, 1), m, { ...options, cache });
        expect(out.select(1, 0)).toBeAllClose(full.select(1, t), { atol: 2e-6 });
        weights.forEach((w, layer) => {
          expect(w.select(1, 0)).toBeAllClose(fullWeights[layer].select(1, t), { atol: 1e-6 });
        });
      }
      expect(cache.length).toBe(5);
    });
  });

  it('takes unbatched inputs: weights [T, S]', () => {
    const decoder = build().eval();
    const [out, weights] = decoder.forwardWithWeights(tgt().select(0, 0), memory().select(0, 0), {
      tgtIsCausal: true,
    });
    expect(out.shape).toEqual([5, 16]);
    expect(weights[1].shape).toEqual([5, 4]);
  });
});
