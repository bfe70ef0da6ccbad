/**
 * @file Softmax cross-entropy of float32 logit rows against class indices, forward and backward, four lanes at a
 * time: the loss per row from the logits directly, without the [N, C] log-probabilities, label smoothing and
 * its gradient included (src/ops/cross-entropy.ts has the formulas). A decoder's loss over a 4,162-word
 * vocabulary took five [N, C] kernels and as many [N, C] arrays each way composed from log-softmax, gather and
 * sums; here it is one pass to the loss and one to the gradient.
 *
 * Rows are `cols` contiguous floats `xRow` elements apart; targets are int32 in [0, cols) (the caller checks).
 * Sums are added in float64, as in the portable kernel.
 */

import { rowMax, rowSum } from './elementwise';
import { exp4 } from './vector-math';

/** Σ exp(x[c] − shift) over `cols` contiguous floats at p, added in float64. */
function rowExpSum(p: usize, cols: i32, shift: f32): f64 {
  const s = f32x4.splat(shift);
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let c = 0;
  // Four vectors per turn, as in the backward below.
  for (; c + 16 <= cols; c += 16, p += 64) {
    const e0 = exp4(f32x4.sub(v128.load(p), s));
    const e1 = exp4(f32x4.sub(v128.load(p, 16), s));
    const e2 = exp4(f32x4.sub(v128.load(p, 32), s));
    const e3 = exp4(f32x4.sub(v128.load(p, 48), s));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e0));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(e0, e0, 2, 3, 2, 3)));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e1));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(e1, e1, 2, 3, 2, 3)));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e2));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(e2, e2, 2, 3, 2, 3)));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e3));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(e3, e3, 2, 3, 2, 3)));
  }
  for (; c + 4 <= cols; c += 4, p += 16) {
    const e = exp4(f32x4.sub(v128.load(p), s));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(e, e, 2, 3, 2, 3)));
  }
  const both = f64x2.add(lo, hi);
  let total = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; c < cols; c++, p += 4) {
    total += <f64>f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p) - shift)), 0);
  }
  return total;
}

/**
 * loss[r] = (1 − ε)·(lse − x[r, t_r]) + ε·(lse − mean_c x[r, c]), lse = log Σ_c exp x[r, c], for each of `rows`
 * rows at x (row stride xRow elements), targets at `target` (int32); loss [rows] contiguous, and stats [rows, 2]
 * each row's max m and log Σ_c exp(x[r, c] − m). With ε = 0 the smoothing term is left out (a −∞ logit would
 * make it 0·∞).
 */
export function softmaxCrossEntropy(
  rows: i32,
  cols: i32,
  x: usize,
  xRow: i32,
  target: usize,
  smoothing: f64,
  loss: usize,
  stats: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const p = x + <usize>(r * xRow) * 4;
    // A row of −∞, or with a +∞ or NaN, comes out NaN, as its log-softmax does.
    const max = rowMax(p, cols);
    const logSum = Math.log(rowExpSum(p, cols, max));
    const lse = <f64>max + logSum;
    const picked = <f64>load<f32>(p + ((<usize>load<i32>(target + ((<usize>r) << 2))) << 2));
    let value = lse - picked;
    if (smoothing !== 0) value = (1 - smoothing) * value + smoothing * (lse - rowSum(p, cols) / cols);
    store<f32>(loss + ((<usize>r) << 2), <f32>value);
    store<f32>(stats + ((<usize>r) << 3), max);
    store<f32>(stats + ((<usize>r) << 3) + 4, <f32>logSum);
  }
}

/**
 * softmaxCrossEntropy's vector-Jacobian product: out[r, c] = g[r]·(exp(x[r, c] − m − log Σ) − ε/C − (1 − ε)·[c = t_r])
 * for the same rows, targets and saved stats, with g [rows] contiguous; out is contiguous [rows, cols].
 */
export function softmaxCrossEntropyBackward(
  rows: i32,
  cols: i32,
  x: usize,
  xRow: i32,
  target: usize,
  stats: usize,
  g: usize,
  smoothing: f64,
  out: usize,
): void {
  const spread = <f32>(smoothing / cols);
  const sv = f32x4.splat(spread);
  for (let r = 0; r < rows; r++) {
    const p = x + <usize>(r * xRow) * 4;
    const o = out + <usize>(r * cols) * 4;
    const max = f32x4.splat(load<f32>(stats + ((<usize>r) << 3)));
    const logSum = f32x4.splat(load<f32>(stats + ((<usize>r) << 3) + 4));
    const scale = load<f32>(g + ((<usize>r) << 2));
    const gv = f32x4.splat(scale);
    let c = 0;
    // Four vectors per turn: exp4 is one long chain of dependent steps; four independent ones overlap (4.25 → 3.06 ms
    // for [448, 4162]).
    for (; c + 16 <= cols; c += 16) {
      const at = <usize>c * 4;
      const e0 = exp4(f32x4.sub(f32x4.sub(v128.load(p + at), max), logSum));
      const e1 = exp4(f32x4.sub(f32x4.sub(v128.load(p + at + 16), max), logSum));
      const e2 = exp4(f32x4.sub(f32x4.sub(v128.load(p + at + 32), max), logSum));
      const e3 = exp4(f32x4.sub(f32x4.sub(v128.load(p + at + 48), max), logSum));
      v128.store(o + at, f32x4.mul(gv, f32x4.sub(e0, sv)));
      v128.store(o + at + 16, f32x4.mul(gv, f32x4.sub(e1, sv)));
      v128.store(o + at + 32, f32x4.mul(gv, f32x4.sub(e2, sv)));
      v128.store(o + at + 48, f32x4.mul(gv, f32x4.sub(e3, sv)));
    }
    for (; c + 4 <= cols; c += 4) {
      const at = <usize>c * 4;
      const e = exp4(f32x4.sub(f32x4.sub(v128.load(p + at), max), logSum));
      v128.store(o + at, f32x4.mul(gv, f32x4.sub(e, sv)));
    }
    for (; c < cols; c++) {
      const at = <usize>c * 4;
      const e = exp4(f32x4.sub(f32x4.sub(v128.load32_splat(p + at), max), logSum));
      f32.store(o + at, scale * (f32x4.extract_lane(e, 0) - spread));
    }
    const t = o + ((<usize>load<i32>(target + ((<usize>r) << 2))) << 2);
    f32.store(t, load<f32>(t) - scale * <f32>(1 - smoothing));
  }
}
