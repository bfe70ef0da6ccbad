/**
 * Numerical stability at logits of ±1e4, and the one deliberate difference from PyTorch: a 'mean' with
 * nothing to average (every target ignored, all padding, zero total weight, an empty batch) is 0 with a zero
 * gradient, where PyTorch returns NaN.
 */
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
  sequenceCrossEntropy,
} from '@tensorloom/losses';
import { type NestedArray, type Tensor, type TensorOptions, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

/** Float32 even when every value is an integer (tensor() would infer int32, as torch.tensor infers int64). */
const float = (data: NestedArray, options: TensorOptions = {}) =>
  tensor(data, { dtype: 'float32', ...options });
const close = { rtol: 1e-6, atol: 1e-6 };
const int32 = (data: number[], shape?: number[]) =>
  tensor(data, { dtype: 'int32', shape: shape ?? [data.length] });
const allFinite = (t: Tensor) => Array.from(t.dataSync()).every(Number.isFinite);

describe('large logits (±1e4)', () => {
  const logits = () =>
    float(
      [
        [1e4, -1e4, 0],
        [-1e4, 1e4, 1e4],
      ],
      { requiresGrad: true },
    );

  it('crossEntropy: exact losses and softmax − one-hot gradients, no overflow', () => {
    const x = logits();
    const loss = crossEntropy(x, int32([0, 2]), { reduction: 'none' });
    expect(loss).toBeAllClose([0, Math.LN2], close); // row 2: two tied maxima
    loss.sum().backward();
    expect(x.grad!).toBeAllClose(
      [
        [0, 0, 0],
        [0, 0.5, -0.5],
      ],
      close,
    );
  });

  it('crossEntropy: a confidently wrong class costs the logit gap (2e4, plus ln 2 for a tied maximum)', () => {
    const loss = crossEntropy(logits(), int32([1, 0]), { reduction: 'none' });
    expect(loss).toBeAllClose([2e4, 2e4 + Math.LN2], { rtol: 1e-6 });
  });

  it('crossEntropy with weights, ignoreIndex and label smoothing stays finite, gradients too', () => {
    const x = logits();
    const loss = crossEntropy(x, int32([1, -100]), {
      weight: float([0.5, 2, 1]),
      labelSmoothing: 0.1,
    });
    // one kept row, weight 2: [(0.9)·2·2e4 + (0.1/3)·(0.5·0 + 2·2e4 + 1·1e4)] / 2
    expect(loss).toBeAllClose((0.9 * 2 * 2e4 + (0.1 / 3) * (2 * 2e4 + 1e4)) / 2, { rtol: 1e-6 });
    loss.backward();
    expect(allFinite(x.grad!)).toBe(true);
  });

  it('crossEntropy with probability targets', () => {
    const x = logits();
    const loss = crossEntropy(
      x,
      float([
        [1, 0, 0],
        [0, 0.5, 0.5],
      ]),
    );
    expect(loss).toBeAllClose(Math.LN2 / 2, close);
    loss.backward();
    expect(allFinite(x.grad!)).toBe(true);
  });

  it('binaryCrossEntropyWithLogits: losses 0 or |x|, gradients σ(x) − y', () => {
    const x = float([1e4, -1e4, 1e4, -1e4], { requiresGrad: true });
    const y = float([1, 0, 0, 1]);
    const loss = binaryCrossEntropyWithLogits(x, y, { reduction: 'none' });
    expect(loss).toBeAllClose([0, 0, 1e4, 1e4], close);
    loss.sum().backward();
    expect(x.grad!).toBeAllClose([0, 0, 1, -1], close);
  });

  it('binaryCrossEntropyWithLogits with posWeight: the positive term scales, stays finite', () => {
    const x = float([-1e4, 1e4], { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(x, float([1, 1]), {
      posWeight: float([3, 3]),
      reduction: 'sum',
    });
    expect(loss).toBeAllClose(3e4, close);
    loss.backward();
    expect(x.grad!).toBeAllClose([-3, 0], close);
  });

  it('binaryCrossEntropyWithLogits: the exact gradient σ(0) − y = ½ − y at a logit of exactly 0', () => {
    // max(x, 0) and |x| have only sub-gradients at 0; the naive form would give −y (see bce.ts).
    const x = zeros([3], { requiresGrad: true });
    binaryCrossEntropyWithLogits(x, float([1, 0, 0.25]), { reduction: 'sum' }).backward();
    expect(x.grad!).toBeAllClose([-0.5, 0.5, 0.25], close);
  });

  it('sequenceCrossEntropy', () => {
    const x = float([1e4, -1e4, 0, -1e4, 1e4, 1e4], { shape: [1, 2, 3], requiresGrad: true });
    const { loss } = sequenceCrossEntropy(x, int32([0, 2], [1, 2]), { reduction: 'sum' });
    expect(loss).toBeAllClose(Math.LN2, close);
    loss.backward();
    expect(allFinite(x.grad!)).toBe(true);
  });
});

describe("deliberate difference: 'mean' over nothing is 0 with a zero gradient (PyTorch: NaN)", () => {
  const expectZeroWithZeroGrad = (fn: (x: Tensor) => Tensor, x: Tensor) => {
    const loss = fn(x);
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBe(0);
    loss.backward();
    expect(x.grad).not.toBeNull();
    expect(Array.from(x.grad!.dataSync())).toEqual(new Array(x.size).fill(0));
  };
  const x = () => float([0.3, -1.2, 2, 0.7, 0.1, -0.4], { shape: [2, 3], requiresGrad: true });

  it('crossEntropy, every target ignored', () => {
    expectZeroWithZeroGrad((t) => crossEntropy(t, int32([-100, -100])), x());
  });

  it('crossEntropy, every target ignored, with weights and label smoothing', () => {
    const weight = float([1, 2, 3]);
    expectZeroWithZeroGrad(
      (t) => crossEntropy(t, int32([1, 1]), { ignoreIndex: 1, weight, labelSmoothing: 0.2 }),
      x(),
    );
  });

  it('crossEntropy, a −∞ logit at class 0 does not leak NaN through an ignored target', () => {
    const logits = float([-Infinity, 1, 2, -Infinity, 0, 3], { shape: [2, 3], requiresGrad: true });
    expectZeroWithZeroGrad((t) => crossEntropy(t, int32([-100, -100])), logits);
  });

  it('crossEntropy, unbatched input with its one target ignored', () => {
    expectZeroWithZeroGrad(
      (t) => crossEntropy(t, int32([-100], [])),
      float([0.5, 1, -1], { requiresGrad: true }),
    );
  });

  it('crossEntropy, zero total target weight', () => {
    expectZeroWithZeroGrad((t) => crossEntropy(t, int32([0, 0]), { weight: float([0, 1, 1]) }), x());
  });

  it('crossEntropy, an empty batch, class-index and probability targets', () => {
    expectZeroWithZeroGrad((t) => crossEntropy(t, int32([], [0])), zeros([0, 3], { requiresGrad: true }));
    expectZeroWithZeroGrad((t) => crossEntropy(t, zeros([0, 3])), zeros([0, 3], { requiresGrad: true }));
  });

  it('nllLoss, every target ignored', () => {
    expectZeroWithZeroGrad((t) => nllLoss(t, int32([-100, -100]), { weight: float([1, 2, 3]) }), x());
  });

  it('sequenceCrossEntropy, all padding or all masked: loss 0, tokens 0', () => {
    const logits = () =>
      float(
        Array.from({ length: 12 }, (_, i) => i / 7),
        { shape: [2, 2, 3], requiresGrad: true },
      );
    const pads = int32([0, 0, 0, 0], [2, 2]);
    expectZeroWithZeroGrad((t) => sequenceCrossEntropy(t, pads, { padIndex: 0 }).loss, logits());
    const mask = tensor([false, false, false, false]).reshape([2, 2]);
    expectZeroWithZeroGrad(
      (t) => sequenceCrossEntropy(t, int32([1, 2, 1, 2], [2, 2]), { mask }).loss,
      logits(),
    );
    expect(sequenceCrossEntropy(logits(), pads, { padIndex: 0 }).tokens).toBe(0);
  });

  it("'sum' and 'none' over nothing are 0, as in PyTorch", () => {
    expect(crossEntropy(x(), int32([-100, -100]), { reduction: 'sum' }).item()).toBe(0);
    expect(crossEntropy(x(), int32([-100, -100]), { reduction: 'none' })).toBeAllClose([0, 0]);
  });
});
