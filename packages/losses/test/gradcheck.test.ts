/**
 * Float64 finite-difference checks of every loss, through weights, ignore_index, label smoothing, padding and
 * masks, for every reduction. Float targets (probabilities, regression targets) are checked too.
 */
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
  sequenceCrossEntropy,
} from '@tensorloom/losses';
import {
  add,
  Generator,
  gradcheck,
  logSoftmax,
  rand,
  randn,
  softmax,
  type Tensor,
  tensor,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const generator = new Generator(7);
const reductions: Reduction[] = ['none', 'mean', 'sum'];
const f64 = { dtype: 'float64', generator } as const;
const leaf = (shape: number[], scale = 1): Tensor => randn(shape, f64).mul(scale).detach().requiresGrad_();
const weights = (classes: number): Tensor =>
  add(rand([classes], f64), 0.3)
    .detach()
    .requiresGrad_(); // our weights are differentiable (PyTorch's are not)
const int32 = (data: number[], shape: number[]) => tensor(data, { dtype: 'int32', shape });

describe.each(reductions)('gradcheck, reduction %s', (reduction) => {
  it('crossEntropy [N, C]: weight, ignoreIndex -100, label smoothing (input and weight)', () => {
    const target = int32([2, -100, 0, 4, 2], [5]);
    const fn = (x: Tensor, w: Tensor) =>
      crossEntropy(x, target, { weight: w, reduction, labelSmoothing: 0.2 });
    expect(gradcheck(fn, [leaf([5, 5], 2), weights(5)])).toBe(true);
  });

  it('crossEntropy [N, C, d1, d2]: custom ignoreIndex that is a class, label smoothing', () => {
    const target = int32([1, 0, 2, 1, 2, 2, 0, 1], [2, 2, 2]);
    const fn = (x: Tensor) => crossEntropy(x, target, { ignoreIndex: 1, reduction, labelSmoothing: 0.1 });
    expect(gradcheck(fn, [leaf([2, 3, 2, 2], 2)])).toBe(true);
  });

  it('crossEntropy unbatched [C] with a 0-d target and weight', () => {
    const weight = weights(4).detach();
    const fn = (x: Tensor) => crossEntropy(x, int32([3], []), { weight, reduction, labelSmoothing: 0.3 });
    expect(gradcheck(fn, [leaf([4])])).toBe(true);
  });

  it('crossEntropy probability targets: input, target and weight, label smoothing', () => {
    const target = softmax(randn([3, 4, 2], f64), 1)
      .detach()
      .requiresGrad_();
    const fn = (x: Tensor, p: Tensor, w: Tensor) =>
      crossEntropy(x, p, { weight: w, reduction, labelSmoothing: 0.25 });
    expect(gradcheck(fn, [leaf([3, 4, 2], 2), target, weights(4)])).toBe(true);
  });

  it('nllLoss: weight and ignoreIndex', () => {
    const target = int32([0, 3, -100, 3], [4]);
    const logProbs = logSoftmax(randn([4, 4], f64), 1)
      .detach()
      .requiresGrad_();
    const fn = (x: Tensor, w: Tensor) => nllLoss(x, target, { weight: w, reduction });
    expect(gradcheck(fn, [logProbs, weights(4)])).toBe(true);
  });

  it('mseLoss and l1Loss: input and target', () => {
    const x = leaf([2, 3]);
    const y = add(x, tensor([0.5, -0.7, 1.1, -0.3, 0.9, -1.2], { dtype: 'float64', shape: [2, 3] }))
      .detach()
      .requiresGrad_(); // away from l1's kink at x = y
    expect(gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, y])).toBe(true);
    expect(gradcheck((a, b) => l1Loss(a, b, { reduction }), [x, y])).toBe(true);
  });

  it('binaryCrossEntropyWithLogits: weight, posWeight, soft targets, logits at and around 0', () => {
    const x = tensor([0, 2.5, -3, 0.4, -0.1, 7], { dtype: 'float64', shape: [2, 3], requiresGrad: true });
    const y = rand([2, 3], f64).detach().requiresGrad_();
    const weight = add(rand([2, 1], f64), 0.5).detach();
    const posWeight = tensor([0.5, 2, 4], { dtype: 'float64' });
    const fn = (a: Tensor, b: Tensor) => binaryCrossEntropyWithLogits(a, b, { weight, posWeight, reduction });
    expect(gradcheck(fn, [x, y])).toBe(true);
  });

  it('sequenceCrossEntropy: padIndex, mask and label smoothing', () => {
    const targets = int32([3, 1, 0, 0, 2, 9, 4, 0], [2, 4]); // 0 = pad; the 9 is masked out
    const mask = tensor([true, true, true, true, true, false, true, true]).reshape([2, 4]);
    const fn = (logits: Tensor) =>
      sequenceCrossEntropy(logits, targets, { padIndex: 0, mask, reduction, labelSmoothing: 0.1 }).loss;
    expect(gradcheck(fn, [leaf([2, 4, 5], 2)])).toBe(true);
  });
});

describe.each(['none', 'mean', 'sum', 'batchmean'] as const)('gradcheck klDiv, reduction %s', (reduction) => {
  it.each([false, true])('logTarget %s: input and target', (logTarget) => {
    const input = logSoftmax(randn([3, 4], f64), 1)
      .detach()
      .requiresGrad_();
    const p = softmax(randn([3, 4], f64), 1);
    const target = (logTarget ? p.log() : p).detach().requiresGrad_();
    expect(gradcheck((x, t) => klDiv(x, t, { reduction, logTarget }), [input, target])).toBe(true);
  });
});
