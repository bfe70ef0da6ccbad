import { matmul, randn, softmax, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('computes and differentiates', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    const y = x.mul(x).sum();
    y.backward();
    expect(y.item()).toBe(30);
    expect(x.grad?.toArray()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    const a = randn([3, 4]);
    const b = randn([4, 5]);
    expect(matmul(a, b).shape).toEqual([3, 5]);
    expect(softmax(zeros([2, 4]), 1).toArray()).toEqual([
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
    ]);
  });
});
