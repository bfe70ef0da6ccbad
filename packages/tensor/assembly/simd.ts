/** @file The one arithmetic primitive every kernel shares. */

/** acc + a·b: one fused op with relaxed SIMD (rounding once or twice is the engine's choice), else mul + add. */
export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
