/**
 * @file Adam's update in place, four float32 parameters at a time, bit for bit what the optimizer's scalar loop
 * computes (optim/src/kernels.ts). That loop spends ~5 ns per parameter on float64 arithmetic and roundings to
 * float32; here a float32 op does each rounded step (×, ÷ and √ of float32 values rounded once equal the float64
 * op rounded to float32), and the two multiply-adds that round once (m and v) run in f64x2 lanes, as the loop does.
 *
 *   m ← fr(fr(m·β₁) + (1 − β₁)·g)        v ← fr(fr(v·β₂) + fr(g·(1 − β₂))·g)
 *   θ ← fr(θ + fr(fr(m·(−stepSize)) / fr(fr(fr(√v) / √(1 − β₂ᵗ)) + ε)))
 */

/** x + y·z in float64 (y·z of float32 values is exact there), rounded once to float32, per lane. */
function fusedMulAdd(x: v128, y: v128, z: v128): v128 {
  const lo = f64x2.add(
    f64x2.promote_low_f32x4(x),
    f64x2.mul(f64x2.promote_low_f32x4(y), f64x2.promote_low_f32x4(z)),
  );
  const xh = f32x4.shuffle(x, x, 2, 3, 2, 3);
  const yh = f32x4.shuffle(y, y, 2, 3, 2, 3);
  const zh = f32x4.shuffle(z, z, 2, 3, 2, 3);
  const hi = f64x2.add(
    f64x2.promote_low_f32x4(xh),
    f64x2.mul(f64x2.promote_low_f32x4(yh), f64x2.promote_low_f32x4(zh)),
  );
  return f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The same for one element. */
function fusedMulAdd1(x: f32, y: f32, z: f32): f32 {
  return <f32>(<f64>x + <f64>y * <f64>z);
}

/**
 * Updates n float32 parameters at `param` (byte addresses, contiguous) from their gradients, with the moment
 * buffers expAvg and expAvgSq, in place. Scalars arrive rounded to float32, as the optimizer rounds them.
 */
export function adam(
  n: i32,
  param: usize,
  grad: usize,
  expAvg: usize,
  expAvgSq: usize,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  biasCorrection2Sqrt: f32,
  eps: f32,
  negStepSize: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const ob1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const ob2 = f32x4.splat(oneMinusBeta2);
  const bc2 = f32x4.splat(biasCorrection2Sqrt);
  const e = f32x4.splat(eps);
  const step = f32x4.splat(negStepSize);
  const vectorEnd = <usize>(n & ~3) * 4;
  for (let at: usize = 0; at < vectorEnd; at += 16) {
    const g = v128.load(grad + at);
    const m = fusedMulAdd(f32x4.mul(v128.load(expAvg + at), b1), ob1, g);
    const v = fusedMulAdd(f32x4.mul(v128.load(expAvgSq + at), b2), f32x4.mul(g, ob2), g);
    v128.store(expAvg + at, m);
    v128.store(expAvgSq + at, v);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), bc2), e);
    v128.store(param + at, f32x4.add(v128.load(param + at), f32x4.div(f32x4.mul(m, step), denom)));
  }
  for (let at = vectorEnd; at < <usize>n * 4; at += 4) {
    const g = load<f32>(grad + at);
    const m = fusedMulAdd1(load<f32>(expAvg + at) * beta1, oneMinusBeta1, g);
    const v = fusedMulAdd1(load<f32>(expAvgSq + at) * beta2, g * oneMinusBeta2, g);
    store<f32>(expAvg + at, m);
    store<f32>(expAvgSq + at, v);
    const denom = Mathf.sqrt(v) / biasCorrection2Sqrt + eps;
    store<f32>(param + at, load<f32>(param + at) + (m * negStepSize) / denom);
  }
}
