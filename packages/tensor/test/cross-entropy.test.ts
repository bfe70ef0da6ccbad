/**
 * @file softmaxCrossEntropy beyond the PyTorch fixtures: against the loss composed from log-softmax and gather on
 * a decoder-sized batch, special values, typed errors, and the wasm kernels against the portable ones (rows with
 * and without a tail of fewer than 4 floats, a row stride wider than the row).
 */
import { describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { loadKernels } from '../src/backend/wasm/loader.js';
import {
  DTypeError,
  Generator,
  gather,
  IndexError,
  logSoftmax,
  noGrad,
  randn,
  ShapeError,
  softmaxCrossEntropy,
  type Tensor,
  TensorloomError,
  tensor,
} from '../src/index.js';

const int32 = (values: number[]) => tensor(values, { dtype: 'int32' });

/** Class indices spread over [0, classes), deterministic. */
const spreadTargets = (rows: number, classes: number) =>
  int32(Array.from({ length: rows }, (_, i) => (i * 7919 + 13) % classes));

/** The per-row loss composed from ops, as the losses package computed it before the fused kernel. */
function composed(logits: Tensor, targets: Tensor, smoothing: number): Tensor {
  const [rows, classes] = logits.shape;
  const logProbs = logSoftmax(logits, 1);
  const nll = gather(logProbs, 1, targets.reshape([rows, 1]))
    .reshape([rows])
    .neg();
  return nll.mul(1 - smoothing).add(
    logProbs
      .sum(1)
      .neg()
      .mul(smoothing / classes),
  );
}

describe('softmaxCrossEntropy', () => {
  it.each([0, 0.1])(
    'matches the composed loss and its gradient on [70, 1031] logits (ε = %s)',
    (smoothing) => {
      const generator = new Generator(5);
      const values = randn([70, 1031], { generator }).mul(4);
      const targets = spreadTargets(70, 1031);
      const cotangent = randn([70], { generator });
      const fused = values.detach().requiresGrad_();
      const loss = softmaxCrossEntropy(fused, targets, smoothing);
      loss.mul(cotangent).sum().backward();
      const reference = values.detach().requiresGrad_();
      composed(reference, targets, smoothing).mul(cotangent).sum().backward();
      expect(loss).toBeAllClose(
        noGrad(() => composed(values, targets, smoothing)),
        { rtol: 1e-5, atol: 1e-5 },
      );
      expect(fused.grad!).toBeAllClose(reference.grad!, { rtol: 1e-5, atol: 1e-7 });
    },
  );

  it('keeps no graph under noGrad and for logits that need no gradient', () => {
    const logits = randn([3, 4], { requiresGrad: true });
    expect(noGrad(() => softmaxCrossEntropy(logits, int32([0, 1, 2]))).requiresGrad).toBe(false);
    expect(softmaxCrossEntropy(logits.detach(), int32([0, 1, 2])).requiresGrad).toBe(false);
  });

  it('a −∞ logit off the target costs nothing without smoothing and makes the smoothed loss +∞ (as PyTorch)', () => {
    const logits = tensor([[0, Number.NEGATIVE_INFINITY, 0]], { requiresGrad: true });
    const plain = softmaxCrossEntropy(logits, int32([0]));
    expect(plain.item()).toBeCloseTo(Math.LN2, 6);
    plain.sum().backward();
    expect(logits.grad!).toBeAllClose([[-0.5, 0, 0.5]]);
    expect(softmaxCrossEntropy(logits.detach(), int32([0]), 0.1).item()).toBe(Number.POSITIVE_INFINITY);
  });

  it('a NaN poisons only its own row', () => {
    const loss = softmaxCrossEntropy(
      tensor([
        [1, Number.NaN, 2],
        [1, 2, 3],
      ]),
      int32([0, 2]),
    ).toArray() as number[];
    expect(Number.isNaN(loss[0])).toBe(true);
    expect(Number.isFinite(loss[1])).toBe(true);
  });

  it('names the op and the shapes in its errors', () => {
    const logits = randn([3, 4]);
    expect(() => softmaxCrossEntropy(randn([2, 3, 4]), int32([0, 1]))).toThrow(ShapeError);
    expect(() => softmaxCrossEntropy(logits, tensor([0, 1, 2], { dtype: 'float32' }))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropy(logits, int32([0, 1]))).toThrow(
      /softmaxCrossEntropy: target must be \[N\] = \[3\] for logits \[3,4\] \(got \[2\]\)/,
    );
    expect(() => softmaxCrossEntropy(logits, int32([0, 4, 1]))).toThrow(IndexError);
    expect(() => softmaxCrossEntropy(logits, int32([0, 4, 1]))).toThrow(/target 4 at row 1 is out of range/);
    expect(() => softmaxCrossEntropy(logits, int32([0, 1, 2]), 1.5)).toThrow(TensorloomError);
  });
});

/** Deterministic values in [-8, 8). */
function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 16 - 8;
  });
}

/** Loss, stats and gradient of one backend's kernels. */
function kernels(backend: typeof jsBackend, x: StridedArray, target: Int32Array, smoothing: number) {
  const [rows, cols] = x.shape;
  const loss = new Float32Array(rows);
  const stats = new Float32Array(2 * rows);
  backend.softmaxCrossEntropy(x, target, smoothing, loss, stats);
  const g = values(rows, 99);
  const grad = new Float32Array(rows * cols);
  backend.softmaxCrossEntropyBackward(x, target, stats, g, smoothing, grad);
  return { loss, stats, grad };
}

describe.skipIf(loadKernels() === null)('wasm softmax cross-entropy kernels', () => {
  it.each([
    [5, 1],
    [4, 3],
    [7, 8],
    [3, 37],
    [16, 4162],
  ])('agree with the portable ones on [%i, %i] rows, with a row stride wider than the row', (rows, cols) => {
    const stride = cols + 5;
    const x: StridedArray = {
      data: values(rows * stride + 2, rows * cols),
      shape: [rows, cols],
      strides: [stride, 1],
      offset: 2,
    };
    const target = Int32Array.from({ length: rows }, (_, i) => (i * 31 + 7) % cols);
    for (const smoothing of [0, 0.1]) {
      const wasm = kernels(wasmBackend, x, target, smoothing);
      const portable = kernels(jsBackend, x, target, smoothing);
      expect(wasm.stats).toEqual(
        portable.stats.map((v, i) => (i % 2 === 0 ? v : wasm.stats[i])), // the maxima exactly
      );
      expect(Array.from(wasm.loss)).toBeAllClose(Array.from(portable.loss), { rtol: 1e-6, atol: 1e-6 });
      expect(Array.from(wasm.stats)).toBeAllClose(Array.from(portable.stats), { rtol: 1e-6, atol: 1e-6 });
      // The target's entry, g·(p − 1 + …), cancels when p ≈ 1: to within float32 rounding of g (|g| < 8).
      expect(Array.from(wasm.grad)).toBeAllClose(Array.from(portable.grad), { rtol: 1e-5, atol: 2e-6 });
    }
  });
});
