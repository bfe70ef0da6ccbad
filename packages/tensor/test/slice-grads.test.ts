/** Many slices of one tensor: their gradients are gathered into one tensor (linear, not quadratic, in the count). */
import { arange, randn, type Tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

/** The gradient of fn at a fresh leaf copy of x. */
function gradOf(x: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  const leaf = x.detach().requiresGrad_();
  fn(leaf).backward();
  return leaf.grad as Tensor;
}

describe('slice gradients', () => {
  it('T selects of a leaf, each used once: the gradient is each step’s weight in place', () => {
    const x = randn([6, 2, 3]);
    const grad = gradOf(x, (t) => {
      let total = t.select(0, 0).sum().mul(0);
      for (let s = 0; s < 6; s++)
        total = total.add(
          t
            .select(0, s)
            .mul(s + 1)
            .sum(),
        );
      return total;
    });
    const expected = arange(1, 7).reshape([6, 1, 1]).expand([6, 2, 3]);
    expect(grad).toBeAllClose(expected);
  });

  it('overlapping, strided and repeated slices add up, mixed with ordinary uses of the same tensor', () => {
    const x = randn([5, 7], { dtype: 'float64' });
    const fn = (t: Tensor) =>
      t
        .slice(1, 0, 5)
        .mul(2)
        .sum()
        .add(t.slice(1, 2, 7).sum()) // overlaps the first on columns 2..4
        .add(t.slice(0, 0, 5, 2).mul(3).sum()) // every other row
        .add(t.select(1, 3).sum()) // a column, and again below
        .add(t.select(1, 3).sum())
        .add(t.mul(t).sum()); // not a slice: 2x
    const grad = gradOf(x, fn);
    const rows = (r: number) => (r % 2 === 0 ? 3 : 0);
    const cols = (c: number) => (c < 5 ? 2 : 0) + (c >= 2 ? 1 : 0) + (c === 3 ? 2 : 0);
    const xs = x.toArray() as number[][];
    const expected = xs.map((row, r) => row.map((v, c) => rows(r) + cols(c) + 2 * v));
    expect(grad).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
  });

  it('disjoint slices in any order, with gaps, are placed; touching ranges stay disjoint', () => {
    const x = randn([9, 2], { dtype: 'float64' });
    const grad = gradOf(
      x,
      (t) =>
        t
          .narrow(0, 5, 3)
          .mul(2)
          .sum() // rows 5..7
          .add(t.narrow(0, 0, 2).mul(3).sum()) // rows 0..1
          .add(t.narrow(0, 2, 3).sum()), // rows 2..4, touching both others; row 8 gets nothing
    );
    const perRow = [3, 3, 1, 1, 1, 2, 2, 2, 0];
    expect(grad).toBeAllClose(perRow.map((w) => [w, w]));
  });

  it('slices of an intermediate (non-leaf) tensor reach the leaf through it', () => {
    const x = randn([4, 3], { dtype: 'float64' });
    const grad = gradOf(x, (t) => {
      const h = t.tanh(); // [4, 3], not a leaf
      return h
        .select(0, 0)
        .sum()
        .add(h.select(0, 3).mul(2).sum())
        .add(h.slice(0, 1, 3).sum());
    });
    const weights = [1, 1, 1, 2];
    const xs = x.toArray() as number[][];
    const expected = xs.map((row, r) => row.map((v) => weights[r] * (1 - Math.tanh(v) ** 2)));
    expect(grad).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
  });

  it('a leaf that is sliced and retains its graph can run backward twice', () => {
    const x = randn([3, 2]).requiresGrad_();
    const y = x.select(0, 1).sum().add(x.select(0, 2).sum());
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad).toBeAllClose([
      [0, 0],
      [2, 2],
      [2, 2],
    ]);
  });
});
