/** @file Index kernels: gather and its adjoint scatter-add, along one dim. */
import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { contiguousStrides } from '../../shape.js';
import type { StridedArray } from '../backend.js';
import { forEachRow } from './iterate.js';

/**
 * Walks every position p of `index` (row-major) and calls visit(p, xOffset) where xOffset addresses x at p with
 * coordinate `dim` replaced by index[p]. Bounds are checked by the op layer.
 */
function walk(
  index: StridedArray,
  dim: number,
  xStrides: readonly number[],
  xOffset: number,
  visit: (position: number, offset: number, srcOffset: number) => void,
  src?: StridedArray,
): void {
  const rank = index.shape.length;
  if (rank === 0) {
    visit(0, xOffset + index.data[index.offset] * xStrides[0], src ? src.offset : 0);
    return;
  }
  // Iterate index dims with x's strides for every dim except `dim`, which comes from the index value.
  const xWalk = xStrides.map((s, d) => (d === dim ? 0 : s));
  const strides = [index.strides, xWalk, src ? src.strides : xWalk];
  const idx = index.data;
  const along = xStrides[dim];
  let p = 0;
  forEachRow(index.shape, strides, [index.offset, xOffset, src ? src.offset : 0], (b, n) => {
    const si = strides[0][rank - 1];
    const sx = strides[1][rank - 1];
    const ss = strides[2][rank - 1];
    let i = b[0];
    let x = b[1];
    let s = b[2];
    for (let k = 0; k < n; k++, i += si, x += sx, s += ss) visit(p++, x + idx[i] * along, s);
  });
}

export function gather(x: StridedArray, dim: number, index: StridedArray, out: TypedArray): void {
  const data = x.data;
  walk(index, dim, x.strides, x.offset, (p, offset) => {
    out[p] = data[offset];
  });
}

export function scatterAdd(
  dst: TypedArray,
  dstShape: Shape,
  dim: number,
  index: StridedArray,
  src: StridedArray,
): void {
  const values = src.data;
  walk(
    index,
    dim,
    contiguousStrides(dstShape),
    0,
    (_p, offset, srcOffset) => {
      dst[offset] += values[srcOffset];
    },
    src,
  );
}
