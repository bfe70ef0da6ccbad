/** @file scaledDotProductAttention and the mask helpers: hand-computed values, conventions, dropout, empty rows. */
import {
  causalMask,
  generateSquareSubsequentMask,
  maskedSoftmax,
  mergeMasks,
  paddingMask,
  scaledDotProductAttention,
  Transformer,
} from '@tensorloom/nn-attention';
import { Generator, manualSeed, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('scaledDotProductAttention', () => {
  it('computes softmax(QKᵀ/√d) V by hand', () => {
    const q = tensor([[1, 0]]);
    const k = tensor([
      [1, 0],
      [0, 1],
    ]);
    const v = tensor([
      [1, 2],
      [3, 4],
    ]);
    const a = Math.exp(1 / Math.SQRT2);
    const w = [a / (a + 1), 1 / (a + 1)];
    const [out, weights] = scaledDotProductAttention(q, k, v);
    expect(weights).toBeAllClose([w], { rtol: 1e-6 });
    expect(out).toBeAllClose([[w[0] + 3 * w[1], 2 * w[0] + 4 * w[1]]], { rtol: 1e-6 });
  });

  it('bool masks are true where masked; float masks are added; both give the same result', () => {
    manualSeed(1);
    const [q, k, v] = [randn([2, 3, 4]), randn([2, 5, 4]), randn([2, 5, 2])];
    const bool = paddingMask([5, 2]).unsqueeze(1); // [B, 1, S]: keys 2–4 of sequence 1 masked
    const [outBool, wBool] = scaledDotProductAttention(q, k, v, { attnMask: bool });
    const float = bool.to('float32').mul(-1e9);
    const [outFloat] = scaledDotProductAttention(q, k, v, { attnMask: float });
    expect(outBool).toBeAllClose(outFloat, { rtol: 1e-5, atol: 1e-6 });
    const w = (wBool as Tensor).toArray() as number[][][];
    for (const row of w[1]) expect(row.slice(2)).toEqual([0, 0, 0]);
    for (const row of w.flat()) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
  });

  it('isCausal is top-left aligned (PyTorch) and equals the explicit mask', () => {
    manualSeed(2);
    const [q, k, v] = [randn([3, 4]), randn([5, 4]), randn([5, 3])];
    const [a, wa] = scaledDotProductAttention(q, k, v, { isCausal: true });
    const [b] = scaledDotProductAttention(q, k, v, { attnMask: causalMask(3, 5) });
    expect(a).toBeAllClose(b);
    const rows = (wa as Tensor).toArray() as number[][];
    rows.forEach((row, i) => {
      expect(row.slice(i + 1).every((x) => x === 0)).toBe(true);
    });
  });

  it('a query whose keys are all masked gets zero weights and a zero output, not NaN', () => {
    const q = randn([2, 4], { requiresGrad: true });
    const k = randn([3, 4], { requiresGrad: true });
    const v = randn([3, 2], { requiresGrad: true });
    const mask = tensor([
      [false, true, false],
      [true, true, true],
    ]);
    const [out, weights] = scaledDotProductAttention(q, k, v, { attnMask: mask });
    expect((weights as Tensor).toArray()).toEqual([expect.any(Array), [0, 0, 0]]);
    expect((out.toArray() as number[][])[1]).toEqual([0, 0]);
    out.sum().backward();
    for (const t of [q, k, v]) expect(t.grad?.dataSync().every(Number.isFinite)).toBe(true);
    expect(((q.grad as Tensor).toArray() as number[][])[1]).toEqual([0, 0, 0, 0]);
  });

  it('dropout: off when not training or p = 0; seeded and rescaled when training', () => {
    manualSeed(3);
    const [q, k, v] = [randn([4, 8]), randn([6, 8]), randn([6, 3])];
    const [plain] = scaledDotProductAttention(q, k, v);
    const [evalOut] = scaledDotProductAttention(q, k, v, { dropoutP: 0.5, training: false });
    expect(evalOut).toBeAllClose(plain);
    const run = (seed: number) =>
      scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(seed) });
    const [a, wa] = run(7);
    const [b] = run(7);
    expect(a).toBeAllClose(b);
    expect(a).not.toBeAllClose(plain);
    const kept = (wa as Tensor).dataSync().filter((x) => x !== 0);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(24);
    // The returned weights are those applied to V (after dropout, ×2 where kept), as PyTorch's MHA returns.
    expect(wa?.matmul(v)).toBeAllClose(a, { rtol: 1e-5 });
  });

  it('needWeights: false returns null; scale overrides 1/√d', () => {
    manualSeed(4);
    const [q, k, v] = [randn([2, 4]), randn([3, 4]), randn([3, 2])];
    expect(scaledDotProductAttention(q, k, v, { needWeights: false })[1]).toBeNull();
    const [scaled] = scaledDotProductAttention(q, k, v, { scale: 1 });
    const [manual] = scaledDotProductAttention(q.mul(2), k, v); // √4 = 2
    expect(scaled).toBeAllClose(manual, { rtol: 1e-5 });
  });
});

describe('masks', () => {
  it('generateSquareSubsequentMask matches nn.Transformer.generate_square_subsequent_mask', () => {
    const inf = Number.NEGATIVE_INFINITY;
    const expected = [
      [0, inf, inf],
      [0, 0, inf],
      [0, 0, 0],
    ];
    expect(generateSquareSubsequentMask(3).toArray()).toEqual(expected);
    expect(generateSquareSubsequentMask(3).dtype).toBe('float32');
    expect(Transformer.generateSquareSubsequentMask(3).toArray()).toEqual(expected);
  });

  it('causalMask with an offset is bottom-right aligned for a cached prefix', () => {
    expect(causalMask(2, 4, 2).toArray()).toEqual([
      [false, false, false, true],
      [false, false, false, false],
    ]);
  });

  it('paddingMask marks positions past each length; mergeMasks ors bools and adds floats', () => {
    expect(paddingMask([1, 3], 3).toArray()).toEqual([
      [false, true, true],
      [false, false, false],
    ]);
    const a = tensor([true, false, false]);
    const b = tensor([false, false, true]);
    expect(mergeMasks(a, b)?.toArray()).toEqual([true, false, true]);
    expect(mergeMasks(a, tensor([0, -1, 0], { dtype: 'float32' }))?.toArray()).toEqual([
      Number.NEGATIVE_INFINITY,
      -1,
      0,
    ]);
    expect(mergeMasks(null, b)).toBe(b);
  });

  it('maskedSoftmax equals softmax without a mask', () => {
    const x = randn([3, 5]);
    expect(maskedSoftmax(x, null)).toBeAllClose(x.softmax(-1));
  });
});
