/** @file Index kernels: gather and its adjoint scatter-add, along one dim. */
import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { contiguousStrides } from '../../shape.js';
import type { StridedArray } from '../backend.js';
import { forEachRow } from './iterate.js';

/**
 * The walk both kernels share: the index's dims in row-major order, with x's (or dst's) strides for every dim but
 * `dim`, whose offset comes from the index value. Bounds are checked by the op layer. Each kernel runs its own
 * inner loop (a callback per element cost ≈ 10 ns, most of an embedding's forward and backward).
 */
function walkStrides(index: StridedArray, dim: number, xStrides: readonly number[]): number[][] {
  return [index.strides as number[], xStrides.map((s, d) => (d === dim ? 0 : s))];
}

/** out[p] = x at index position p with coordinate `dim` replaced by index[p]; out is contiguous. */
export function gather(x: StridedArray, dim: number, index: StridedArray, out: TypedArray): void {
  const data = x.data;
  const idx = index.data;
  const along = x.strides[dim];
  const rank = index.shape.length;
  if (rank === 0) {
    out[0] = data[x.offset + idx[index.offset] * along];
    return;
  }
  const strides = walkStrides(index, dim, x.strides);
  let p = 0;
  forEachRow(index.shape, strides, [index.offset, x.offset], (b, n) => {
    const si = strides[0][rank - 1];
    const sx = strides[1][rank - 1];
    let i = b[0];
    let o = b[1];
    let q = p;
    p += n;
    if (si === 0 && sx === 1) {
      // One index for the whole row (indexSelect, an embedding lookup): a contiguous row of x.
      const from = o + idx[i] * along;
      out.set(data.subarray(from, from + n), q);
      return;
    }
    for (let k = 0; k < n; k++, i += si, o += sx) out[q++] = data[o + idx[i] * along];
  });
}

/** dst (contiguous, dstShape) at index position p with coordinate `dim` replaced by index[p] += src[p]. */
export function scatterAdd(
  dst: TypedArray,
  dstShape: Shape,
  dim: number,
  index: StridedArray,
  src: StridedArray,
): void {
  const values = src.data;
  const idx = index.data;
  const dstStrides = contiguousStrides(dstShape);
  const along = dstStrides[dim];
  const rank = index.shape.length;
  if (rank === 0) {
    dst[idx[index.offset] * along] += values[src.offset];
    return;
  }
  const [indexStrides, dstWalk] = walkStrides(index, dim, dstStrides);
  const strides = [indexStrides, dstWalk, src.strides as number[]];
  const float32 = dst instanceof Float32Array && values instanceof Float32Array;
  forEachRow(index.shape, strides, [index.offset, 0, src.offset], (b, n) => {
    const si = strides[0][rank - 1];
    const sd = strides[1][rank - 1];
    const ss = strides[2][rank - 1];
    let i = b[0];
    let o = b[1];
    let s = b[2];
    if (si === 0) {
      // One index for the whole row (indexAdd, an embedding's gradient): one row of dst.
      const d = o + idx[i] * along;
      if (float32) addRowFloat32(dst as Float32Array, d, sd, values as Float32Array, s, ss, n);
      else for (let k = 0, at = d; k < n; k++, at += sd, s += ss) dst[at] += values[s];
      return;
    }
    for (let k = 0; k < n; k++, i += si, o += sd, s += ss) dst[o + idx[i] * along] += values[s];
  });
}

/**
 * dst[d + k·sd] += src[s + k·ss] for k < n, float32 only. A loop of its own, so that its element accesses see one
 * array type and stay monomorphic (in scatterAdd's loop they see every dtype: 16 ns per element against 1–2 here).
 */
function addRowFloat32(
  dst: Float32Array,
  d: number,
  sd: number,
  src: Float32Array,
  s: number,
  ss: number,
  n: number,
): void {
  for (let k = 0; k < n; k++, d += sd, s += ss) dst[d] += src[s];
}
