/**
 * @file The fused linear primitive: agreement with matmul then add (values and gradients, float32 and float64,
 * 1-, 2- and 3-D inputs, with and without bias, strided input, weight and bias views, products large enough to be
 * split across threads), and its errors. Runs on each backend (the wasm project adds the bias in linear memory).
 * Gradchecks are in gradcheck.test.ts, PyTorch values in the conformance fixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  type FloatDType,
  Generator,
  linear,
  noGrad,
  randn,
  ShapeError,
  type Tensor,
  tensor,
} from '../src/index.js';

const tolerances = {
  float32: { rtol: 1e-5, atol: 1e-5 },
  float64: { rtol: 1e-12, atol: 1e-12 },
} as const;

interface Case {
  dtype: FloatDType;
  x: number[];
  out: number;
  bias: boolean;
}

type View = (t: Tensor) => Tensor;
const same: View = (t) => t;

/** Fused and composed (x·Wᵀ + b) on copies of the same leaves, through the views; one cotangent through both. */
function compare(c: Case, views: { x?: View; weight?: View; bias?: View; leaves?: number[][] } = {}): void {
  const inFeatures = c.x[c.x.length - 1];
  const shapes = views.leaves ?? [c.x, [c.out, inFeatures], [c.out]];
  const generator = new Generator(shapes.flat().reduce((a, d) => a * 7 + d, c.out));
  const values = shapes.map((s) => randn(s, { dtype: c.dtype, generator }));
  const make = () => values.map((v) => v.clone().requiresGrad_());
  const [xa, wa, ba] = make();
  const [xb, wb, bb] = make();
  const { x = same, weight = same, bias = same } = views;
  const ya = linear(x(xa), weight(wa), c.bias ? bias(ba) : null);
  let yb = x(xb).matmul(weight(wb).t());
  if (c.bias) yb = yb.add(bias(bb));
  expect(ya.shape).toEqual(yb.shape);
  expect(ya.dtype).toBe(c.dtype);
  expect(ya).toBeAllClose(yb, tolerances[c.dtype]);
  const cotangent = randn(ya.shape, { dtype: c.dtype, generator });
  ya.mul(cotangent).sum().backward();
  yb.mul(cotangent).sum().backward();
  expect(xa.grad).toBeAllClose(xb.grad, tolerances[c.dtype]);
  expect(wa.grad).toBeAllClose(wb.grad, tolerances[c.dtype]);
  if (c.bias) expect(ba.grad).toBeAllClose(bb.grad, tolerances[c.dtype]);
  else expect(ba.grad).toBeNull();
}

describe('linear', () => {
  it('hand-computed: [[1, 2]]·[[1, 0], [0, 1], [1, 1]]ᵀ + [10, 20, 30]', () => {
    const y = linear(
      tensor([[1, 2]], { dtype: 'float32' }),
      tensor(
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        { dtype: 'float32' },
      ),
      tensor([10, 20, 30], { dtype: 'float32' }),
    );
    expect(y).toBeAllClose([[11, 22, 33]], { atol: 0 });
  });

  it.each<Case>([
    { dtype: 'float32', x: [7, 5], out: 3, bias: true },
    { dtype: 'float64', x: [7, 5], out: 3, bias: true },
    { dtype: 'float32', x: [64, 100], out: 37, bias: true },
    { dtype: 'float32', x: [256, 96], out: 130, bias: true },
    { dtype: 'float32', x: [4, 6, 32], out: 24, bias: true },
    { dtype: 'float64', x: [2, 3, 4], out: 5, bias: false },
    { dtype: 'float32', x: [64, 100], out: 37, bias: false },
    { dtype: 'float32', x: [9], out: 4, bias: true },
    { dtype: 'float32', x: [0, 8], out: 4, bias: true },
  ])('$dtype x $x, out $out, bias $bias: values and gradients equal matmul then add', (c) => {
    compare(c);
  });

  it.each<FloatDType>(['float32', 'float64'])(
    '%s strided views: transposed x, sliced weight, step-2 bias',
    (dtype) => {
      compare(
        { dtype, x: [40, 24], out: 12, bias: true },
        {
          leaves: [[24, 40], [12, 30], [24]],
          x: (t) => t.t(),
          weight: (t) => t.narrow(1, 3, 24),
          bias: (t) => t.slice(0, 0, null, 2),
        },
      );
    },
  );

  it('a broadcast (expanded) bias gets its gradient summed back', () => {
    compare(
      { dtype: 'float32', x: [50, 16], out: 20, bias: true },
      { leaves: [[50, 16], [20, 16], [1]], bias: (t) => t.expand([20]) },
    );
  });

  it('int32 input is promoted with the weight; under noGrad nothing is recorded', () => {
    const w = randn([3, 2]).requiresGrad_();
    const y = linear(tensor([[1, 2]], { dtype: 'int32' }), w);
    expect(y.dtype).toBe('float32');
    expect(noGrad(() => linear(randn([2, 2]), w)).requiresGrad).toBe(false);
  });

  it('bad shapes and dtypes are clear errors naming the op and the shapes', () => {
    expect(() => linear(randn([4, 5]), randn([3, 6]))).toThrow(
      "linear: input's last dim must be in = 6 for weight [3,6] (got input [4,5])",
    );
    expect(() => linear(randn([4, 5]), randn([5]))).toThrow(ShapeError);
    expect(() => linear(randn([4, 5]), randn([3, 5]), randn([4]))).toThrow(
      'linear: bias must be [out] = [3] for weight [3,5] (got [4])',
    );
    expect(() => linear(tensor(1), randn([3, 1]))).toThrow(ShapeError);
    expect(() => linear(tensor([[true]]), randn([3, 1]))).toThrow(DTypeError);
  });
});
