/**
 * @file The fused LSTM/GRU gate primitives: hand-computed values, agreement with the same formulas composed
 * from sigmoid, tanh, mul and add (values and gradients, float32 and float64, contiguous and strided inputs),
 * and their errors. Gradchecks are in gradcheck.test.ts, PyTorch values in the conformance fixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  cat,
  DTypeError,
  type FloatDType,
  Generator,
  gruCellGates,
  lstmCellGates,
  noGrad,
  randn,
  ShapeError,
  type Tensor,
  tensor,
  zeros,
} from '../src/index.js';

/** The LSTM step as ten composed ops (what nn-rnn ran before the fused primitive): [h | c]. */
function lstmComposed(gates: Tensor, cPrev: Tensor): Tensor {
  const [i, f, g, o] = gates.chunk(4, -1);
  const c = f.sigmoid().mul(cPrev).add(i.sigmoid().mul(g.tanh()));
  return cat([o.sigmoid().mul(c.tanh()), c], 1);
}

/** PyTorch's GRU step composed: (1 − z)·n + z·hPrev. */
function gruComposed(gx: Tensor, gh: Tensor, hPrev: Tensor): Tensor {
  const [xr, xz, xn] = gx.chunk(3, -1);
  const [hr, hz, hn] = gh.chunk(3, -1);
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return z.neg().add(1).mul(n).add(z.mul(hPrev));
}

/** Leaves of normals ×scale, and a builder that makes fresh copies of them (one set per function compared). */
function leaves(shapes: number[][], dtype: FloatDType, seed: number, scale = 2) {
  const generator = new Generator(seed);
  const values = shapes.map((shape) => randn(shape, { dtype, generator }).mul(scale));
  return () => values.map((v) => v.clone().requiresGrad_());
}

/** Runs fused and composed on copies of the same leaves (through `view`), backpropagates one cotangent. */
function compare(
  fused: (...x: Tensor[]) => Tensor,
  composed: (...x: Tensor[]) => Tensor,
  make: () => Tensor[],
  view: (x: Tensor[]) => Tensor[],
  tolerance: { rtol: number; atol: number },
): void {
  const a = make();
  const b = make();
  const ya = fused(...view(a));
  const yb = composed(...view(b));
  expect(ya).toBeAllClose(yb, tolerance);
  const cotangent = randn(ya.shape, { dtype: ya.dtype, generator: new Generator(5) });
  ya.mul(cotangent).sum().backward();
  yb.mul(cotangent).sum().backward();
  a.forEach((leaf, k) => {
    expect(leaf.grad).toBeAllClose(b[k].grad, tolerance);
  });
}

const tolerances = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-13 },
} as const;

describe('lstmCellGates', () => {
  it('hand-computed: zero pre-activations halve every gate', () => {
    // i = f = o = σ(0) = ½, g = tanh(0) = 0: c = ½·cPrev, h = ½·tanh(c)
    const hc = lstmCellGates(zeros([2, 4]), tensor([[2], [-1]], { dtype: 'float32' }));
    expect(hc).toBeAllClose(
      [
        [0.5 * Math.tanh(1), 1],
        [0.5 * Math.tanh(-0.5), -0.5],
      ],
      { rtol: 1e-6 },
    );
  });

  it('hand-computed: gates (ln 3, −ln 3, ½, 0) with cPrev 1', () => {
    // σ(ln 3) = ¾, σ(−ln 3) = ¼: c = ¼ + ¾·tanh(½), h = ½·tanh(c)
    const hc = lstmCellGates(
      tensor([[Math.log(3), -Math.log(3), 0.5, 0]], { dtype: 'float64' }),
      tensor([[1]], { dtype: 'float32' }),
    );
    const c = 0.25 + 0.75 * Math.tanh(0.5);
    expect(hc.dtype).toBe('float64');
    expect(hc).toBeAllClose([[0.5 * Math.tanh(c), c]], { rtol: 1e-14 });
  });

  it.each<[FloatDType, number, number]>([
    ['float32', 5, 7],
    ['float64', 5, 7],
    ['float32', 1, 1],
    ['float64', 32, 16],
  ])('%s B %d H %d: values and gradients equal the composed ops', (dtype, b, h) => {
    const make = leaves(
      [
        [b, 4 * h],
        [b, h],
      ],
      dtype,
      11 + b + h,
    );
    compare(lstmCellGates, lstmComposed, make, (x) => x, tolerances[dtype]);
  });

  it.each<FloatDType>(['float32', 'float64'])(
    '%s strided inputs: transposed gates, step-2 cPrev',
    (dtype) => {
      const make = leaves(
        [
          [12, 3],
          [3, 6],
        ],
        dtype,
        12,
      );
      compare(
        lstmCellGates,
        lstmComposed,
        make,
        ([g, c]) => [g.t(), c.slice(1, 1, null, 2)],
        tolerances[dtype],
      );
    },
  );

  it('a broadcast (stride-0) cPrev gets its gradient summed back', () => {
    const make = leaves(
      [
        [3, 8],
        [1, 2],
      ],
      'float64',
      13,
    );
    compare(lstmCellGates, lstmComposed, make, ([g, c]) => [g, c.expand([3, 2])], tolerances.float64);
  });

  it('records a node only when an input requires grad; nothing under noGrad', () => {
    const gates = randn([2, 8], { requiresGrad: true });
    expect(lstmCellGates(gates, zeros([2, 2])).gradFn?.name).toBe('lstmCellGates');
    expect(noGrad(() => lstmCellGates(gates, zeros([2, 2]))).requiresGrad).toBe(false);
    expect(lstmCellGates(gates.detach(), zeros([2, 2])).requiresGrad).toBe(false);
  });

  it('dtypes promote (float32 with float64 → float64, int32 → float32); an empty batch gives an empty result', () => {
    expect(lstmCellGates(zeros([2, 8]), zeros([2, 2], { dtype: 'float64' })).dtype).toBe('float64');
    const fromInts = lstmCellGates(zeros([1, 4], { dtype: 'int32' }), tensor([[2]], { dtype: 'int32' }));
    expect(fromInts.dtype).toBe('float32');
    expect(fromInts).toBeAllClose([[0.5 * Math.tanh(1), 1]], { rtol: 1e-6 });
    expect(gruCellGates(zeros([1, 3], { dtype: 'int32' }), zeros([1, 3]), zeros([1, 1])).dtype).toBe(
      'float32',
    );
    expect(lstmCellGates(zeros([0, 8]), zeros([0, 2])).shape).toEqual([0, 4]);
  });

  it('rejects wrong ranks, mismatched shapes and non-float dtypes, naming the op and the shapes', () => {
    expect(() => lstmCellGates(zeros([8]), zeros([1, 2]))).toThrow(
      new ShapeError('lstmCellGates: gates must be 2-D [B, 4H] (got [8])'),
    );
    expect(() => lstmCellGates(zeros([2, 7]), zeros([2, 2]))).toThrow(
      new ShapeError(
        'lstmCellGates: gates must be [B, 4H] = [2,8] for cPrev [B, H] = [2,2] (got gates [2,7])',
      ),
    );
    expect(() => lstmCellGates(zeros([3, 8]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => lstmCellGates(zeros([2, 8], { dtype: 'bool' }), zeros([2, 2]))).toThrow(
      new DTypeError('lstmCellGates: gates must be a float or int32 tensor (got bool)'),
    );
  });
});

describe('gruCellGates', () => {
  it('hand-computed: zero pre-activations give r = z = ½, n = 0, h = ½·hPrev', () => {
    expect(gruCellGates(zeros([1, 3]), zeros([1, 3]), tensor([[3]], { dtype: 'float32' }))).toBeAllClose([
      [1.5],
    ]);
  });

  it('hand-computed: r gates gh_n only, and b_hn stays inside r ⊙ (·)', () => {
    // gx = (0, 0, 0.5), gh = (−ln 3, ln 3, 1): r = σ(−ln 3) = ¼, z = σ(ln 3) = ¾, n = tanh(½ + ¼)
    const gh = tensor([[-Math.log(3), Math.log(3), 1]], { dtype: 'float64' });
    const h = gruCellGates(
      tensor([[0, 0, 0.5]], { dtype: 'float64' }),
      gh,
      tensor([[2]], { dtype: 'float64' }),
    );
    expect(h).toBeAllClose([[0.25 * Math.tanh(0.75) + 0.75 * 2]], { rtol: 1e-14 });
  });

  it.each<[FloatDType, number, number]>([
    ['float32', 5, 7],
    ['float64', 5, 7],
    ['float32', 1, 1],
    ['float64', 32, 16],
  ])('%s B %d H %d: values and gradients equal the composed ops', (dtype, b, h) => {
    const make = leaves(
      [
        [b, 3 * h],
        [b, 3 * h],
        [b, h],
      ],
      dtype,
      21 + b + h,
    );
    compare(gruCellGates, gruComposed, make, (x) => x, tolerances[dtype]);
  });

  it.each<FloatDType>(['float32', 'float64'])(
    '%s strided inputs: transposed, sliced and expanded',
    (dtype) => {
      const make = leaves(
        [
          [9, 4],
          [4, 18],
          [1, 3],
        ],
        dtype,
        22,
      );
      compare(
        gruCellGates,
        gruComposed,
        make,
        ([x, y, p]) => [x.t(), y.slice(1, 0, null, 2), p.expand([4, 3])],
        tolerances[dtype],
      );
    },
  );

  it('the same tensor as gx and gh gets both gradients summed', () => {
    const make = leaves(
      [
        [3, 6],
        [3, 2],
      ],
      'float64',
      23,
    );
    compare(gruCellGates, gruComposed, make, ([x, p]) => [x, x, p], tolerances.float64);
  });

  it('records a node only when an input requires grad; nothing under noGrad', () => {
    const h = randn([2, 2], { requiresGrad: true });
    expect(gruCellGates(zeros([2, 6]), zeros([2, 6]), h).gradFn?.name).toBe('gruCellGates');
    expect(noGrad(() => gruCellGates(zeros([2, 6]), zeros([2, 6]), h)).requiresGrad).toBe(false);
  });

  it('rejects wrong ranks, mismatched shapes and non-float dtypes, naming the op and the shapes', () => {
    expect(() => gruCellGates(zeros([2, 6]), zeros([2, 6]), zeros([2, 2, 1]))).toThrow(
      new ShapeError('gruCellGates: hPrev must be 2-D [B, H] (got [2,2,1])'),
    );
    expect(() => gruCellGates(zeros([2, 6]), zeros([2, 9]), zeros([2, 2]))).toThrow(
      new ShapeError('gruCellGates: gh must be [B, 3H] = [2,6] for hPrev [B, H] = [2,2] (got gh [2,9])'),
    );
    expect(() => gruCellGates(zeros([1, 6]), zeros([2, 6]), zeros([2, 2]))).toThrow(
      new ShapeError('gruCellGates: gx must be [B, 3H] = [2,6] for hPrev [B, H] = [2,2] (got gx [1,6])'),
    );
    expect(() => gruCellGates(zeros([2, 6]), zeros([2, 6]), zeros([2, 2], { dtype: 'bool' }))).toThrow(
      new DTypeError('gruCellGates: hPrev must be a float or int32 tensor (got bool)'),
    );
  });
});
