import { tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('reduction edge cases (as PyTorch)', () => {
  const x = tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: 'float32' },
  );

  it('an empty dim list reduces every dim', () => {
    expect(x.sum([]).item()).toBe(21);
    expect(x.mean([]).item()).toBe(3.5);
  });

  it('a 0-d tensor reduces over dim 0 or -1 to itself', () => {
    const s = tensor(5, { dtype: 'float32' });
    expect(s.sum(0).item()).toBe(5);
    expect(s.sum(-1, true).shape).toEqual([]);
    expect(s.amax(0).item()).toBe(5);
    expect(s.mean(0).item()).toBe(5);
  });

  it('sums bools and ints to int32', () => {
    expect(tensor([true, true, false]).sum().dtype).toBe('int32');
    expect(tensor([true, true, false]).sum().item()).toBe(2);
  });

  it('max propagates NaN and keeps the first index at ties', () => {
    const [values, indices] = tensor(
      [
        [1, Number.NaN, 3],
        [2, 7, 7],
      ],
      { dtype: 'float32' },
    ).max(1);
    expect(Number.isNaN((values.toArray() as number[])[0])).toBe(true);
    expect(indices.toArray()).toEqual([1, 1]);
  });
});
