/** @file The README's examples, run as written (the incremental loop with its elisions filled in). */
import { Embedding, Linear } from '@tensorloom/nn';
import { MultiheadAttention, paddingMask, Transformer } from '@tensorloom/nn-attention';
import { randint, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { sinusoidal } from './translator.js';

describe('README', () => {
  it('the first example', () => {
    const mha = new MultiheadAttention({ embedDim: 16, numHeads: 4, batchFirst: true });
    const x = randn([2, 5, 16]); // [B, T, E]
    const [out, weights] = mha.forward(x, x, x, { keyPaddingMask: paddingMask([5, 3]), isCausal: true });
    expect(out.shape).toEqual([2, 5, 16]);
    expect(weights?.shape).toEqual([2, 5, 5]);

    const model = new Transformer({
      dModel: 16,
      nhead: 4,
      numEncoderLayers: 2,
      numDecoderLayers: 2,
      batchFirst: true,
    });
    expect(model.forward(randn([2, 7, 16]), randn([2, 5, 16]), { tgtIsCausal: true }).shape).toEqual([
      2, 5, 16,
    ]);
  });

  it('incremental decoding', () => {
    const model = new Transformer({
      dModel: 16,
      nhead: 4,
      numEncoderLayers: 1,
      numDecoderLayers: 2,
      batchFirst: true,
    });
    model.eval();
    const table = new Embedding(10, 16);
    const positions = sinusoidal(8, 16); // [P, D]
    const embed = (ids: number[], t: number) =>
      table.forward(tensor(ids, { shape: [ids.length, 1], dtype: 'int32' })).add(positions.narrow(0, t, 1)); // [B, 1, D]
    const projection = new Linear(16, 10);
    const head = (y: Tensor) => projection.forward(y.squeeze(1)); // [B, V]
    const argmax = (logits: Tensor) => Array.from(logits.argmax(-1).dataSync());
    const [src, pad, sos, maxLength] = [table.forward(randint(3, 10, [2, 6])), paddingMask([6, 4]), 1, 5];

    const memory = model.encode(src, { srcKeyPaddingMask: pad }); // [B, S, D]
    const cache = model.createCache();
    let tokens = [sos, sos]; // one per sequence
    for (let t = 0; t < maxLength; t++) {
      const x = embed(tokens, t); // [B, 1, D]: the newest tokens at position t
      const y = model.decode(x, memory, { cache, memoryKeyPaddingMask: pad }); // [B, 1, D]
      tokens = argmax(head(y));
    }
    expect(cache.length).toBe(maxLength);
    expect(tokens.every((id) => id >= 0 && id < 10)).toBe(true);
  });
});
