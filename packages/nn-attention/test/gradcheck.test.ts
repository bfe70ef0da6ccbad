/**
 * @file Float64 finite-difference gradient checks: scaled dot-product attention (masks, causal, broadcast batch
 * dims, a fully masked row), a tiny MultiheadAttention with respect to its inputs and every parameter, the
 * additive and Luong scores, and the Transformer layers with respect to their inputs.
 */

import { init } from '@tensorloom/nn';
import {
  AdditiveAttention,
  LuongAttention,
  type LuongScore,
  MultiheadAttention,
  paddingMask,
  scaledDotProductAttention,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from '@tensorloom/nn-attention';
import { gradcheck, manualSeed, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });

describe('gradcheck: scaledDotProductAttention', () => {
  const cases: [string, () => [Tensor[], (q: Tensor, k: Tensor, v: Tensor) => Tensor[]]][] = [
    ['no mask', () => [[f64([2, 3, 4]), f64([2, 5, 4]), f64([2, 5, 3])], (q, k, v) => attend(q, k, v)]],
    [
      'bool padding mask [B, 1, S] and causal',
      () => {
        const mask = paddingMask([5, 3]).unsqueeze(1); // [B, 1, S]
        return [
          [f64([2, 5, 4]), f64([2, 5, 4]), f64([2, 5, 2])],
          (q, k, v) => attend(q, k, v, { attnMask: mask, isCausal: true }),
        ];
      },
    ],
    [
      'float mask [T, S]',
      () => {
        const mask = tensor([
          [0, -1, Number.NEGATIVE_INFINITY],
          [-0.5, 0, 0],
        ]);
        return [
          [f64([2, 2, 4]), f64([2, 3, 4]), f64([2, 3, 4])],
          (q, k, v) => attend(q, k, v, { attnMask: mask }),
        ];
      },
    ],
    [
      'keys and values shared by heads: [B, H, T, D] × [B, 1, S, D]',
      () => [[f64([2, 2, 3, 4]), f64([2, 1, 4, 4]), f64([2, 1, 4, 3])], (q, k, v) => attend(q, k, v)],
    ],
    [
      'a fully masked row (zeros, zero gradient)',
      () => {
        const mask = tensor([
          [false, true, false],
          [true, true, true],
        ]); // query 1 sees nothing
        return [[f64([2, 4]), f64([3, 4]), f64([3, 2])], (q, k, v) => attend(q, k, v, { attnMask: mask })];
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      manualSeed(1);
      const [inputs, fn] = make();
      expect(gradcheck((q, k, v) => fn(q, k, v), inputs)).toBe(true);
    });
  }
});

function attend(q: Tensor, k: Tensor, v: Tensor, options = {}): Tensor[] {
  const [output, weights] = scaledDotProductAttention(q, k, v, options);
  return [output, weights as Tensor];
}

describe('gradcheck: MultiheadAttention (float64 parameters)', () => {
  it('self-attention with padding and a causal mask: inputs and every parameter', () => {
    manualSeed(2);
    const mha = new MultiheadAttention({ embedDim: 4, numHeads: 2, dtype: 'float64' });
    for (const p of mha.parameters()) init.normal_(p, 0, 0.5); // biases start at zero: make them count
    const pad = paddingMask([3, 2]); // [B, S]
    const x = f64([3, 2, 4]); // [T, B, E]
    const fn = (input: Tensor) => {
      const [out, weights] = mha.forward(input, input, input, { keyPaddingMask: pad, isCausal: true });
      return [out, weights as Tensor];
    };
    expect(gradcheck(fn, [x, ...mha.parameters()])).toBe(true);
  });

  it('cross-attention with kdim and vdim, per-head weights', () => {
    manualSeed(3);
    const mha = new MultiheadAttention({ embedDim: 4, numHeads: 2, kdim: 3, vdim: 5, dtype: 'float64' });
    for (const p of mha.parameters()) init.normal_(p, 0, 0.5); // biases start at zero: make them count
    const fn = (q: Tensor, k: Tensor, v: Tensor) => {
      const [out, weights] = mha.forward(q, k, v, { averageAttnWeights: false });
      return [out, weights as Tensor];
    };
    expect(gradcheck(fn, [f64([2, 2, 4]), f64([3, 2, 3]), f64([3, 2, 5]), ...mha.parameters()])).toBe(true);
  });
});

describe('gradcheck: additive and Luong attention (float64 parameters)', () => {
  const mask = paddingMask([4, 2]).logicalNot(); // [B, S], true at real tokens
  it('additive with bias, T steps at once', () => {
    manualSeed(4);
    const attention = new AdditiveAttention({
      querySize: 3,
      keySize: 4,
      hiddenSize: 5,
      bias: true,
      dtype: 'float64',
    });
    const fn = (q: Tensor, keys: Tensor) => attention.forward(q, keys, mask);
    expect(gradcheck(fn, [f64([2, 3, 3]), f64([2, 4, 4]), ...attention.parameters()])).toBe(true);
  });
  for (const score of ['dot', 'general', 'concat'] as LuongScore[]) {
    it(`luong '${score}'`, () => {
      manualSeed(5);
      const attention = new LuongAttention({
        score,
        querySize: 4,
        keySize: 4,
        hiddenSize: 3,
        dtype: 'float64',
      });
      const fn = (q: Tensor, keys: Tensor) => attention.forward(q, keys, mask);
      expect(gradcheck(fn, [f64([2, 4]), f64([2, 4, 4]), ...attention.parameters()])).toBe(true);
    });
  }
});

describe('gradcheck: Transformer layers with respect to their inputs (float64 inputs)', () => {
  const layer = { dModel: 4, nhead: 2, dimFeedforward: 6, dropout: 0 };
  for (const normFirst of [false, true]) {
    it(`encoder layer, ${normFirst ? 'pre' : 'post'}-norm, gelu, padding`, () => {
      manualSeed(6);
      const encoder = new TransformerEncoderLayer({ ...layer, normFirst, activation: 'gelu' });
      const fn = (src: Tensor) => encoder.forward(src, { srcKeyPaddingMask: paddingMask([3, 2]) });
      expect(gradcheck(fn, [f64([3, 2, 4])])).toBe(true);
    });
    it(`decoder layer, ${normFirst ? 'pre' : 'post'}-norm, causal`, () => {
      manualSeed(7);
      const decoder = new TransformerDecoderLayer({ ...layer, normFirst, activation: 'gelu' });
      const fn = (tgt: Tensor, memory: Tensor) => decoder.forward(tgt, memory, { tgtIsCausal: true });
      expect(gradcheck(fn, [f64([3, 2, 4]), f64([2, 2, 4])])).toBe(true);
    });
  }
});
