/** @file Softmax and log-softmax along the last dim, fused into one kernel: three passes over each row. */
import type { StridedArray } from '../backend.js';
import { forEachRow } from './iterate.js';

/**
 * out = softmax or log-softmax of x over the last dim (both strided, same shape; out is written in place).
 * The row max is subtracted before exp, so large inputs do not overflow; the sum is accumulated in float64.
 */
export function softmax(x: StridedArray, out: StridedArray, log: boolean): void {
  const rank = x.shape.length;
  const length = rank === 0 ? 1 : x.shape[rank - 1];
  if (length === 0) return;
  const xStep = rank === 0 ? 0 : x.strides[rank - 1];
  const oStep = rank === 0 ? 0 : out.strides[rank - 1];
  // Walk the leading dims; each callback covers a run of rows along the last leading dim.
  const outer = rank <= 1 ? [1] : x.shape.slice(0, -1);
  const strides = rank <= 1 ? [[0], [0]] : [x.strides.slice(0, -1), out.strides.slice(0, -1)];
  const xRow = strides[0][strides[0].length - 1];
  const oRow = strides[1][strides[1].length - 1];
  const src = x.data;
  const dst = out.data;
  forEachRow(outer, strides, [x.offset, out.offset], ([xBase, oBase], rows) => {
    for (let r = 0; r < rows; r++, xBase += xRow, oBase += oRow) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0, i = xBase; k < length; k++, i += xStep) {
        const v = src[i];
        if (v > max || v !== v) max = v; // a NaN sticks, so the row becomes NaN
      }
      let total = 0;
      if (log) {
        for (let k = 0, i = xBase; k < length; k++, i += xStep) total += Math.exp(src[i] - max);
        const shift = max + Math.log(total);
        for (let k = 0, i = xBase, o = oBase; k < length; k++, i += xStep, o += oStep)
          dst[o] = src[i] - shift;
      } else {
        for (let k = 0, i = xBase, o = oBase; k < length; k++, i += xStep, o += oStep) {
          const e = Math.exp(src[i] - max);
          dst[o] = e;
          total += e;
        }
        const scale = 1 / total;
        for (let k = 0, o = oBase; k < length; k++, o += oStep) dst[o] *= scale;
      }
    }
  });
}

/**
 * The vector-Jacobian product of softmax or log-softmax over the last dim, in one pass per row: from y (the
 * forward's output) and the gradient g, out = y ⊙ (g − Σ g ⊙ y) for softmax and g − exp(y) ⊙ Σ g for log-softmax
 * (all three strided, same shape). The row sum is accumulated in float64.
 */
export function softmaxBackward(y: StridedArray, g: StridedArray, out: StridedArray, log: boolean): void {
  const rank = y.shape.length;
  const length = rank === 0 ? 1 : y.shape[rank - 1];
  if (length === 0) return;
  const step = (x: StridedArray) => (rank === 0 ? 0 : x.strides[rank - 1]);
  const yStep = step(y);
  const gStep = step(g);
  const oStep = step(out);
  const outer = rank <= 1 ? [1] : y.shape.slice(0, -1);
  const strides = rank <= 1 ? [[0], [0], [0]] : [y, g, out].map((x) => x.strides.slice(0, -1));
  const [yRow, gRow, oRow] = strides.map((s) => s[s.length - 1]);
  const ys = y.data;
  const gs = g.data;
  const dst = out.data;
  forEachRow(outer, strides, [y.offset, g.offset, out.offset], ([yBase, gBase, oBase], rows) => {
    for (let r = 0; r < rows; r++, yBase += yRow, gBase += gRow, oBase += oRow) {
      let total = 0;
      if (log) {
        for (let k = 0, j = gBase; k < length; k++, j += gStep) total += gs[j];
        for (let k = 0, i = yBase, j = gBase, o = oBase; k < length; k++, i += yStep, j += gStep, o += oStep)
          dst[o] = gs[j] - Math.exp(ys[i]) * total;
      } else {
        for (let k = 0, i = yBase, j = gBase; k < length; k++, i += yStep, j += gStep) total += gs[j] * ys[i];
        for (let k = 0, i = yBase, j = gBase, o = oBase; k < length; k++, i += yStep, j += gStep, o += oStep)
          dst[o] = ys[i] * (gs[j] - total);
      }
    }
  });
}
