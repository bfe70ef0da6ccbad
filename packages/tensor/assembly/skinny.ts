/**
 * @file Products with fewer than MR rows (a vector or a few rows times a matrix: batch-1 inference, decoding
 * steps), straight off the strided operands. Packing would copy all of B to use each element only m < 4 times
 * and the 4-row tile would compute mostly padding; here B is streamed once per row instead.
 *
 * Two layouts are covered, and matmul() sends any other to the packed path:
 * - B rows contiguous (bCol = 1, e.g. A·B): each row of C is a sum of B's rows scaled by A's elements (axpy),
 *   16 columns at a time in four accumulators.
 * - A rows and B columns contiguous (aCol = 1, bRow = 1, e.g. x·Wᵀ with W row-major, as a linear layer does):
 *   each element of C is a dot product, four columns at a time, reduced across lanes at the end.
 */
import { madd } from './simd';

/** C[m×n] = A·B for B with unit column stride; any A strides. Strides in elements, C's rows ldc apart. */
export function rowsTimesRows(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bRow: i32,
  c: usize,
  ldc: i32,
): void {
  const aStep = <usize>(aCol * 4);
  const bStep = <usize>(bRow * 4);
  for (let i = 0; i < m; i++) {
    const aRowStart = a + <usize>(i * aRow * 4);
    const cRow = c + <usize>(i * ldc * 4);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let c0 = f32x4.splat(0);
      let c1 = f32x4.splat(0);
      let c2 = f32x4.splat(0);
      let c3 = f32x4.splat(0);
      let ap = aRowStart;
      let bp = b + <usize>(j * 4);
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(ap);
        c0 = madd(c0, x, v128.load(bp));
        c1 = madd(c1, x, v128.load(bp, 16));
        c2 = madd(c2, x, v128.load(bp, 32));
        c3 = madd(c3, x, v128.load(bp, 48));
        ap += aStep;
        bp += bStep;
      }
      const cp = cRow + <usize>(j * 4);
      v128.store(cp, c0);
      v128.store(cp, c1, 16);
      v128.store(cp, c2, 32);
      v128.store(cp, c3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      let acc = f32x4.splat(0);
      let ap = aRowStart;
      let bp = b + <usize>(j * 4);
      for (let p = 0; p < k; p++) {
        acc = madd(acc, v128.load32_splat(ap), v128.load(bp));
        ap += aStep;
        bp += bStep;
      }
      v128.store(cRow + <usize>(j * 4), acc);
    }
    for (; j < n; j++) {
      let sum: f32 = 0;
      let ap = aRowStart;
      let bp = b + <usize>(j * 4);
      for (let p = 0; p < k; p++) {
        sum += load<f32>(ap) * load<f32>(bp);
        ap += aStep;
        bp += bStep;
      }
      store<f32>(cRow + <usize>(j * 4), sum);
    }
  }
}

/** C[m×n] = A·B for A rows and B columns contiguous (aCol = bRow = 1). Strides in elements, C's rows ldc apart. */
export function rowsDotColumns(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  aRow: i32,
  b: usize,
  bCol: i32,
  c: usize,
  ldc: i32,
): void {
  const bStride = <usize>(bCol * 4);
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const aRowStart = a + <usize>(i * aRow * 4);
    const cRow = c + <usize>(i * ldc * 4);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + <usize>j * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const offset = <usize>(p * 4);
        const x = v128.load(aRowStart + offset);
        s0 = madd(s0, x, v128.load(b0 + offset));
        s1 = madd(s1, x, v128.load(b1 + offset));
        s2 = madd(s2, x, v128.load(b2 + offset));
        s3 = madd(s3, x, v128.load(b3 + offset));
      }
      const cp = cRow + <usize>(j * 4);
      store<f32>(cp, laneSum(s0) + tailDot(aRowStart, b0, k4, k));
      store<f32>(cp, laneSum(s1) + tailDot(aRowStart, b1, k4, k), 4);
      store<f32>(cp, laneSum(s2) + tailDot(aRowStart, b2, k4, k), 8);
      store<f32>(cp, laneSum(s3) + tailDot(aRowStart, b3, k4, k), 12);
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * bStride;
      let s = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const offset = <usize>(p * 4);
        s = madd(s, v128.load(aRowStart + offset), v128.load(bj + offset));
      }
      store<f32>(cRow + <usize>(j * 4), laneSum(s) + tailDot(aRowStart, bj, k4, k));
    }
  }
}

function laneSum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** Σ x[p]·y[p] for p in [from, to): the steps a 4-wide loop leaves over. */
function tailDot(x: usize, y: usize, from: i32, to: i32): f32 {
  let sum: f32 = 0;
  for (let p = from; p < to; p++) sum += load<f32>(x + <usize>(p * 4)) * load<f32>(y + <usize>(p * 4));
  return sum;
}
