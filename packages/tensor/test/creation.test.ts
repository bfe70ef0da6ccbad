import {
  arange,
  bernoulli,
  DataError,
  eye,
  full,
  fullLike,
  Generator,
  linspace,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  zeros,
  zerosLike,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('tensor()', () => {
  it('infers shape and dtype from nested arrays like torch.tensor', () => {
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).shape,
    ).toEqual([2, 3]);
    expect(tensor([[1, 2, 3]]).dtype).toBe('int32');
    expect(tensor([1.5, 2]).dtype).toBe('float32');
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('takes a typed array or a flat array plus a shape', () => {
    const t = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(t.dtype).toBe('float64');
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'float32' }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('copies its input', () => {
    const source = new Float32Array([1, 2]);
    const t = tensor(source);
    source[0] = 9;
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('rejects ragged arrays, non-numbers and wrong lengths with the location', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(DataError);
    expect(() => tensor([[1, 2], [3]])).toThrow('expected length 2 at [1], got 1');
    expect(() => tensor([[1, 2], 3] as never)).toThrow('expected an array of length 2 at [1], got a number');
    expect(() => tensor([1, 'a'] as never)).toThrow('expected numbers or booleans, got string at [1]');
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      '3 values do not fill shape [2,2] (4 elements)',
    );
  });

  it('stores bools as 0/1 and reads them back as booleans', () => {
    expect(tensor([2, 0, -1], { dtype: 'bool' }).toArray()).toEqual([true, false, true]);
  });
});

describe('constant and range constructors', () => {
  it('fills', () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([2]).dtype).toBe('float32');
    expect(full([2], 7).dtype).toBe('int32');
    expect(full([2], 0.5).toArray()).toEqual([0.5, 0.5]);
    const x = tensor([[1.5, 2]], { dtype: 'float64' });
    expect(zerosLike(x).dtype).toBe('float64');
    expect(onesLike(x).shape).toEqual([1, 2]);
    expect(fullLike(x, 3).toArray()).toEqual([[3, 3]]);
  });

  it('arange and linspace follow PyTorch', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
  });

  it('eye', () => {
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
});

describe('random', () => {
  it('is reproducible from a seed, for the default generator and for Generator objects', () => {
    manualSeed(42);
    const a = randn([5]).toArray();
    manualSeed(42);
    expect(randn([5]).toArray()).toEqual(a);
    const g1 = new Generator(7);
    const g2 = new Generator(7);
    expect(rand([4], { generator: g1 }).toArray()).toEqual(rand([4], { generator: g2 }).toArray());
    expect(new Generator(8).uniform()).not.toBe(new Generator(7).uniform());
  });

  it('restores a stream from its state', () => {
    const g = new Generator(3);
    g.normal();
    const state = g.getState();
    const next = [g.normal(), g.normal(), g.uniform()];
    g.setState(state);
    expect([g.normal(), g.normal(), g.uniform()]).toEqual(next);
  });

  it('fills a Bernoulli mask with exactly the draws of one bernoulli() per element, and leaves the stream there', () => {
    for (const [n, p, value] of [
      [0, 0.5, 1],
      [1, 0.5, 2],
      [1001, 0.3, 1 / 0.7],
      [40_003, 0.9, 1 / 0.9], // several of the wasm kernel's chunks
      [64, 1, 1],
      [64, 0, 1],
      [64, 0.5, Number.POSITIVE_INFINITY],
      [64, 0.5, Number.NaN],
    ] as const) {
      const reference = new Generator(11);
      reference.normal(); // a spare normal in the state must survive
      const fast = new Generator(11);
      fast.normal();
      const expected = Array.from({ length: n }, () => (reference.bernoulli(p) ? Math.fround(value) : 0));
      const mask = new Float32Array(n);
      fast.fillBernoulli(mask, p, value);
      expect(Array.from(mask)).toEqual(expected);
      expect(fast.getState()).toEqual(reference.getState());
    }
  });

  it('fills Bernoulli masks at the asked rate, always at p = 1 and never at p = 0', () => {
    const g = new Generator(3);
    const mask = new Float64Array(200_000);
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      g.fillBernoulli(mask, p, 2);
      const hits = mask.reduce((n, v) => n + (v === 2 ? 1 : 0), 0);
      expect(mask.every((v) => v === 0 || v === 2)).toBe(true);
      expect(Math.abs(hits / mask.length - p)).toBeLessThan(0.005); // 4.4σ at p = 0.5
    }
    g.fillBernoulli(mask, 1, 3);
    expect(mask.every((v) => v === 3)).toBe(true);
    g.fillBernoulli(mask, 0, 3);
    expect(mask.every((v) => v === 0)).toBe(true);
    const floats = new Float32Array(1000); // a float32 mask takes the wasm kernel under that backend
    g.fillBernoulli(floats, 1, 3);
    expect(floats.every((v) => v === 3)).toBe(true);
    g.fillBernoulli(floats, 0, 3);
    expect(floats.every((v) => v === 0)).toBe(true);
  });

  it('draws with the right moments and ranges', () => {
    const g = new Generator(1);
    const u = rand([20000], { generator: g, dtype: 'float64' });
    const n = randn([20000], { generator: g, dtype: 'float64' });
    expect(u.mean().item()).toBeCloseTo(0.5, 1);
    expect(u.amin().item()).toBeGreaterThanOrEqual(0);
    expect(u.amax().item()).toBeLessThan(1);
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(n.var().item()).toBeCloseTo(1, 1);
    const r = randint(-2, 3, [1000], { generator: g });
    expect(r.dtype).toBe('int32');
    expect(r.amin().item()).toBe(-2);
    expect(r.amax().item()).toBe(2);
    const b = bernoulli(full([10000], 0.3, { dtype: 'float32' }), { generator: g });
    expect(b.mean().item()).toBeCloseTo(0.3, 1);
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => bernoulli(tensor([0.5, 1.5]))).toThrow(
      'bernoulli: probabilities must be in [0, 1] (got 1.5)',
    );
  });
});
