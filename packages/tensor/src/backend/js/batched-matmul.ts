/** @file Loops the matrix kernel over (possibly strided, possibly broadcast) batch dims. */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { forEachRow } from './iterate.js';
import { matmulKernel } from './matmul.js';

export function batchedMatmul(a: StridedArray, b: StridedArray, out: FloatArray): void {
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const k = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  const matrix = (x: StridedArray, offset: number) => ({
    data: x.data as FloatArray,
    offset,
    rowStride: x.strides[rank - 2],
    colStride: x.strides[rank - 1],
  });
  if (rank === 2) {
    matmulKernel(m, n, k, matrix(a, a.offset), matrix(b, b.offset), out, 0);
    return;
  }
  // Iterate the batch dims as rows of length 1 over a trailing unit dim, so forEachRow's odometer does the work.
  const batchShape = [...a.shape.slice(0, rank - 2), 1];
  const strides = [
    [...a.strides.slice(0, rank - 2), 0],
    [...b.strides.slice(0, rank - 2), 0],
  ];
  let outOffset = 0;
  forEachRow(batchShape, strides, [a.offset, b.offset], (bases) => {
    matmulKernel(m, n, k, matrix(a, bases[0]), matrix(b, bases[1]), out, outOffset);
    outOffset += m * n;
  });
}
