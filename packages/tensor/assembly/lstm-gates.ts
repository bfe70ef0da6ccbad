/**
 * @file The LSTM cell's gate nonlinearities, four hidden units at a time in f32x4 lanes.
 *
 * The portable kernel spends ~60 ns per hidden unit in Math.exp and Math.tanh (three sigmoids and two tanh
 * each); profiled, that was a sixth of an LSTM layer's training step. Here exp is Cephes' expf (a degree-5
 * polynomial after range reduction, within 2 ulp of the correctly rounded float32) and tanh is Cephes' tanhf
 * (a polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above), both branch-free over the four lanes.
 *
 * Rows: gates [B, 4H] (blocks i, f, g, o) and cPrev [B, H] with the given row strides in elements, columns
 * contiguous; out [B, 2H] = [h | c] and saved [B, 5H] = σ(i), σ(f), tanh(g), σ(o), tanh(c) contiguous.
 */

const LOG2E: f32 = <f32>Math.LOG2E;
// ln 2 split in two, so that n·C1 is exact and the reduced argument keeps its low bits.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
// e^x is clamped to [e^lo, e^hi]: 2^n stays a normal float32 (n in [−126, 127]).
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.33654;

/** a·b + c, unfused (the same result with or without relaxed SIMD). */
function mulAdd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x per lane (Cephes expf): ∞ above the float32 range, 0 below it, NaN for NaN. */
function exp4(input: v128): v128 {
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
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23); // 2^n
  // Past the clamps, overflow and underflow as the exact function does (σ(−∞) must be 0, not 4·10⁻³⁹).
  const over = f32x4.gt(input, f32x4.splat(EXP_HI));
  const under = f32x4.lt(input, f32x4.splat(EXP_LO));
  const e = v128.bitselect(f32x4.splat(Infinity), f32x4.mul(y, scale), over);
  return v128.andnot(e, under);
}

/** 1 / (1 + e^−x) per lane. */
function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh x per lane (Cephes tanhf). */
function tanh4(x: v128): v128 {
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

/** The four units at byte offset `k` (a multiple of 16 into each block) of one row. */
function units(gRow: usize, cRow: usize, oRow: usize, sRow: usize, hb: usize, k: usize, save: bool): void {
  const i = sigmoid4(v128.load(gRow + k));
  const f = sigmoid4(v128.load(gRow + hb + k));
  const g = tanh4(v128.load(gRow + 2 * hb + k));
  const o = sigmoid4(v128.load(gRow + 3 * hb + k));
  const c = mulAdd(f, v128.load(cRow + k), f32x4.mul(i, g));
  const tc = tanh4(c);
  v128.store(oRow + k, f32x4.mul(o, tc));
  v128.store(oRow + hb + k, c);
  if (save) {
    v128.store(sRow + k, i);
    v128.store(sRow + hb + k, f);
    v128.store(sRow + 2 * hb + k, g);
    v128.store(sRow + 3 * hb + k, o);
    v128.store(sRow + 4 * hb + k, tc);
  }
}

/**
 * c = σ(f)·cPrev + σ(i)·tanh(g), h = σ(o)·tanh(c) for `batch` rows of `hidden` units; pointers are byte
 * addresses, gRow and cRow row strides in elements; saved = 0 keeps no activations. `hidden` must be a multiple
 * of 4 (the caller takes the portable kernel otherwise).
 */
export function lstmCellGates(
  batch: i32,
  hidden: i32,
  gates: usize,
  gRow: i32,
  cPrev: usize,
  cRow: i32,
  out: usize,
  saved: usize,
): void {
  const hb = <usize>hidden * 4;
  const save = saved !== 0;
  for (let b = 0; b < batch; b++) {
    const g = gates + <usize>(b * gRow) * 4;
    const c = cPrev + <usize>(b * cRow) * 4;
    const o = out + <usize>b * 2 * hb;
    const s = saved + <usize>b * 5 * hb;
    for (let k: usize = 0; k < hb; k += 16) units(g, c, o, s, hb, k, save);
  }
}
