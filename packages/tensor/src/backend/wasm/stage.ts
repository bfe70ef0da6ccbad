/**
 * @file Copies strided operands into linear memory. Usually the whole span an operand touches is copied with one
 * `set` (a memcpy) and the view keeps its strides, so transposed or expanded views cost no more than a plain
 * copy; a sparse view (span much larger than its element count) is gathered into a contiguous block instead.
 * `place` lays out a kernel call's operands and result in the scratch region.
 */
import type { TypedArray } from '../../dtype.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import type { StridedArray } from '../backend.js';
import { copy } from '../js/elementwise.js';
import type { Kernels } from './loader.js';
import { reserveScratch, type Scratch } from './scratch.js';
import { CONTROL_BYTES } from './threads/control.js';

export interface StagePlan {
  /** Index in the source data of the lowest element the view touches. */
  readonly first: number;
  /** Elements the staged copy occupies. */
  readonly length: number;
  /** Copy element by element into a contiguous block instead of copying the span. */
  readonly gather: boolean;
}

/**
 * Spans over four times the element count (plus slack for small views) are gathered rather than copied whole. A
 * memcpy of the span is several times faster per element than the gather, which copies row by row in JavaScript:
 * the per-head views of attention's fused projection ([32, 4, 32, 64] of a [32, 32, 768] buffer, span three times
 * the count, 4,096 rows of 64) staged for Q·Kᵀ in 0.63 instead of 1.45 ms at a factor of 2; views of few long rows
 * (a [32, 32, 96] narrow of the same buffer, span eight times the count) cost about the same either way.
 */
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
  const gather = span > 4 * count + 1024;
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
  const staged = stagedView(x, plan, heap, at);
  if (plan.gather) copy(x, staged);
  else heap.set((x.data as typeof heap).subarray(plan.first, plan.first + plan.length), at);
  return staged;
}

/** The view of x that stage(x, plan, heap, at) returns, without copying anything yet. */
export function stagedView(
  x: StridedArray,
  plan: StagePlan,
  heap: Float32Array | Uint8Array,
  at: number,
): StridedArray {
  if (plan.gather) return { data: heap, shape: x.shape, strides: contiguousStrides(x.shape), offset: at };
  return { data: heap, shape: x.shape, strides: x.strides, offset: at + x.offset - plan.first };
}

/** Rounds a byte count up to a multiple of 16, so each staged operand starts aligned for v128 loads. */
const align16 = (bytes: number) => (bytes + 15) & ~15;

/** An operand in linear memory: its first element's byte address, bytes per element, strides (merged dims'). */
export interface Staged {
  at: number;
  size: number;
  strides: readonly number[];
}

export interface Placed {
  scratch: Scratch;
  operands: Staged[];
  /** Byte address of the contiguous result. */
  out: number;
  /** Byte address of `extraBytes` of working space. */
  extra: number;
}

/** Copies the views into linear memory and reserves the result; null if memory cannot grow. */
export function place(
  kernels: Kernels,
  views: readonly StridedArray[],
  outBytes: number,
  extraBytes = 0,
): Placed | null {
  const heapBase = kernels.exports.heapBase();
  let at = heapBase + (kernels.shared ? CONTROL_BYTES : 0);
  const plans = views.map((view) => {
    const plan = planStage(view);
    const start = at;
    at += align16(plan.length * view.data.BYTES_PER_ELEMENT);
    return { plan, start };
  });
  const out = at;
  at += align16(outBytes);
  const extra = at;
  const scratch = reserveScratch(kernels, at + extraBytes - heapBase);
  if (!scratch) return null;
  const operands = views.map((view, k): Staged => {
    const size = view.data.BYTES_PER_ELEMENT;
    const heap = size === 1 ? scratch.bytes : scratch.floats;
    const staged = stage(view, plans[k].plan, heap, plans[k].start / size);
    return { at: staged.offset * size, size, strides: staged.strides };
  });
  return { scratch, operands, out, extra };
}

/** Whether x is float32 with contiguous rows (its last dim's stride is 1): what the row kernels load as vectors. */
export const hasFloatRows = (x: StridedArray): boolean =>
  x.data instanceof Float32Array && x.strides[x.strides.length - 1] === 1;

/** A contiguous array seen as `shape`, to stage a kernel's own earlier output (saved activations, say). */
export const contiguousView = (data: TypedArray, shape: number[]): StridedArray => ({
  data,
  shape,
  strides: contiguousStrides(shape),
  offset: 0,
});

/** Writes int32 values (class targets, sequence lengths) at byte address `at` of the placed call. */
export function writeInts(placed: Placed, at: number, values: Int32Array): void {
  placed.scratch.words.set(values, at / 4);
}

/** Copies a float32 result out of linear memory: `into.length` values from byte address `at` of the placed call. */
export function readFloats(placed: Placed, at: number, into: TypedArray): void {
  into.set(placed.scratch.floats.subarray(at / 4, at / 4 + into.length));
}
