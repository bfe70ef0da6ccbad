/** @file Transformer layers and stacks: PyTorch's names and init, masks, layouts, train/eval. */
import {
  causalMask,
  generateSquareSubsequentMask,
  paddingMask,
  Transformer,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tensorloom/nn-attention';
import { manualSeed, randn } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const small = { dModel: 8, nhead: 2, dimFeedforward: 16 };

describe('names and init', () => {
  it("layers have PyTorch's submodules and state-dict keys", () => {
    expect(Object.keys(new TransformerEncoderLayer(small).stateDict())).toEqual([
      'self_attn.in_proj_weight',
      'self_attn.in_proj_bias',
      'self_attn.out_proj.weight',
      'self_attn.out_proj.bias',
      'linear1.weight',
      'linear1.bias',
      'linear2.weight',
      'linear2.bias',
      'norm1.weight',
      'norm1.bias',
      'norm2.weight',
      'norm2.bias',
    ]);
    const decoder = new TransformerDecoderLayer(small);
    expect(decoder.namedChildren().map(([name]) => name)).toEqual([
      'self_attn',
      'multihead_attn',
      'linear1',
      'dropout',
      'linear2',
      'norm1',
      'norm2',
      'norm3',
      'dropout1',
      'dropout2',
      'dropout3',
    ]);
  });

  it('a Transformer has encoder/decoder layers.N and final norms, with xavier-uniform matrices', () => {
    manualSeed(1);
    const model = new Transformer({ ...small, numEncoderLayers: 2, numDecoderLayers: 3 });
    const keys = Object.keys(model.stateDict());
    expect(keys).toContain('encoder.layers.1.self_attn.in_proj_weight');
    expect(keys).toContain('decoder.layers.2.multihead_attn.out_proj.bias');
    const encoderNorm = keys.indexOf('encoder.norm.weight');
    expect(keys.slice(encoderNorm, encoderNorm + 3)).toEqual([
      'encoder.norm.weight',
      'encoder.norm.bias',
      'decoder.layers.0.self_attn.in_proj_weight',
    ]);
    expect(keys.slice(-2)).toEqual(['decoder.norm.weight', 'decoder.norm.bias']);
    for (const [name, p] of model.namedParameters()) {
      if (p.ndim < 2) continue;
      const bound = Math.sqrt(6 / (p.shape[0] + p.shape[1]));
      const max = Array.from(p.dataSync()).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(max, name).toBeLessThanOrEqual(bound);
      expect(max, name).toBeGreaterThan(bound * 0.5);
    }
    const encoder = new TransformerEncoder({ ...small, numLayers: 2 });
    expect(encoder.norm).toBeNull();
    const [a, b] = [...encoder.layers].map((l) => l.linear1.weight.dataSync());
    expect(a).not.toEqual(b); // each layer initialised on its own (PyTorch deep-copies one)
  });

  it('prints the tree as PyTorch does', () => {
    const text = new TransformerEncoderLayer(small).toString();
    expect(text).toContain(
      '(self_attn): MultiheadAttention(embedDim=8, numHeads=2, dropout=0.1\n    (out_proj): Linear(',
    );
    expect(text).toContain('(linear1): Linear(inFeatures=8, outFeatures=16, bias=true)');
  });
});

describe('forward', () => {
  manualSeed(2);
  const decoder = new TransformerDecoderLayer({ ...small, dropout: 0 });
  const tgt = randn([5, 2, 8]); // [T, B, D]
  const memory = randn([4, 2, 8]); // [S, B, D]

  it('the causal mask as a float mask, a bool mask or tgtIsCausal gives the same result', () => {
    const float = decoder.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(5) });
    expect(decoder.forward(tgt, memory, { tgtMask: causalMask(5, 5) })).toBeAllClose(float);
    expect(decoder.forward(tgt, memory, { tgtIsCausal: true })).toBeAllClose(float);
    expect(decoder.forward(tgt, memory)).not.toBeAllClose(float);
  });

  it('batchFirst only changes the layout; an unbatched input equals a batch of one', () => {
    const first = new TransformerDecoderLayer({ ...small, dropout: 0, batchFirst: true });
    first.loadStateDict(decoder.stateDict());
    const pad = paddingMask([4, 2]);
    const a = decoder.forward(tgt, memory, { memoryKeyPaddingMask: pad });
    const b = first.forward(tgt.transpose(0, 1), memory.transpose(0, 1), { memoryKeyPaddingMask: pad });
    expect(b.transpose(0, 1)).toBeAllClose(a, { rtol: 1e-5, atol: 1e-6 });
    const single = decoder.forward(tgt.select(1, 0), memory.select(1, 0));
    expect(single).toBeAllClose(decoder.forward(tgt, memory).select(1, 0), { rtol: 1e-5, atol: 1e-6 });
  });

  it('dropout acts in training mode only; eval mode is deterministic', () => {
    manualSeed(3);
    const model = new Transformer({ ...small, numEncoderLayers: 1, numDecoderLayers: 1, dropout: 0.2 });
    const src = randn([4, 2, 8]);
    const trained = model.forward(src, tgt);
    model.eval();
    const evaluated = model.forward(src, tgt);
    expect(model.forward(src, tgt)).toBeAllClose(evaluated);
    expect(trained).not.toBeAllClose(evaluated);
    const noDropout = new Transformer({ ...small, numEncoderLayers: 1, numDecoderLayers: 1, dropout: 0 });
    noDropout.loadStateDict(model.stateDict());
    expect(noDropout.forward(src, tgt)).toBeAllClose(evaluated);
  });

  it('encode then decode equals forward; a custom activation function is accepted', () => {
    manualSeed(4);
    const model = new Transformer({ ...small, numEncoderLayers: 1, numDecoderLayers: 1, dropout: 0 });
    const src = randn([4, 2, 8]);
    const pad = paddingMask([4, 3]);
    const options = { srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad, tgtIsCausal: true };
    expect(model.decode(tgt, model.encode(src, options), options)).toBeAllClose(
      model.forward(src, tgt, options),
    );
    const tanh = new TransformerEncoderLayer({ ...small, activation: (x) => x.tanh() });
    expect(tanh.forward(memory).shape).toEqual([4, 2, 8]);
  });
});
