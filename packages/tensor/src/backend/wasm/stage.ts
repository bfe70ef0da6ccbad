/**
 * @file Copies a strided float32 operand into linear memory. Usually the whole span it touches is copied with
 * one `set` (a memcpy) and the view keeps its strides, so transposed or expanded views cost no more than a plain
 * copy; a sparse view (span much larger than its element count) is gathered into a contiguous block instead.
 */
import { contiguousStrides, sizeOf } from '../../shape.js';
import type { StridedArray } from '../backend.js';
import { copy } from '../js/elementwise.js';

export interface StagePlan {
  /** Index in the source data of the lowest element the view touches. */
  readonly first: number;
  /** Elements the staged copy occupies. */
  readonly length: number;
  /** Copy element by element into a contiguous block instead of copying the span. */
  readonly gather: boolean;
}

/** Spans over twice the element count (plus slack for small views) are gathered rather than copied whole. */
export function planStage(x: StridedArray): StagePlan {
  const count = sizeOf(x.shape);
  if (count === 0) return { first: x.offset, length: 0, gather: false };
  let first = x.offset;
  let last = x.offset;
  for (let d = 0; d < x.shape.length; d++) {
    const extent = (x.shape[d] - 1) * x.strides[d];
    if (extent < 0) first += extent;
    else last += extent;
  }
  const span = last - first + 1;
  const gather = span > 2 * count + 1024;
  return { first, length: gather ? count : span, gather };
}

/**
 * Copies x to heap[at…] as planned and returns the same view of the copy; `heap` is a view of linear memory of
 * x's element type, and `at` counts its elements.
 */
export function stage(
  x: StridedArray,
  plan: StagePlan,
  heap: Float32Array | Uint8Array,
  at: number,
): StridedArray {
  if (plan.gather) {
    const strides = contiguousStrides(x.shape);
    copy(x, { data: heap, shape: x.shape, strides, offset: at });
    return { data: heap, shape: x.shape, strides, offset: at };
  }
  heap.set((x.data as typeof heap).subarray(plan.first, plan.first + plan.length), at);
  return { data: heap, shape: x.shape, strides: x.strides, offset: at + x.offset - plan.first };
}
