/**
 * @file The fused layerNorm primitive: hand-computed values, agreement with the same formula composed from mean,
 * sub, square, rsqrt, mul and add (values and gradients, float32 and float64, with and without the affine
 * parameters, one and two normalized dims, strided and broadcast inputs), and its errors. Runs on each backend
 * (the wasm project takes the SIMD kernels for float32). Gradchecks are in gradcheck.test.ts, PyTorch values in
 * the conformance fixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  type FloatDType,
  Generator,
  layerNorm,
  noGrad,
  ones,
  randn,
  ShapeError,
  type Tensor,
  TensorloomError,
  tensor,
} from '../src/index.js';

/** Layer norm as nn.LayerNorm computed it before the fused primitive. */
function composed(x: Tensor, k: number, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const dims = Array.from({ length: k }, (_, i) => i - k);
  const centered = x.sub(x.mean(dims, true));
  let y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

const tolerances = {
  float32: { rtol: 1e-5, atol: 2e-5 },
  float64: { rtol: 1e-11, atol: 1e-12 },
} as const;

interface Case {
  dtype: FloatDType;
  shape: number[];
  k: number;
  weight: boolean;
  bias: boolean;
}

/**
 * Leaves x (×3 + 1, so rows have a nonzero mean), weight (around 1) and bias; runs the fused op and the composed
 * one on copies (through `view` on x), and backpropagates one cotangent through both.
 */
function compare(c: Case, view: (x: Tensor) => Tensor = (x) => x): void {
  const generator = new Generator(c.shape.reduce((a, d) => a * 31 + d, c.k));
  const x0 = randn(c.shape, { dtype: c.dtype, generator }).mul(3).add(1);
  const viewed = view(x0).shape;
  const affineShape = viewed.slice(viewed.length - c.k);
  const w0 = randn(affineShape, { dtype: c.dtype, generator }).mul(0.5).add(1);
  const b0 = randn(affineShape, { dtype: c.dtype, generator });
  const make = () => [x0, w0, b0].map((t) => t.clone().requiresGrad_());
  const [xa, wa, ba] = make();
  const [xb, wb, bb] = make();
  const ya = layerNorm(view(xa), affineShape, c.weight ? wa : null, c.bias ? ba : null);
  const yb = composed(view(xb), c.k, c.weight ? wb : null, c.bias ? bb : null);
  expect(ya.dtype).toBe(c.dtype);
  expect(ya).toBeAllClose(yb, tolerances[c.dtype]);
  const cotangent = randn(ya.shape, { dtype: c.dtype, generator });
  ya.mul(cotangent).sum().backward();
  yb.mul(cotangent).sum().backward();
  expect(xa.grad).toBeAllClose(xb.grad, tolerances[c.dtype]);
  if (c.weight) expect(wa.grad).toBeAllClose(wb.grad, tolerances[c.dtype]);
  else expect(wa.grad).toBeNull();
  if (c.bias) expect(ba.grad).toBeAllClose(bb.grad, tolerances[c.dtype]);
  else expect(ba.grad).toBeNull();
}

describe('layerNorm', () => {
  it('hand-computed: a row (1, 2, 3, 6) has mean 3 and variance 3.5', () => {
    const y = layerNorm(tensor([[1, 2, 3, 6]], { dtype: 'float64' }), [4], null, null, 0);
    const s = Math.sqrt(3.5);
    expect(y).toBeAllClose([[-2 / s, -1 / s, 0, 3 / s]], { rtol: 1e-14 });
    // weight 2, bias −1 scale and shift each value; eps adds to the variance under the root
    const w = tensor([2, 2, 2, 2], { dtype: 'float64' });
    const b = tensor([-1, -1, -1, -1], { dtype: 'float64' });
    const z = layerNorm(tensor([[1, 2, 3, 6]], { dtype: 'float64' }), 4, w, b, 0.5);
    expect(z).toBeAllClose([[-4 / 2 - 1, -2 / 2 - 1, -1, 6 / 2 - 1]], { rtol: 1e-14 });
  });

  it('a constant row normalizes to zeros, not NaN; its gradient is the centred cotangent over √eps', () => {
    const x = tensor([[5, 5, 5, 5, 5]], { dtype: 'float32', requiresGrad: true });
    const y = layerNorm(x, [5]);
    expect(y).toBeAllClose([[0, 0, 0, 0, 0]], { atol: 0 });
    y.mul(tensor([[1, 2, 3, 4, 5]]))
      .sum()
      .backward();
    expect(x.grad).toBeAllClose(
      [[-2, -1, 0, 1, 2]].map((r) => r.map((v) => v / Math.sqrt(1e-5))),
      {
        rtol: 1e-4,
      },
    );
  });

  it.each<Case>([
    { dtype: 'float32', shape: [4, 6, 256], k: 1, weight: true, bias: true },
    { dtype: 'float64', shape: [4, 6, 256], k: 1, weight: true, bias: true },
    { dtype: 'float32', shape: [7, 13], k: 1, weight: true, bias: true },
    { dtype: 'float64', shape: [7, 13], k: 1, weight: true, bias: false },
    { dtype: 'float32', shape: [5, 3, 9], k: 2, weight: true, bias: true },
    { dtype: 'float32', shape: [3, 10], k: 1, weight: false, bias: false },
    { dtype: 'float32', shape: [3, 10], k: 1, weight: false, bias: true },
    { dtype: 'float64', shape: [2, 1], k: 1, weight: true, bias: true },
    { dtype: 'float32', shape: [17], k: 1, weight: true, bias: true },
  ])(
    '$dtype $shape over the last $k dim(s), weight $weight, bias $bias: values and gradients equal the composed ops',
    (c) => {
      compare(c);
    },
  );

  it.each<FloatDType>(['float32', 'float64'])(
    '%s strided input (a transposed view) and its gradient',
    (dtype) => {
      compare({ dtype, shape: [16, 5], k: 1, weight: true, bias: true }, (x) => x.t());
    },
  );

  it('a broadcast (expanded) input gets its gradient summed back', () => {
    compare({ dtype: 'float64', shape: [1, 8], k: 1, weight: true, bias: true }, (x) => x.expand([3, 8]));
  });

  it('an empty batch gives an empty result, and zero gradients for weight and bias', () => {
    const x = randn([0, 4]).requiresGrad_();
    const w = ones([4]).requiresGrad_();
    const b = ones([4]).requiresGrad_();
    const y = layerNorm(x, [4], w, b);
    expect(y.shape).toEqual([0, 4]);
    y.sum().backward();
    expect(w.grad).toBeAllClose([0, 0, 0, 0], { atol: 0 });
    expect(b.grad).toBeAllClose([0, 0, 0, 0], { atol: 0 });
  });

  it('int32 input is normalized as float32; under noGrad nothing is recorded', () => {
    const y = layerNorm(tensor([[1, 2, 3, 6]], { dtype: 'int32' }), [4]);
    expect(y.dtype).toBe('float32');
    const x = randn([2, 4]).requiresGrad_();
    expect(noGrad(() => layerNorm(x, 4)).requiresGrad).toBe(false);
  });

  it('bad shapes, dtypes and eps are clear errors naming the op and the shapes', () => {
    const x = randn([2, 3, 4]);
    expect(() => layerNorm(x, [3])).toThrow(ShapeError);
    expect(() => layerNorm(x, [3])).toThrow(
      "layerNorm: input's trailing dims must be [3] (got input [2,3,4])",
    );
    expect(() => layerNorm(x, [])).toThrow(/non-empty list of positive integers/);
    expect(() => layerNorm(x, [2, 3, 4, 5])).toThrow(ShapeError);
    expect(() => layerNorm(x, [4], ones([3]))).toThrow(
      'layerNorm: weight must have the normalized shape [4] (got [3])',
    );
    expect(() => layerNorm(x, [3, 4], null, ones([12]))).toThrow(
      /bias must have the normalized shape \[3,4\]/,
    );
    expect(() => layerNorm(x, [4], null, null, -1)).toThrow(TensorloomError);
    expect(() => layerNorm(tensor([[true, false]]), [2])).toThrow(DTypeError);
  });
});
