/** @file A linear layer's product, x·Wᵀ + b, on the portable matmul kernel. */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { batchedMatmul } from './batched-matmul.js';

/** The transpose of a matrix view, as a view (no copy). */
export const transposed = (m: StridedArray): StridedArray => ({
  data: m.data,
  shape: [m.shape[1], m.shape[0]],
  strides: [m.strides[1], m.strides[0]],
  offset: m.offset,
});

/** out [N, M] += bias [M] on every row. */
export function addBias(out: FloatArray, bias: StridedArray): void {
  const cols = bias.shape[0];
  const { data, offset } = bias;
  const step = bias.strides[0];
  for (let row = 0; row < out.length; row += cols) {
    for (let j = 0; j < cols; j++) out[row + j] += data[offset + j * step];
  }
}

/** The Backend's linear (see backend.ts). */
export function linear(
  x: StridedArray,
  weight: StridedArray,
  bias: StridedArray | null,
  out: FloatArray,
): void {
  batchedMatmul(x, transposed(weight), out);
  if (bias) addBias(out, bias);
}
