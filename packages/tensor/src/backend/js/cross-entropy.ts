/**
 * @file Softmax cross-entropy of logit rows against class indices, forward and backward in one pass each (the
 * formulas are in src/ops/cross-entropy.ts). x is a strided [N, C] view; row sums are added in float64.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';

/** The Backend's softmaxCrossEntropy (see backend.ts). */
export function softmaxCrossEntropy(
  x: StridedArray,
  target: Int32Array,
  labelSmoothing: number,
  loss: FloatArray,
  stats: FloatArray,
): void {
  const [rows, cols] = x.shape;
  const [rowStride, step] = x.strides;
  const src = x.data;
  for (let r = 0, base = x.offset; r < rows; r++, base += rowStride) {
    let max = Number.NEGATIVE_INFINITY;
    let total = 0;
    for (let c = 0, i = base; c < cols; c++, i += step) {
      const v = src[i];
      if (v > max || v !== v) max = v; // a NaN sticks, so the row's loss is NaN
      total += v;
    }
    let exps = 0;
    for (let c = 0, i = base; c < cols; c++, i += step) exps += Math.exp(src[i] - max);
    const logSum = Math.log(exps);
    const lse = max + logSum;
    let value = lse - src[base + target[r] * step];
    // With ε = 0 the mean is left out: a −∞ logit would make ε·(lse − mean) 0·∞.
    if (labelSmoothing !== 0) value = (1 - labelSmoothing) * value + labelSmoothing * (lse - total / cols);
    loss[r] = value;
    stats[2 * r] = max;
    stats[2 * r + 1] = logSum;
  }
}

/** The Backend's softmaxCrossEntropyBackward (see backend.ts). */
export function softmaxCrossEntropyBackward(
  x: StridedArray,
  target: Int32Array,
  stats: FloatArray,
  g: FloatArray,
  labelSmoothing: number,
  out: FloatArray,
): void {
  const [rows, cols] = x.shape;
  const [rowStride, step] = x.strides;
  const src = x.data;
  const spread = labelSmoothing / cols;
  for (let r = 0, base = x.offset, o = 0; r < rows; r++, base += rowStride, o += cols) {
    const scale = g[r];
    const max = stats[2 * r];
    const logSum = stats[2 * r + 1];
    for (let c = 0, i = base; c < cols; c++, i += step) {
      out[o + c] = scale * (Math.exp(src[i] - max - logSum) - spread);
    }
    out[o + target[r]] -= scale * (1 - labelSmoothing);
  }
}
