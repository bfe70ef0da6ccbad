/**
 * @file Strided iteration for the portable kernels. Adjacent dims that every operand walks contiguously are
 * merged first, so a contiguous or simply broadcast operand turns into one or two long rows and the inner
 * loops stay tight.
 */
import type { Shape } from '../../shape.js';

export interface Coalesced {
  shape: number[];
  strides: number[][];
}

/** Merges dim i into dim i+1 when every operand's strides allow it; drops size-1 dims. */
export function coalesce(shape: Shape, strides: readonly (readonly number[])[]): Coalesced {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * size);
    if (mergeable) {
      outShape[last] *= size;
      strides.forEach((s, k) => {
        outStrides[k][last] = s[d];
      });
    } else {
      outShape.push(size);
      strides.forEach((s, k) => {
        outStrides[k].push(s[d]);
      });
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(bases, length)` once per innermost row of the coalesced iteration space, with each operand's
 * offset at the row's start. Row order is row-major, so a contiguous output advances by `length` per call.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (bases: number[], length: number) => void,
): void {
  const rank = shape.length;
  const length = shape[rank - 1];
  for (const d of shape) if (d === 0) return;
  const bases = [...offsets];
  if (rank === 1) {
    row(bases, length);
    return;
  }
  const counter = new Array<number>(rank - 1).fill(0);
  const operands = strides.length;
  for (;;) {
    row(bases, length);
    // Odometer increment over the outer dims.
    let d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]++;
      for (let k = 0; k < operands; k++) bases[k] += strides[k][d];
      if (counter[d] < shape[d]) break;
      for (let k = 0; k < operands; k++) bases[k] -= strides[k][d] * shape[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}
