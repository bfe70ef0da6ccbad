/**
 * @file Float32 special functions four lanes at a time, branch-free: Cephes' expf (a degree-5 polynomial after
 * range reduction, within 2 ulp of the correctly rounded float32) and tanhf (a polynomial below 0.625,
 * 1 − 2/(e^{2|x|} + 1) above), and the sigmoid built on exp. Math.exp and Math.tanh cost ~10–20 ns per call
 * from JS; these cost about one nanosecond per lane. All are @inline: called (not inlined) from the LSTM gate
 * kernel's loop, the calls with their v128 arguments cost a third of it (a [32, 4·256] step: 110 → 73 µs inlined).
 * Biome cannot parse decorators on functions, so biome.json leaves this file out.
 */

const LOG2E: f32 = <f32>Math.LOG2E;
// ln 2 split in two, so that n·C1 is exact and the reduced argument keeps its low bits.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
// x is clamped to [lo, hi]: hi = ln(largest float32), so n ≤ 128; lo keeps n ≥ −126. 2^n is applied as two
// normal factors 2^(n >> 1) · 2^(n − (n >> 1)), since 2^128 itself is not a float32.
const EXP_HI: f32 = 88.72283905206835;
const EXP_LO: f32 = -87.33654;

/** a·b + c, unfused (the same result with or without relaxed SIMD). */
@inline
export function mulAdd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x per lane (Cephes expf): ∞ above the float32 range, 0 below it, NaN for NaN. */
@inline
export function exp4(input: v128): v128 {
  // pmax/pmin are single instructions (min/max spend several on NaN and −0); in this order a NaN stays NaN.
  const x = f32x4.pmin(f32x4.pmax(input, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const n = f32x4.floor(mulAdd(x, f32x4.splat(LOG2E), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.98756915e-4);
  p = mulAdd(p, r, f32x4.splat(1.3981999507e-3));
  p = mulAdd(p, r, f32x4.splat(8.3334519073e-3));
  p = mulAdd(p, r, f32x4.splat(4.1665795894e-2));
  p = mulAdd(p, r, f32x4.splat(1.6666665459e-1));
  p = mulAdd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(mulAdd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  const whole = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(whole, 1);
  const bias = i32x4.splat(127);
  const scaleLow = i32x4.shl(i32x4.add(half, bias), 23); // 2^(n >> 1)
  const scaleHigh = i32x4.shl(i32x4.add(i32x4.sub(whole, half), bias), 23); // 2^(n − (n >> 1))
  // Past the clamps, overflow and underflow as the exact function does (σ(−∞) must be 0, not 4·10⁻³⁹).
  const over = f32x4.gt(input, f32x4.splat(EXP_HI));
  const under = f32x4.lt(input, f32x4.splat(EXP_LO));
  const e = v128.bitselect(f32x4.splat(Infinity), f32x4.mul(f32x4.mul(y, scaleLow), scaleHigh), over);
  return v128.andnot(e, under);
}

/** 1 / (1 + e^−x) per lane. */
@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh x per lane (Cephes tanhf). */
@inline
export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  // |x| < 0.625: x + x·z·P(z), z = x².
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = mulAdd(p, z, f32x4.splat(2.06390887954e-2));
  p = mulAdd(p, z, f32x4.splat(-5.37397155531e-2));
  p = mulAdd(p, z, f32x4.splat(1.33314422036e-1));
  p = mulAdd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = mulAdd(f32x4.mul(p, z), x, x);
  // Otherwise 1 − 2/(e^{2|x|} + 1), with x's sign.
  const one = f32x4.splat(1);
  const two = f32x4.splat(2);
  const large = f32x4.sub(one, f32x4.div(two, f32x4.add(exp4(f32x4.add(a, a)), one)));
  const signed = v128.or(large, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}
