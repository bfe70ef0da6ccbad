/**
 * @file Elementwise kernels: copy/cast, unary, binary and where. Each op has its own inner loop (the switch sits
 * outside it) so V8 compiles one tight monomorphic loop per op.
 */
import type { TypedArray } from '../../dtype.js';
import type { BinaryOp, StridedArray, UnaryOp } from '../backend.js';
import { coalesce, forEachRow } from './iterate.js';
import { erf } from './math.js';

export function copy(src: StridedArray, dst: StridedArray): void {
  const { shape, strides } = coalesce(dst.shape, [dst.strides, src.strides]);
  const s = src.data;
  const d = dst.data;
  const toBool = d instanceof Uint8Array && !(s instanceof Uint8Array);
  forEachRow(shape, strides, [dst.offset, src.offset], (b, n) => {
    const sd = strides[0][shape.length - 1];
    const ss = strides[1][shape.length - 1];
    let o = b[0];
    let i = b[1];
    if (toBool) {
      for (let k = 0; k < n; k++, o += sd, i += ss) d[o] = s[i] !== 0 ? 1 : 0;
    } else if (sd === 1 && ss === 1) {
      d.set(s.subarray(i, i + n), o);
    } else if (sd === 1 && ss === 0) {
      d.fill(s[i], o, o + n); // a broadcast source (an expanded gradient): one value along the row
    } else {
      for (let k = 0; k < n; k++, o += sd, i += ss) d[o] = s[i];
    }
  });
}

export function unary(op: UnaryOp, x: StridedArray, out: TypedArray): void {
  const { shape, strides } = coalesce(x.shape, [x.strides]);
  const a = x.data;
  let o = 0;
  forEachRow(shape, strides, [x.offset], (b, n) => {
    const s = strides[0][shape.length - 1];
    let i = b[0];
    let p = o;
    const end = o + n;
    o = end; // the loops below use a local cursor: a captured `o` would live in a context slot
    switch (op) {
      case 'neg':
        for (; p < end; p++, i += s) out[p] = -a[i];
        break;
      case 'exp':
        for (; p < end; p++, i += s) out[p] = Math.exp(a[i]);
        break;
      case 'log':
        for (; p < end; p++, i += s) out[p] = Math.log(a[i]);
        break;
      case 'sqrt':
        for (; p < end; p++, i += s) out[p] = Math.sqrt(a[i]);
        break;
      case 'abs':
        for (; p < end; p++, i += s) out[p] = Math.abs(a[i]);
        break;
      case 'sin':
        for (; p < end; p++, i += s) out[p] = Math.sin(a[i]);
        break;
      case 'cos':
        for (; p < end; p++, i += s) out[p] = Math.cos(a[i]);
        break;
      case 'tanh':
        for (; p < end; p++, i += s) out[p] = Math.tanh(a[i]);
        break;
      case 'sigmoid':
        // Split by sign so exp never overflows.
        for (; p < end; p++, i += s) {
          const v = a[i];
          if (v >= 0) out[p] = 1 / (1 + Math.exp(-v));
          else {
            const e = Math.exp(v);
            out[p] = e / (1 + e);
          }
        }
        break;
      case 'relu':
        for (; p < end; p++, i += s) out[p] = a[i] > 0 || a[i] !== a[i] ? a[i] : 0; // NaN passes, as in PyTorch
        break;
      case 'erf':
        for (; p < end; p++, i += s) out[p] = erf(a[i]);
        break;
      case 'sign':
        for (; p < end; p++, i += s) out[p] = a[i] > 0 ? 1 : a[i] < 0 ? -1 : a[i];
        break;
      case 'logicalNot':
        for (; p < end; p++, i += s) out[p] = a[i] ? 0 : 1;
        break;
    }
  });
}

export function binary(op: BinaryOp, x: StridedArray, y: StridedArray, out: TypedArray): void {
  const { shape, strides } = coalesce(x.shape, [x.strides, y.strides]);
  const a = x.data;
  const c = y.data;
  let o = 0;
  forEachRow(shape, strides, [x.offset, y.offset], (b, n) => {
    const sa = strides[0][shape.length - 1];
    const sb = strides[1][shape.length - 1];
    let i = b[0];
    let j = b[1];
    let p = o;
    const end = o + n;
    o = end; // the loops below use a local cursor: a captured `o` would live in a context slot
    switch (op) {
      case 'add':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] + c[j];
        break;
      case 'sub':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] - c[j];
        break;
      case 'mul':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] * c[j];
        break;
      case 'div':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] / c[j];
        break;
      case 'pow':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] ** c[j];
        break;
      case 'maximum':
        // NaN propagates, as in PyTorch.
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] > c[j] || a[i] !== a[i] ? a[i] : c[j];
        break;
      case 'minimum':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] < c[j] || a[i] !== a[i] ? a[i] : c[j];
        break;
      case 'eq':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] === c[j] ? 1 : 0;
        break;
      case 'ne':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] !== c[j] ? 1 : 0;
        break;
      case 'lt':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] < c[j] ? 1 : 0;
        break;
      case 'le':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] <= c[j] ? 1 : 0;
        break;
      case 'gt':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] > c[j] ? 1 : 0;
        break;
      case 'ge':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] >= c[j] ? 1 : 0;
        break;
      case 'logicalAnd':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] && c[j] ? 1 : 0;
        break;
      case 'logicalOr':
        for (; p < end; p++, i += sa, j += sb) out[p] = a[i] || c[j] ? 1 : 0;
        break;
      case 'logicalXor':
        for (; p < end; p++, i += sa, j += sb) out[p] = !a[i] !== !c[j] ? 1 : 0;
        break;
      case 'reluBackward':
        for (; p < end; p++, i += sa, j += sb) out[p] = c[j] > 0 ? a[i] : 0;
        break;
    }
  });
}

export function where(cond: StridedArray, x: StridedArray, y: StridedArray, out: TypedArray): void {
  const { shape, strides } = coalesce(cond.shape, [cond.strides, x.strides, y.strides]);
  const m = cond.data;
  const a = x.data;
  const c = y.data;
  let o = 0;
  forEachRow(shape, strides, [cond.offset, x.offset, y.offset], (b, n) => {
    const last = shape.length - 1;
    const sm = strides[0][last];
    const sa = strides[1][last];
    const sb = strides[2][last];
    let h = b[0];
    let i = b[1];
    let j = b[2];
    let p = o;
    const end = o + n;
    o = end;
    for (; p < end; p++, h += sm, i += sa, j += sb) out[p] = m[h] ? a[i] : c[j];
  });
}
