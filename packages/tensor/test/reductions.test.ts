import { arange, randint, randn, type Tensor, tensor } from '@tensorloom/tensor';
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

/** Σ over `dims` by nested loops over toArray() (in float64), for comparison with the kernels. */
function naiveSum(x: Tensor, dims: number[]): number[] {
  const values = x.toArray();
  const out = new Map<string, number>();
  const walk = (v: unknown, index: number[]) => {
    if (!Array.isArray(v)) {
      const key = index.filter((_, d) => !dims.includes(d)).join(',');
      out.set(key, (out.get(key) ?? 0) + Number(v));
      return;
    }
    v.forEach((child, i) => {
      walk(child, [...index, i]);
    });
  };
  walk(values, []);
  return [...out.values()];
}

describe('sum over the leading dims (rows added into accumulators)', () => {
  const cases: [string, () => Tensor, number[]][] = [
    ['a bias gradient [N, D] over N', () => randn([37, 19]), [0]],
    ['two leading dims of [T, B, D]', () => randn([5, 6, 7], { dtype: 'float64' }), [0, 1]],
    ['an expanded operand', () => randn([1, 9]).expand([11, 9]), [0]],
    ['rows of a wider matrix (padded rows)', () => randn([8, 12]).slice(1, 2, 9), [0]],
    ['a transposed view (kept dim strided: the general walk)', () => randn([6, 10]).t(), [0]],
    ['a middle dim', () => randn([4, 5, 3]), [1]],
    ['int32', () => randint(-50, 50, [13, 4]), [0]],
    ['bool', () => arange(24).reshape([6, 4]).gt(10), [0]],
  ];
  for (const [name, make, dims] of cases) {
    it(name, () => {
      const x = make();
      const got = x.sum(dims);
      const want = naiveSum(x, dims);
      const tolerance = x.dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 };
      expect(got.dataSync()).toBeAllClose(want, tolerance);
      expect(got.shape).toEqual(x.shape.filter((_, d) => !dims.includes(d)));
    });
  }
});

/** max over `dim` with the first index of the winner, NaN winning, by plain loops over toArray(). */
function naiveMax(x: Tensor, dim: number): { values: number[]; indices: number[] } {
  const order = [...x.shape.keys()].filter((d) => d !== dim);
  const moved = x.permute([...order, dim]).contiguous();
  const length = x.shape[dim];
  const flat = Array.from(moved.dataSync(), Number);
  const values: number[] = [];
  const indices: number[] = [];
  for (let start = 0; start < flat.length; start += length) {
    let best = flat[start];
    let at = 0;
    for (let k = 1; k < length && !Number.isNaN(best); k++) {
      if (Number.isNaN(flat[start + k]) || flat[start + k] > best) {
        best = flat[start + k];
        at = k;
      }
    }
    values.push(best);
    indices.push(at);
  }
  return { values, indices };
}

describe('max over one dim, each output one strided run (the tight loop)', () => {
  const withNaN = () => {
    const values = randn([6, 9]).dataSync().slice();
    values[13] = Number.NaN;
    values[40] = Number.NaN;
    return tensor(values, { shape: [6, 9] });
  };
  const cases: [string, () => Tensor, number][] = [
    ['contiguous rows (an argmax over a vocabulary)', () => randn([7, 301]), 1],
    ['a leading dim (runs strided, outputs contiguous)', () => randn([11, 5]), 0],
    ['a middle dim of attention-like scores', () => randn([3, 4, 5, 6]), 2],
    ['a transposed view', () => randn([8, 3]).t(), 1],
    ['NaNs win and stick', withNaN, 1],
    ['ties keep the first index (int32)', () => randint(0, 3, [9, 12]), 1],
  ];
  for (const [name, make, dim] of cases) {
    it(name, () => {
      const x = make();
      const [values, indices] = x.max(dim);
      const want = naiveMax(x, dim);
      expect(Array.from(values.dataSync(), Number)).toEqual(want.values);
      expect(Array.from(indices.dataSync())).toEqual(want.indices);
    });
  }
});
