/**
 * @file Gradient clipping's sum of squares over a float32 array (optim's clipGradNorm), in float64, four lanes at
 * a time (the scaling that follows is the elementwise kernels' multiply). The sum keeps the optimizer's scalar
 * loop's four partial sums (element i goes to sum i mod 4, the tail to sum 0) in memory across calls, so a caller
 * that feeds an array in chunks gets that loop's total bit for bit.
 */

/**
 * Adds the squares of n float32 values at `x` to the four float64 partial sums at `sums` (32 bytes, sum j for
 * elements j mod 4). Chunks before the last must have a length that is a multiple of 4.
 */
export function sumOfSquares(n: i32, x: usize, sums: usize): void {
  let low = v128.load(sums); // sums 0 and 1
  let high = v128.load(sums, 16); // sums 2 and 3
  const vectorEnd = <usize>(n & ~3) * 4;
  for (let at: usize = 0; at < vectorEnd; at += 16) {
    const v = v128.load(x + at);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
    low = f64x2.add(low, f64x2.mul(lo, lo));
    high = f64x2.add(high, f64x2.mul(hi, hi));
  }
  v128.store(sums, low);
  v128.store(sums, high, 16);
  let tail = load<f64>(sums);
  for (let at = vectorEnd; at < <usize>n * 4; at += 4) {
    const value = <f64>load<f32>(x + at);
    tail += value * value;
  }
  store<f64>(sums, tail);
}
