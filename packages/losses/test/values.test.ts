/** Hand-computed forward values, the sequence helper's padding rules, dtypes and non-contiguous inputs. */
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  sequenceCrossEntropy,
} from '@tensorloom/losses';
import {
  logSoftmax,
  type NestedArray,
  randn,
  type TensorOptions,
  tensor,
  transpose,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const float = (data: NestedArray, options: TensorOptions = {}) =>
  tensor(data, { dtype: 'float32', ...options });
const int32 = (data: number[], shape?: number[]) =>
  tensor(data, { dtype: 'int32', shape: shape ?? [data.length] });
const close = { rtol: 1e-6, atol: 1e-7 };
const { log, LN2 } = Math;

describe('hand-computed values', () => {
  // Row 0: logits [0, 0] → p = [½, ½]. Row 1: logits [0, ln 3] → p = [¼, ¾].
  const logits = () =>
    float([
      [0, 0],
      [0, log(3)],
    ]);
  const targets = int32([0, 1]);

  it('crossEntropy: −log p_t per row, mean and sum', () => {
    expect(crossEntropy(logits(), targets, { reduction: 'none' })).toBeAllClose([LN2, log(4 / 3)], close);
    expect(crossEntropy(logits(), targets)).toBeAllClose((LN2 + log(4 / 3)) / 2, close);
    expect(crossEntropy(logits(), targets, { reduction: 'sum' })).toBeAllClose(LN2 + log(4 / 3), close);
  });

  it('crossEntropy: the weighted mean divides by the targets’ weights', () => {
    const weight = float([1, 3]);
    expect(crossEntropy(logits(), targets, { weight })).toBeAllClose((LN2 + 3 * log(4 / 3)) / 4, close);
  });

  it('crossEntropy: label smoothing mixes in the mean of −log p over classes', () => {
    // Row 1, ε = 0.2, C = 2: 0.8·(−log ¾) + 0.1·(−log ¼ − log ¾)
    const expected = 0.8 * log(4 / 3) + 0.1 * (log(4) + log(4 / 3));
    const loss = crossEntropy(logits(), targets, { labelSmoothing: 0.2, reduction: 'none' });
    expect(loss).toBeAllClose([LN2, expected], close);
  });

  it('crossEntropy: label smoothing with weights and an ignored row divides by the kept target weight', () => {
    // Row 0 ignored; row 1 kept with w_t = 3: [0.8·3·(−log ¾) + 0.1·(1·(−log ¼) + 3·(−log ¾))] / 3
    const weight = float([1, 3]);
    const loss = crossEntropy(logits(), int32([-100, 1]), { weight, labelSmoothing: 0.2 });
    expect(loss).toBeAllClose((0.8 * 3 * log(4 / 3) + 0.1 * (log(4) + 3 * log(4 / 3))) / 3, close);
  });

  it('crossEntropy: probability targets ℓ = −Σ q·log p; a one-hot target equals the class index', () => {
    const soft = float([
      [0.5, 0.5],
      [0.25, 0.75],
    ]);
    expect(crossEntropy(logits(), soft, { reduction: 'none' })).toBeAllClose(
      [LN2, 0.25 * log(4) + 0.75 * log(4 / 3)],
      close,
    );
    const oneHot = float([
      [1, 0],
      [0, 1],
    ]);
    expect(crossEntropy(logits(), oneHot)).toBeAllClose(crossEntropy(logits(), targets), close);
  });

  it('nllLoss is crossEntropy on log-probabilities', () => {
    const x = randn([3, 4]);
    const t = int32([3, 0, 2]);
    expect(nllLoss(logSoftmax(x, 1), t)).toBeAllClose(crossEntropy(x, t), close);
  });

  it('an ignoreIndex that is a real class drops exactly those targets', () => {
    const loss = crossEntropy(logits(), targets, { ignoreIndex: 1, reduction: 'none' });
    expect(loss).toBeAllClose([LN2, 0], close);
    expect(crossEntropy(logits(), targets, { ignoreIndex: 1 })).toBeAllClose(LN2, close);
  });

  it('without an ignored target (no masking ops) the loss and gradients equal those of the masked path', () => {
    // The batch alone takes the unmasked path; with an extra ignored row appended it takes the masked one.
    const x = randn([6, 5], { requiresGrad: true });
    const extraRow = (randn([1, 5]).toArray() as number[][])[0];
    const padded = tensor([...(x.toArray() as number[][]), extraRow], { requiresGrad: true });
    const t = [4, 0, 2, 2, 1, 3];
    for (const reduction of ['mean', 'sum'] as const) {
      x.grad = null;
      padded.grad = null;
      const plain = crossEntropy(x, int32(t), { reduction });
      const masked = crossEntropy(padded, int32([...t, -100]), { reduction });
      expect(plain.item()).toBe(masked.item());
      plain.backward();
      masked.backward();
      expect(x.grad!.toArray()).toEqual(padded.grad!.narrow(0, 0, 6).toArray());
      expect(padded.grad!.narrow(0, 6, 1).toArray()).toEqual([[0, 0, 0, 0, 0]]);
    }
  });

  it('mseLoss and l1Loss', () => {
    const x = float([1, 2, 3]);
    const y = float([1.5, 0, 3]);
    expect(mseLoss(x, y)).toBeAllClose((0.25 + 4) / 3, close);
    expect(l1Loss(x, y, { reduction: 'sum' })).toBeAllClose(2.5, close);
  });

  it('binaryCrossEntropyWithLogits: −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]', () => {
    const x = float([0, log(3)]); // σ = ½, ¾
    const y = float([1, 0.5]);
    const loss = binaryCrossEntropyWithLogits(x, y, { posWeight: float([2, 2]), reduction: 'none' });
    expect(loss).toBeAllClose([2 * LN2, -(2 * 0.5 * log(0.75) + 0.5 * log(0.25))], close);
  });

  it("klDiv: Σ t·(log t − x); 'batchmean' divides by the batch size", () => {
    const input = float([[log(0.5), log(0.5)]]);
    const target = float([[0.25, 0.75]]);
    const kl = 0.25 * log(0.5) + 0.75 * log(1.5);
    expect(klDiv(input, target, { reduction: 'sum' })).toBeAllClose(kl, close);
    expect(klDiv(input, target)).toBeAllClose(kl / 2, close);
    expect(klDiv(input, target.log(), { reduction: 'batchmean', logTarget: true })).toBeAllClose(kl, close);
  });
});

describe('sequenceCrossEntropy', () => {
  const [B, T, V] = [2, 4, 5];
  const logits = () => randn([B, T, V], { requiresGrad: true });
  // Sequence 0 has 3 real tokens then padding; sequence 1 has 2.
  const targets = int32([4, 2, 1, 0, 3, 3, 0, 0], [B, T]);

  it("'none' is [B, T] with zeros at padding; 'sum' adds the real steps; 'mean' divides by tokens", () => {
    const x = logits();
    const none = sequenceCrossEntropy(x, targets, { padIndex: 0, reduction: 'none' });
    expect(none.loss.shape).toEqual([B, T]);
    expect(none.tokens).toBe(5);
    const perStep = none.loss.dataSync();
    expect([perStep[3], perStep[6], perStep[7]]).toEqual([0, 0, 0]);
    const sum = sequenceCrossEntropy(x, targets, { padIndex: 0, reduction: 'sum' });
    expect(sum.loss).toBeAllClose(none.loss.sum(), close);
    const mean = sequenceCrossEntropy(x, targets, { padIndex: 0 });
    expect(mean.loss).toBeAllClose(sum.loss.div(5), close);
  });

  it('equals crossEntropy over the flattened steps with padding ignored, label smoothing included', () => {
    const x = logits();
    const flatTargets = int32([4, 2, 1, -100, 3, 3, -100, -100]);
    const expected = crossEntropy(x.reshape([B * T, V]), flatTargets, { labelSmoothing: 0.1 });
    expect(sequenceCrossEntropy(x, targets, { padIndex: 0, labelSmoothing: 0.1 }).loss).toBeAllClose(
      expected,
      close,
    );
  });

  it('a mask and padIndex combine: a token is real only if both say so; masked steps may hold anything', () => {
    const x = logits();
    const mask = tensor([true, true, false, true, true, true, true, false]).reshape([B, T]);
    const withJunk = int32([4, 2, 99, 0, 3, 3, 0, -7], [B, T]); // 99 and −7 are masked out
    const { loss, tokens } = sequenceCrossEntropy(x, withJunk, { padIndex: 0, mask, reduction: 'sum' });
    expect(tokens).toBe(4);
    const expected = crossEntropy(x.reshape([B * T, V]), int32([4, 2, -100, -100, 3, 3, -100, -100]), {
      reduction: 'sum',
    });
    expect(loss).toBeAllClose(expected, close);
  });

  it('without padIndex or mask every step counts', () => {
    expect(sequenceCrossEntropy(logits(), targets).tokens).toBe(B * T);
  });

  it('gradients reach only the real steps', () => {
    const x = logits();
    sequenceCrossEntropy(x, targets, { padIndex: 0 }).loss.backward();
    const grad = x.grad!.reshape([B * T, V]).toArray() as number[][];
    for (const step of [3, 6, 7]) expect(grad[step]).toEqual([0, 0, 0, 0, 0]);
    expect(grad[0].some((g) => g !== 0)).toBe(true);
  });
});

describe('dtypes and layouts', () => {
  it('float64 inputs give float64 losses; float32 weights and targets are cast to the input dtype', () => {
    const x = randn([3, 4], { dtype: 'float64' });
    const loss = crossEntropy(x, int32([0, 1, 2]), { weight: float([1, 2, 3, 4]), labelSmoothing: 0.1 });
    expect(loss.dtype).toBe('float64');
    expect(mseLoss(x, float([[1, 2, 3, 4]]).expand([3, 4])).dtype).toBe('float64');
  });

  it('non-contiguous inputs: a transposed [C, N] view gives the same loss and gradient', () => {
    const data = randn([4, 3]);
    const a = data.clone().detach().requiresGrad_();
    const b = transpose(data, 0, 1).contiguous().detach().requiresGrad_(); // [3, 4], same values transposed
    const t = int32([2, 0, 1, 2]);
    const la = crossEntropy(a, t, { labelSmoothing: 0.1 });
    const lb = crossEntropy(transpose(b, 0, 1), t, { labelSmoothing: 0.1 });
    expect(lb).toBeAllClose(la, close);
    la.backward();
    lb.backward();
    expect(transpose(b.grad!, 0, 1)).toBeAllClose(a.grad!, close);
  });
});
