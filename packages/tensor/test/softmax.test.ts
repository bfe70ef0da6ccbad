/** @file Edge cases of the fused softmax/log-softmax kernel that the PyTorch fixtures do not reach. */
import { describe, expect, it } from 'vitest';
import { arange, logSoftmax, randn, softmax, tensor, zeros } from '../src/index.js';

describe('softmax / logSoftmax edge cases', () => {
  it('a 0-d input is its own one-element row', () => {
    expect(softmax(tensor(3.5), 0).item()).toBe(1);
    expect(logSoftmax(tensor(3.5), -1).item()).toBe(0);
  });

  it('an empty dim or an empty batch gives an empty result of the same shape', () => {
    expect(softmax(zeros([2, 0]), 1).shape).toEqual([2, 0]);
    expect(logSoftmax(zeros([0, 3]), 1).shape).toEqual([0, 3]);
  });

  it('int inputs become float32, as in the composite', () => {
    const y = softmax(arange(3), 0);
    expect(y.dtype).toBe('float32');
    expect(y.sum().item()).toBeCloseTo(1, 6);
  });

  it('a NaN poisons only its own row; a row of -Infinity is NaN (as in PyTorch)', () => {
    const y = softmax(
      tensor([
        [1, Number.NaN, 2],
        [1, 2, 3],
        [-Infinity, -Infinity, -Infinity],
      ]),
      1,
    ).toArray() as number[][];
    expect(y[0].every(Number.isNaN)).toBe(true);
    expect(y[1].every(Number.isFinite)).toBe(true);
    expect(y[2].every(Number.isNaN)).toBe(true);
  });

  it('every dim of a non-contiguous 4-d view sums to one and matches exp(logSoftmax)', () => {
    const x = randn([3, 4, 5, 6]).permute([2, 0, 3, 1]).mul(10); // [5, 3, 6, 4], no dim contiguous-last
    for (let dim = 0; dim < 4; dim++) {
      const y = softmax(x, dim);
      expect(y.shape).toEqual(x.shape);
      expect(y.isContiguous()).toBe(true);
      expect(y.sum(dim)).toBeAllClose(zeros([5, 3, 6, 4].filter((_, i) => i !== dim)).add(1), { atol: 1e-6 });
      expect(logSoftmax(x, dim).exp()).toBeAllClose(y, { atol: 1e-6 });
    }
  });
});
