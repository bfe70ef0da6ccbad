/**
 * @file Elementwise float32 kernels four lanes at a time: unary and binary ops, comparisons (to bytes), where,
 * row and column sums, and softmax / log-softmax over rows.
 *
 * Operands are 2-D views: `rows` × `cols`, each with a row stride in elements and a column stride of 1
 * (contiguous) or 0 (one value broadcast along the row); the output is contiguous. The caller
 * (src/backend/wasm/elementwise.ts) merges a tensor's dims into that form and takes the portable kernels for
 * anything else. Every op rounds as the portable kernel does (+ − × ÷ √ of float32 values are correctly
 * rounded in either), except exp, tanh and the sigmoid, which use the vector polynomials (within 2 ulp), and
 * sums, which add in float64 in another order.
 *
 * Op codes match the caller's tables (UNARY_CODES, BINARY_CODES). Each exported entry branches once on the code
 * and runs a row loop compiled for that op, so the inner loops carry no dispatch.
 */

import { exp4, sigmoid4, tanh4 } from './vector-math';

/** Four consecutive floats at p, or the one at p in every lane. */
function load4(p: usize, broadcast: bool): v128 {
  return broadcast ? v128.load32_splat(p) : v128.load(p);
}

/** A NaN lane stays NaN (as in PyTorch and the portable kernel). */
function isNaN4(x: v128): v128 {
  return f32x4.ne(x, x);
}

// Each op is a class whose `apply` the generic row loops call: AssemblyScript compiles one loop per op, with
// the op inlined (the instance is never allocated: its methods do not touch `this`).

class Neg {
  apply(x: v128): v128 {
    return f32x4.neg(x);
  }
}
class Abs {
  apply(x: v128): v128 {
    return f32x4.abs(x);
  }
}
class Sqrt {
  apply(x: v128): v128 {
    return f32x4.sqrt(x);
  }
}
class Relu {
  apply(x: v128): v128 {
    return v128.and(x, v128.or(f32x4.gt(x, f32x4.splat(0)), isNaN4(x)));
  }
}
class Exp {
  apply(x: v128): v128 {
    return exp4(x);
  }
}
class Tanh {
  apply(x: v128): v128 {
    return tanh4(x);
  }
}
class Sigmoid {
  apply(x: v128): v128 {
    return sigmoid4(x);
  }
}

class Add {
  apply(a: v128, b: v128): v128 {
    return f32x4.add(a, b);
  }
}
class Sub {
  apply(a: v128, b: v128): v128 {
    return f32x4.sub(a, b);
  }
}
class Mul {
  apply(a: v128, b: v128): v128 {
    return f32x4.mul(a, b);
  }
}
class Div {
  apply(a: v128, b: v128): v128 {
    return f32x4.div(a, b);
  }
}
/** Picks as `a > b || a ≠ a ? a : b` does (so −0 and +0 keep their order, and a NaN wins). */
class Maximum {
  apply(a: v128, b: v128): v128 {
    return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), isNaN4(a)));
  }
}
class Minimum {
  apply(a: v128, b: v128): v128 {
    return v128.bitselect(a, b, v128.or(f32x4.lt(a, b), isNaN4(a)));
  }
}

// Comparisons give lane masks (all ones or zero).
class Eq {
  apply(a: v128, b: v128): v128 {
    return f32x4.eq(a, b);
  }
}
class Ne {
  apply(a: v128, b: v128): v128 {
    return f32x4.ne(a, b);
  }
}
class Lt {
  apply(a: v128, b: v128): v128 {
    return f32x4.lt(a, b);
  }
}
class Le {
  apply(a: v128, b: v128): v128 {
    return f32x4.le(a, b);
  }
}
class Gt {
  apply(a: v128, b: v128): v128 {
    return f32x4.gt(a, b);
  }
}
class Ge {
  apply(a: v128, b: v128): v128 {
    return f32x4.ge(a, b);
  }
}
/** relu's gradient: g where x > 0, else +0 (a NaN x, like x ≤ 0, passes nothing). */
class ReluBackward {
  apply(g: v128, x: v128): v128 {
    return v128.and(g, f32x4.gt(x, f32x4.splat(0)));
  }
}

/** The op instance the row loops are specialised on (never dereferenced). */
function tag<O>(): O {
  return changetype<O>(0);
}

/** Four lane masks → four bytes 0/1 in the low 32 bits. */
function maskToBytes(mask: v128): v128 {
  const ones = v128.and(mask, i32x4.splat(1));
  const halves = i16x8.narrow_i32x4_u(ones, ones);
  return i8x16.narrow_i16x8_u(halves, halves);
}

/** Four bytes (or one, broadcast) → lane masks: all ones where the byte is nonzero. */
function bytesToMask(p: usize, broadcast: bool): v128 {
  const words = broadcast
    ? i32x4.splat(<i32>load<u8>(p))
    : i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
  return v128.not(i32x4.eq(words, i32x4.splat(0)));
}

function unaryRows<O>(op: O, rows: i32, cols: i32, x: usize, xRow: i32, xCol: i32, out: usize): void {
  const bx = xCol === 0;
  const stepX: usize = bx ? 0 : 16;
  const tailX: usize = bx ? 0 : 4;
  let o = out;
  for (let r = 0; r < rows; r++) {
    let p = x + <usize>(r * xRow) * 4;
    let c = 0;
    for (; c + 4 <= cols; c += 4, p += stepX, o += 16) v128.store(o, op.apply(load4(p, bx)));
    for (; c < cols; c++, p += tailX, o += 4)
      f32.store(o, f32x4.extract_lane(op.apply(v128.load32_splat(p)), 0));
  }
}

/** out = op(x), op 0–6: neg, abs, sqrt, relu, exp, tanh, sigmoid; out contiguous. */
export function unary(op: i32, rows: i32, cols: i32, x: usize, xRow: i32, xCol: i32, out: usize): void {
  if (op === 0) unaryRows(tag<Neg>(), rows, cols, x, xRow, xCol, out);
  else if (op === 1) unaryRows(tag<Abs>(), rows, cols, x, xRow, xCol, out);
  else if (op === 2) unaryRows(tag<Sqrt>(), rows, cols, x, xRow, xCol, out);
  else if (op === 3) unaryRows(tag<Relu>(), rows, cols, x, xRow, xCol, out);
  else if (op === 4) unaryRows(tag<Exp>(), rows, cols, x, xRow, xCol, out);
  else if (op === 5) unaryRows(tag<Tanh>(), rows, cols, x, xRow, xCol, out);
  else unaryRows(tag<Sigmoid>(), rows, cols, x, xRow, xCol, out);
}

/** Where a binary row loop writes: float32 results, four at a time or one. */
class FloatsOut {
  bytes(): usize {
    return 4;
  }
  put4(o: usize, v: v128): void {
    v128.store(o, v);
  }
  put1(o: usize, v: v128): void {
    f32.store(o, f32x4.extract_lane(v, 0));
  }
}

/** Comparison masks written as bytes 0/1. */
class BytesOut {
  bytes(): usize {
    return 1;
  }
  put4(o: usize, v: v128): void {
    v128.store32_lane(o, maskToBytes(v), 0);
  }
  put1(o: usize, v: v128): void {
    store<u8>(o, <u8>(i32x4.extract_lane(v, 0) & 1));
  }
}

function binaryRows<O, W>(
  op: O,
  writer: W,
  rows: i32,
  cols: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bRow: i32,
  bCol: i32,
  out: usize,
): void {
  const ba = aCol === 0;
  const bb = bCol === 0;
  const stepA: usize = ba ? 0 : 16;
  const stepB: usize = bb ? 0 : 16;
  const size = writer.bytes();
  let o = out;
  for (let r = 0; r < rows; r++) {
    let p = a + <usize>(r * aRow) * 4;
    let q = b + <usize>(r * bRow) * 4;
    let c = 0;
    for (; c + 4 <= cols; c += 4, p += stepA, q += stepB, o += 4 * size) {
      writer.put4(o, op.apply(load4(p, ba), load4(q, bb)));
    }
    for (; c < cols; c++, p += stepA >> 2, q += stepB >> 2, o += size) {
      writer.put1(o, op.apply(v128.load32_splat(p), v128.load32_splat(q)));
    }
  }
}

/**
 * out = op(a, b), op 0–12: add, sub, mul, div, maximum, minimum (float32 out), eq, ne, lt, le, gt, ge (bytes),
 * reluBackward (float32 out: a where b > 0, else 0).
 */
export function binary(
  op: i32,
  rows: i32,
  cols: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bRow: i32,
  bCol: i32,
  out: usize,
): void {
  if (op === 0) binaryRows(tag<Add>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 1) binaryRows(tag<Sub>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 2) binaryRows(tag<Mul>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 3) binaryRows(tag<Div>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 4)
    binaryRows(tag<Maximum>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 5)
    binaryRows(tag<Minimum>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 6) binaryRows(tag<Eq>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 7) binaryRows(tag<Ne>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 8) binaryRows(tag<Lt>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 9) binaryRows(tag<Le>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 10) binaryRows(tag<Gt>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else if (op === 11) binaryRows(tag<Ge>(), tag<BytesOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
  else binaryRows(tag<ReluBackward>(), tag<FloatsOut>(), rows, cols, a, aRow, aCol, b, bRow, bCol, out);
}

/** out = cond ? a : b, cond bytes (nonzero = true), a and b float32; out contiguous. */
export function where(
  rows: i32,
  cols: i32,
  cond: usize,
  cRow: i32,
  cCol: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bRow: i32,
  bCol: i32,
  out: usize,
): void {
  const bc = cCol === 0;
  const ba = aCol === 0;
  const bb = bCol === 0;
  const stepC: usize = bc ? 0 : 4;
  const stepA: usize = ba ? 0 : 16;
  const stepB: usize = bb ? 0 : 16;
  let o = out;
  for (let r = 0; r < rows; r++) {
    let m = cond + <usize>(r * cRow);
    let p = a + <usize>(r * aRow) * 4;
    let q = b + <usize>(r * bRow) * 4;
    let c = 0;
    for (; c + 4 <= cols; c += 4, m += stepC, p += stepA, q += stepB, o += 16) {
      v128.store(o, v128.bitselect(load4(p, ba), load4(q, bb), bytesToMask(m, bc)));
    }
    for (; c < cols; c++, m += stepC >> 2, p += stepA >> 2, q += stepB >> 2, o += 4) {
      f32.store(o, load<u8>(m) !== 0 ? load<f32>(p) : load<f32>(q));
    }
  }
}

/** Σ of `cols` contiguous floats at p, in float64. */
export function rowSum(p: usize, cols: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4, p += 16) {
    const v = v128.load(p);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
  }
  const both = f64x2.add(lo, hi);
  let total = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; c < cols; c++, p += 4) total += <f64>load<f32>(p);
  return total;
}

/** out[r] = Σ_c x[r, c] for contiguous rows `xRow` elements apart; added in float64, stored as float32. */
export function sumRows(rows: i32, cols: i32, x: usize, xRow: i32, out: usize): void {
  for (let r = 0; r < rows; r++) f32.store(out + <usize>r * 4, <f32>rowSum(x + <usize>(r * xRow) * 4, cols));
}

/**
 * out[c] = Σ_r x[r, c] (a bias gradient: [N, D] summed over N) for contiguous rows `xRow` elements apart,
 * accumulated in `acc` (cols float64 slots, 16-byte aligned), stored as float32.
 */
export function sumColumns(rows: i32, cols: i32, x: usize, xRow: i32, out: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>cols * 8);
  for (let r = 0; r < rows; r++) {
    let p = x + <usize>(r * xRow) * 4;
    let s = acc;
    let c = 0;
    for (; c + 4 <= cols; c += 4, p += 16, s += 32) {
      const v = v128.load(p);
      v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(v)));
      v128.store(
        s + 16,
        f64x2.add(v128.load(s + 16), f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3))),
      );
    }
    for (; c < cols; c++, p += 4, s += 8) f64.store(s, f64.load(s) + <f64>load<f32>(p));
  }
  for (let c = 0; c < cols; c++) f32.store(out + <usize>c * 4, <f32>f64.load(acc + <usize>c * 8));
}

/** The largest of `cols` contiguous floats at p; NaN if any is NaN. */
export function rowMax(p: usize, cols: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let c = 0;
  for (; c + 4 <= cols; c += 4, p += 16) m = f32x4.max(m, v128.load(p));
  let best = f32x4.extract_lane(m, 0);
  best = Mathf.max(best, f32x4.extract_lane(m, 1));
  best = Mathf.max(best, f32x4.extract_lane(m, 2));
  best = Mathf.max(best, f32x4.extract_lane(m, 3));
  for (; c < cols; c++, p += 4) best = Mathf.max(best, load<f32>(p));
  return best;
}

/**
 * Softmax (or log-softmax when `log`) of each of `rows` contiguous rows `xRow` elements apart, into contiguous
 * out. The row max is subtracted before exp; the sum is added in float64, and log-softmax's x − max − log Σ is
 * computed in float64 too, as the portable kernel does.
 */
export function softmax(rows: i32, cols: i32, x: usize, xRow: i32, out: usize, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const p = x + <usize>(r * xRow) * 4;
    const o = out + <usize>(r * cols) * 4;
    const max = rowMax(p, cols);
    const shift = f32x4.splat(max);
    // e = exp(x − max) into out, summed. Four vectors per turn where the row allows: exp4 is a long chain of
    // dependent steps, and independent ones overlap (as in cross-entropy.ts).
    let c = 0;
    for (; c + 16 <= cols; c += 16) {
      const at = <usize>c * 4;
      const e0 = exp4(f32x4.sub(v128.load(p + at), shift));
      const e1 = exp4(f32x4.sub(v128.load(p + at + 16), shift));
      const e2 = exp4(f32x4.sub(v128.load(p + at + 32), shift));
      const e3 = exp4(f32x4.sub(v128.load(p + at + 48), shift));
      v128.store(o + at, e0);
      v128.store(o + at + 16, e1);
      v128.store(o + at + 32, e2);
      v128.store(o + at + 48, e3);
    }
    for (; c + 4 <= cols; c += 4) {
      const at = <usize>c * 4;
      v128.store(o + at, exp4(f32x4.sub(v128.load(p + at), shift)));
    }
    for (; c < cols; c++) {
      const at = <usize>c * 4;
      f32.store(o + at, f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p + at) - max)), 0));
    }
    const total = rowSum(o, cols);
    if (log) {
      const logShift = <f64>max + Math.log(total);
      const s = f64x2.splat(logShift);
      c = 0;
      for (; c + 4 <= cols; c += 4) {
        const at = <usize>c * 4;
        const v = v128.load(p + at);
        const lo = f64x2.sub(f64x2.promote_low_f32x4(v), s);
        const hi = f64x2.sub(f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)), s);
        v128.store(
          o + at,
          f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5),
        );
      }
      for (; c < cols; c++) {
        const at = <usize>c * 4;
        f32.store(o + at, <f32>(<f64>load<f32>(p + at) - logShift));
      }
    } else {
      const scale = f32x4.splat(<f32>(1 / total));
      c = 0;
      for (; c + 4 <= cols; c += 4) {
        const at = <usize>c * 4;
        v128.store(o + at, f32x4.mul(v128.load(o + at), scale));
      }
      const s = <f32>(1 / total);
      for (; c < cols; c++) {
        const at = <usize>c * 4;
        f32.store(o + at, load<f32>(o + at) * s);
      }
    }
  }
}

/** Σ a[c]·b[c] of `cols` contiguous floats at a and b, each product and the sum in float64. */
function rowDot(a: usize, b: usize, cols: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4, a += 16, b += 16) {
    const u = v128.load(a);
    const v = v128.load(b);
    lo = f64x2.add(lo, f64x2.mul(f64x2.promote_low_f32x4(u), f64x2.promote_low_f32x4(v)));
    hi = f64x2.add(
      hi,
      f64x2.mul(
        f64x2.promote_low_f32x4(f32x4.shuffle(u, u, 2, 3, 2, 3)),
        f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)),
      ),
    );
  }
  const both = f64x2.add(lo, hi);
  let total = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  for (; c < cols; c++, a += 4, b += 4) total += <f64>load<f32>(a) * <f64>load<f32>(b);
  return total;
}

/**
 * softmax's vector-Jacobian product for `rows` contiguous rows of its output y and the gradient g (row strides
 * `yRow`, `gRow` in elements) into contiguous out: y ⊙ (g − Σ g ⊙ y), or g − exp(y) ⊙ Σ g when `log`. One
 * pass for the row's sum (in float64) and one for the result, where the composed ops made five.
 */
export function softmaxBackward(
  rows: i32,
  cols: i32,
  y: usize,
  yRow: i32,
  g: usize,
  gRow: i32,
  out: usize,
  log: bool,
): void {
  for (let r = 0; r < rows; r++) {
    const p = y + <usize>(r * yRow) * 4;
    const q = g + <usize>(r * gRow) * 4;
    const o = out + <usize>(r * cols) * 4;
    const total = <f32>(log ? rowSum(q, cols) : rowDot(p, q, cols));
    const t = f32x4.splat(total);
    let c = 0;
    if (log) {
      for (; c + 4 <= cols; c += 4) {
        const at = <usize>c * 4;
        v128.store(o + at, f32x4.sub(v128.load(q + at), f32x4.mul(exp4(v128.load(p + at)), t)));
      }
      for (; c < cols; c++) {
        const at = <usize>c * 4;
        const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p + at))), 0);
        f32.store(o + at, load<f32>(q + at) - e * total);
      }
    } else {
      for (; c + 4 <= cols; c += 4) {
        const at = <usize>c * 4;
        v128.store(o + at, f32x4.mul(v128.load(p + at), f32x4.sub(v128.load(q + at), t)));
      }
      for (; c < cols; c++) {
        const at = <usize>c * 4;
        f32.store(o + at, load<f32>(p + at) * (load<f32>(q + at) - total));
      }
    }
  }
}
