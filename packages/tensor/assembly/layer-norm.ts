/**
 * @file Layer normalisation of float32 rows, forward and backward, four columns at a time in f32x4 lanes.
 *
 * Rows: x and dy [N, D] with row strides in elements, columns contiguous; weight and bias [D] contiguous (address 0:
 * none); out and dx [N, D] and stats [N, 2] = (mean, 1/σ) contiguous. Row sums are taken in float64 (as rowSum
 * does), so the mean and variance of a row match the portable kernel's to float32 rounding; the per-column sums of
 * the weight and bias gradients are kept in float64 across rows.
 */

import { rowSum } from './elementwise';

/** Σ (x − mean)² over `cols` contiguous floats at p, the differences in float32, the sum in float64. */
function squaredDeviations(p: usize, cols: i32, mean: f32): f64 {
  const m = f32x4.splat(mean);
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4, p += 16) {
    const d = f32x4.sub(v128.load(p), m);
    const s = f32x4.mul(d, d);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(s));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(s, s, 2, 3, 2, 3)));
  }
  const both = f64x2.add(lo, hi);
  let total = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; c < cols; c++, p += 4) {
    const d = load<f32>(p) - mean;
    total += <f64>(d * d);
  }
  return total;
}

/** out = (x − mean)·rstd·weight + bias per row; stats (unless 0) receives each row's mean and rstd. */
export function layerNorm(
  rows: i32,
  cols: i32,
  x: usize,
  xRow: i32,
  weight: usize,
  bias: usize,
  eps: f64,
  out: usize,
  stats: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const p = x + <usize>(r * xRow) * 4;
    const o = out + <usize>(r * cols) * 4;
    const mean = <f32>(rowSum(p, cols) / cols);
    const rstd = <f32>(1 / Math.sqrt(squaredDeviations(p, cols, mean) / cols + eps));
    const m = f32x4.splat(mean);
    const s = f32x4.splat(rstd);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const at = <usize>c * 4;
      let y = f32x4.mul(f32x4.sub(v128.load(p + at), m), s);
      if (weight) y = f32x4.mul(y, v128.load(weight + at));
      if (bias) y = f32x4.add(y, v128.load(bias + at));
      v128.store(o + at, y);
    }
    for (; c < cols; c++) {
      const at = <usize>c * 4;
      let y = (load<f32>(p + at) - mean) * rstd;
      if (weight) y *= load<f32>(weight + at);
      if (bias) y += load<f32>(bias + at);
      store<f32>(o + at, y);
    }
    if (stats) {
      store<f32>(stats + <usize>r * 8, mean);
      store<f32>(stats + <usize>r * 8, rstd, 4);
    }
  }
}

/** Adds the float32 lanes of v to the four float64 sums at acc. */
function accumulate(acc: usize, v: v128): void {
  v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(v)));
  v128.store(
    acc,
    f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3))),
    16,
  );
}

/** The four lanes of v added in float64. */
function laneSum(lo: v128, hi: v128): f64 {
  const both = f64x2.add(lo, hi);
  return f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
}

/**
 * layerNorm's backward: with x̂ = (x − mean)·rstd and ĝ = dy·weight, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row;
 * dWeight = Σ_rows dy·x̂ and dBias = Σ_rows dy. dx, dWeight, dBias: 0 when not wanted. `acc` is working space for
 * 2·cols float64 sums (16-byte aligned, cols rounded up to a multiple of 4).
 */
export function layerNormBackward(
  rows: i32,
  cols: i32,
  dy: usize,
  dyRow: i32,
  x: usize,
  xRow: i32,
  weight: usize,
  stats: usize,
  dx: usize,
  dWeight: usize,
  dBias: usize,
  acc: usize,
): void {
  const padded = <usize>((cols + 3) & ~3);
  const weightAcc = acc;
  const biasAcc = acc + padded * 8;
  memory.fill(acc, 0, padded * 16);
  for (let r = 0; r < rows; r++) {
    const g = dy + <usize>(r * dyRow) * 4;
    const p = x + <usize>(r * xRow) * 4;
    const mean = load<f32>(stats + <usize>r * 8);
    const rstd = load<f32>(stats + <usize>r * 8, 4);
    const m = f32x4.splat(mean);
    const s = f32x4.splat(rstd);
    let gLo = f64x2.splat(0);
    let gHi = f64x2.splat(0);
    let gxLo = f64x2.splat(0);
    let gxHi = f64x2.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const at = <usize>c * 4;
      const grad = v128.load(g + at);
      const xHat = f32x4.mul(f32x4.sub(v128.load(p + at), m), s);
      const gHat = weight ? f32x4.mul(grad, v128.load(weight + at)) : grad;
      const gx = f32x4.mul(gHat, xHat);
      gLo = f64x2.add(gLo, f64x2.promote_low_f32x4(gHat));
      gHi = f64x2.add(gHi, f64x2.promote_low_f32x4(f32x4.shuffle(gHat, gHat, 2, 3, 2, 3)));
      gxLo = f64x2.add(gxLo, f64x2.promote_low_f32x4(gx));
      gxHi = f64x2.add(gxHi, f64x2.promote_low_f32x4(f32x4.shuffle(gx, gx, 2, 3, 2, 3)));
      if (dWeight) accumulate(weightAcc + at * 2, f32x4.mul(grad, xHat));
      if (dBias) accumulate(biasAcc + at * 2, grad);
    }
    let gSum = laneSum(gLo, gHi);
    let gxSum = laneSum(gxLo, gxHi);
    for (let t = c; t < cols; t++) {
      const at = <usize>t * 4;
      const grad = load<f32>(g + at);
      const xHat = (load<f32>(p + at) - mean) * rstd;
      const gHat = weight ? grad * load<f32>(weight + at) : grad;
      gSum += <f64>gHat;
      gxSum += <f64>(gHat * xHat);
      if (dWeight) f64.store(weightAcc + at * 2, f64.load(weightAcc + at * 2) + <f64>(grad * xHat));
      if (dBias) f64.store(biasAcc + at * 2, f64.load(biasAcc + at * 2) + <f64>grad);
    }
    if (!dx) continue;
    const gMean = <f32>(gSum / cols);
    const gxMean = <f32>(gxSum / cols);
    const gm = f32x4.splat(gMean);
    const gxm = f32x4.splat(gxMean);
    const o = dx + <usize>(r * cols) * 4;
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const at = <usize>c * 4;
      const grad = v128.load(g + at);
      const xHat = f32x4.mul(f32x4.sub(v128.load(p + at), m), s);
      const gHat = weight ? f32x4.mul(grad, v128.load(weight + at)) : grad;
      v128.store(o + at, f32x4.mul(s, f32x4.sub(f32x4.sub(gHat, gm), f32x4.mul(xHat, gxm))));
    }
    for (; c < cols; c++) {
      const at = <usize>c * 4;
      const grad = load<f32>(g + at);
      const xHat = (load<f32>(p + at) - mean) * rstd;
      const gHat = weight ? grad * load<f32>(weight + at) : grad;
      store<f32>(o + at, rstd * (gHat - gMean - xHat * gxMean));
    }
  }
  for (let c = 0; c < cols; c++) {
    const at = <usize>c * 4;
    if (dWeight) store<f32>(dWeight + at, <f32>f64.load(weightAcc + at * 2));
    if (dBias) store<f32>(dBias + at, <f32>f64.load(biasAcc + at * 2));
  }
}
