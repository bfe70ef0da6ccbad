/**
 * @file Layer normalisation over the last dim of [N, D] rows, forward and backward, one pass set per row. Sums are
 * taken in float64; values are stored in the arrays' own type.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';

/** Element j of a [D] vector view, or `fallback` when there is none. */
const at = (v: StridedArray | null, j: number, fallback: number): number =>
  v ? v.data[v.offset + j * v.strides[0]] : fallback;

/**
 * out = (x − mean) · rstd · weight + bias per row of x [N, D] (columns contiguous, rows x.strides[0] apart), with
 * the biased variance and rstd = 1/√(var + eps); stats, when given, receives [mean, rstd] per row.
 */
export function layerNorm(
  x: StridedArray,
  weight: StridedArray | null,
  bias: StridedArray | null,
  eps: number,
  out: FloatArray,
  stats: FloatArray | null,
): void {
  const [rows, cols] = x.shape;
  const src = x.data;
  for (let r = 0; r < rows; r++) {
    const base = x.offset + r * x.strides[0];
    let total = 0;
    for (let j = 0; j < cols; j++) total += src[base + j];
    const mean = total / cols;
    let squares = 0;
    for (let j = 0; j < cols; j++) {
      const d = src[base + j] - mean;
      squares += d * d;
    }
    const rstd = 1 / Math.sqrt(squares / cols + eps);
    const o = r * cols;
    for (let j = 0; j < cols; j++) {
      out[o + j] = (src[base + j] - mean) * rstd * at(weight, j, 1) + at(bias, j, 0);
    }
    if (stats) {
      stats[2 * r] = mean;
      stats[2 * r + 1] = rstd;
    }
  }
}

/**
 * layerNorm's vector-Jacobian product from dy [N, D] (columns contiguous), the input x and the forward's stats:
 * with x̂ = (x − mean)·rstd and ĝ = dy·weight, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dWeight = Σ_rows dy·x̂,
 * dBias = Σ_rows dy. Each output is contiguous; a null one is not wanted.
 */
export function layerNormBackward(
  dy: StridedArray,
  x: StridedArray,
  weight: StridedArray | null,
  stats: FloatArray,
  dx: FloatArray | null,
  dWeight: FloatArray | null,
  dBias: FloatArray | null,
): void {
  const [rows, cols] = x.shape;
  const g = dy.data;
  const src = x.data;
  const weightSums = dWeight ? new Float64Array(cols) : null;
  const biasSums = dBias ? new Float64Array(cols) : null;
  for (let r = 0; r < rows; r++) {
    const xBase = x.offset + r * x.strides[0];
    const gBase = dy.offset + r * dy.strides[0];
    const mean = stats[2 * r];
    const rstd = stats[2 * r + 1];
    let gSum = 0;
    let gxSum = 0;
    for (let j = 0; j < cols; j++) {
      const grad = g[gBase + j];
      const xHat = (src[xBase + j] - mean) * rstd;
      const gHat = grad * at(weight, j, 1);
      gSum += gHat;
      gxSum += gHat * xHat;
      if (weightSums) weightSums[j] += grad * xHat;
      if (biasSums) biasSums[j] += grad;
    }
    if (!dx) continue;
    const gMean = gSum / cols;
    const gxMean = gxSum / cols;
    const o = r * cols;
    for (let j = 0; j < cols; j++) {
      const xHat = (src[xBase + j] - mean) * rstd;
      dx[o + j] = rstd * (g[gBase + j] * at(weight, j, 1) - gMean - xHat * gxMean);
    }
  }
  if (dWeight && weightSums) dWeight.set(weightSums);
  if (dBias && biasSums) dBias.set(biasSums);
}
