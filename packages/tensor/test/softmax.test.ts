/**
 * @file Edge cases of the fused softmax/log-softmax kernels that the PyTorch fixtures do not reach, and their
 * one-kernel backward against the formula composed from elementwise ops and sums (each backend: the wasm
 * project takes the SIMD kernels for float32 rows of at least 256 elements).
 */
import { describe, expect, it } from 'vitest';
import {
  arange,
  type FloatDType,
  Generator,
  logSoftmax,
  noGrad,
  randn,
  softmax,
  type Tensor,
  tensor,
  zeros,
} from '../src/index.js';

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

/** The backward as the gradient rules composed it before the fused kernel. */
function composedBackward(log: boolean, y: Tensor, g: Tensor, dim: number): Tensor {
  return noGrad(() => (log ? g.sub(y.exp().mul(g.sum(dim, true))) : y.mul(g.sub(g.mul(y).sum(dim, true)))));
}

const backwardTolerance = { float32: { rtol: 1e-5, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-14 } };

/**
 * Backpropagates `gradient(shape)` (a cotangent of y's shape: contiguous, transposed or broadcast) through
 * softmax or log-softmax of a fresh x along `dim` and compares x.grad with the composed formula.
 */
function checkBackward(
  shape: number[],
  dim: number,
  dtype: FloatDType,
  gradient: (shape: number[], generator: Generator) => Tensor = (s, generator) =>
    randn(s, { dtype, generator }),
): void {
  const generator = new Generator(shape.reduce((a, d) => a * 31 + d, dim + 7));
  for (const log of [false, true]) {
    const x = randn(shape, { dtype, generator }).mul(4).requiresGrad_();
    const y = (log ? logSoftmax : softmax)(x, dim);
    const g = gradient(shape, generator).to(dtype);
    y.backward(g);
    expect(x.grad!.shape).toEqual(shape);
    expect(x.grad!).toBeAllClose(composedBackward(log, y.detach(), g, dim), backwardTolerance[dtype]);
  }
}

describe('softmax / logSoftmax backward (one kernel)', () => {
  it('matches the composed formula along every dim, float32 and float64, with rows of any length', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [shape, dims] of [
        [
          [7, 13],
          [0, 1],
        ],
        [
          [3, 5, 130],
          [0, 1, 2],
        ],
        [
          [2, 301],
          [1, -1],
        ],
        [[513], [0]],
        [[4, 1, 257], [2]],
      ] as [number[], number[]][]) {
        for (const dim of dims) checkBackward(shape, dim, dtype);
      }
    }
  });

  it('takes transposed and broadcast gradients', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      // A transposed cotangent: its rows along the softmax dim are strided.
      checkBackward([40, 33], 1, dtype, (s, generator) => randn([s[1], s[0]], { dtype, generator }).t());
      // A cotangent with stride-0 rows (one row broadcast over the batch), and one broadcast along the dim.
      checkBackward([16, 70], 1, dtype, (s, generator) => randn([1, s[1]], { dtype, generator }).expand(s));
      checkBackward([16, 70], 1, dtype, (s, generator) => randn([s[0], 1], { dtype, generator }).expand(s));
    }
  });

  it('gives a zero gradient for a constant cotangent (softmax sums to one) and a 0-d or empty input', () => {
    const x = randn([6, 300]).requiresGrad_();
    softmax(x, 1).backward(zeros([6, 300]).add(2.5));
    expect(x.grad!).toBeAllClose(zeros([6, 300]), { atol: 1e-6 });
    const scalar = tensor(1.5).requiresGrad_();
    logSoftmax(scalar, 0).backward(tensor(2));
    expect(scalar.grad!.item()).toBe(0); // g − exp(0)·g
    const empty = zeros([0, 5]).requiresGrad_();
    softmax(empty, 1).sum().backward();
    expect(empty.grad!.shape).toEqual([0, 5]);
  });
});
