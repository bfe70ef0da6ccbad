/**
 * @file Shape ops. reshape/view, permute, transpose, expand, slicing and squeeze are views: they share storage
 * and only change shape, strides and offset. A copy happens only where strides cannot express the result.
 */

import { isGradEnabled } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import type { StridedArray } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, isFloating, type TypedArray } from '../dtype.js';
import { AutogradError, IndexError, ShapeError } from '../errors.js';
import {
  contiguousStrides,
  formatShape,
  inferShape,
  isContiguous,
  normalizeDim,
  normalizeDims,
  sameShape,
  sizeOf,
} from '../shape.js';
import { allocateForOverwrite } from '../storage.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asTensor, empty, emptyForOverwrite } from './util.js';

/** The elements as a new contiguous typed array. */
export function contiguousData(t: Tensor): TypedArray {
  if (isContiguous(t.shape, t.strides)) return t.data.slice(t.offset, t.offset + t.size);
  const out = allocateForOverwrite(t.dtype, t.size);
  getBackend().copy(t, { data: out, shape: t.shape, strides: contiguousStrides(t.shape), offset: 0 });
  return out;
}

function copyOf(t: Tensor, dtype: DType): Tensor {
  const out = emptyForOverwrite(t.shape, dtype);
  getBackend().copy(t, out);
  return out;
}

/** This tensor if it is contiguous, else a contiguous copy. */
export function contiguous(t: Tensor): Tensor {
  if (isContiguous(t.shape, t.strides)) return t;
  return record('contiguous', copyOf(t, t.dtype), [t], null);
}

/** A copy with its own storage; gradients flow through it. */
export function clone(t: Tensor): Tensor {
  return record('contiguous', copyOf(t, t.dtype), [t], null);
}

/** Converts to `dtype` (no copy if it already has it). Gradients flow between floating dtypes only. */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = copyOf(t, dtype);
  return isFloating(dtype) ? record('cast', out, [t], { dtype }) : out;
}

function makeView(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.data, shape, strides, offset);
}

/**
 * Strides that let `newShape` view storage laid out as (oldShape, oldStrides), or null if no such strides
 * exist (the algorithm of PyTorch's computeStride: split or merge only dims that are contiguous together).
 */
function viewStrides(
  oldShape: readonly number[],
  oldStrides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  if (oldShape.length === 0) return newShape.map(() => 1);
  if (sizeOf(oldShape) === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD];
    if (
      tensorD === 0 ||
      (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)
    ) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

/** The same elements in a new shape (one dim may be -1): a view when strides allow, else a copy. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('reshape', t.shape, shape);
  if (sameShape(target, t.shape)) return t;
  const strides = viewStrides(t.shape, t.strides, target);
  const source = strides ? t : contiguous(t);
  const out = makeView(source, target, strides ?? contiguousStrides(target), source.offset);
  return record('reshape', out, [source], { shape: target });
}

/** Like reshape, but never copies: a shape the strides cannot express is an error. */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('view', t.shape, shape);
  if (!viewStrides(t.shape, t.strides, target)) {
    throw new ShapeError(
      `view: shape ${formatShape(target)} is not compatible with the input's size and strides (${formatShape(t.shape)}, strides ${formatShape(t.strides)}); use reshape`,
    );
  }
  return reshape(t, target);
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== t.ndim) {
    throw new ShapeError(
      `permute: expected ${t.ndim} dims for a ${formatShape(t.shape)} tensor (got [${dims.join(',')}])`,
    );
  }
  const order = normalizeDims('permute', dims, t.ndim);
  if (order.every((d, i) => d === i)) return t;
  const out = makeView(
    t,
    order.map((d) => t.shape[d]),
    order.map((d) => t.strides[d]),
    t.offset,
  );
  return record('permute', out, [t], { dims: order });
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, t.ndim);
  const b = normalizeDim('transpose', dim1, t.ndim);
  if (t.ndim < 2 || a === b) return t;
  const order = Array.from({ length: t.ndim }, (_, i) => i);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(t, order);
}

/** Transpose of a matrix; vectors and scalars come back unchanged, as in PyTorch. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2)
    throw new ShapeError(`t: expects a tensor with <= 2 dims (got ${formatShape(x.shape)}); use transpose`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Repeats size-1 dims (and adds leading dims) without copying: the new dims have stride 0. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < t.ndim) {
    throw new ShapeError(
      `expand: target ${formatShape(shape)} has fewer dims than the input ${formatShape(t.shape)}`,
    );
  }
  const lead = shape.length - t.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const source = i - lead;
    const size = shape[i];
    if (source < 0) {
      if (size < 0)
        throw new ShapeError(
          `expand: -1 is not allowed for a new leading dim (target ${formatShape(shape)})`,
        );
      outShape.push(size);
      strides.push(0);
    } else if (size === -1 || size === t.shape[source]) {
      outShape.push(t.shape[source]);
      strides.push(t.strides[source]);
    } else if (t.shape[source] === 1) {
      outShape.push(size);
      strides.push(0);
    } else {
      throw new ShapeError(
        `expand: the input's dim ${source} has size ${t.shape[source]} and cannot expand to ${size} (input ${formatShape(t.shape)}, target ${formatShape(shape)}); only size-1 dims expand`,
      );
    }
  }
  if (sameShape(outShape, t.shape)) return t;
  return record('expand', makeView(t, outShape, strides, t.offset), [t], { shape: outShape });
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normalizeDim('flatten', startDim, t.ndim);
  const e = normalizeDim('flatten', endDim, t.ndim);
  if (s > e) throw new IndexError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

/** Removes size-1 dims: all of them, or those among `dim` (a listed dim of another size is left alone). */
export function squeeze(t: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? null : new Set(normalizeDims('squeeze', dim, t.ndim));
  const shape = t.shape.filter((size, i) => size !== 1 || (dims !== null && !dims.has(i)));
  return reshape(t, shape);
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, t.ndim + 1);
  return reshape(t, [...t.shape.slice(0, d), 1, ...t.shape.slice(d)]);
}

/** Elements start, start+step, … below end along `dim`, like x[..., start:end:step]; bounds clamp as in Python. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.ndim);
  if (x.ndim === 0) throw new IndexError('slice: cannot slice a 0-d tensor');
  if (!Number.isInteger(step) || step <= 0)
    throw new IndexError(`slice: step must be a positive integer (got ${step})`);
  const size = x.shape[d];
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start ?? 0);
  const e = Math.max(clampIndex(end ?? size), s);
  const length = Math.ceil((e - s) / step);
  return sliceView(x, d, s, length, step);
}

function sliceView(x: Tensor, d: number, start: number, length: number, step: number): Tensor {
  if (start === 0 && step === 1 && length === x.shape[d]) return x;
  const shape = [...x.shape];
  shape[d] = length;
  const strides = [...x.strides];
  strides[d] *= step;
  const out = makeView(x, shape, strides, x.offset + start * x.strides[d]);
  return record('slice', out, [x], { dim: d, start, step });
}

/** `length` elements from `start` along `dim`; out-of-range bounds are errors. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(length) || length < 0 || s + length > size) {
    throw new IndexError(
      `narrow: start ${start} and length ${length} exceed dim ${dim} of size ${size} (input ${formatShape(x.shape)})`,
    );
  }
  return sliceView(x, d, s, length, 1);
}

/** The slice at `index` along `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.ndim);
  const size = x.shape[d];
  const i = index < 0 ? index + size : index;
  if (!Number.isInteger(i) || i < 0 || i >= size) {
    throw new IndexError(`select: index ${index} is out of range for dim ${dim} of size ${size}`);
  }
  return squeeze(sliceView(x, d, i, 1, 1), d);
}

/** The adjoint of slice: a zero tensor of `shape` with `src` written at the sliced positions. */
export function sliceScatter(
  src: Tensor,
  shape: readonly number[],
  dim: number,
  start: number,
  step: number,
): Tensor {
  const out = empty(shape, src.dtype);
  getBackend().copy(src, sliceRegion(out, src.shape, dim, start, step));
  return record('sliceScatter', out, [src], { shape: [...shape], dim, start, step });
}

/**
 * Adds each slice gradient into one zero tensor of `shape`: the adjoint of many slices of one tensor in
 * O(size + Σ slice sizes), where summing one sliceScatter per slice would cost O(slices × size).
 */
export function sliceScatterAdd(
  shape: readonly number[],
  slices: readonly { grad: Tensor; dim: number; start: number; step: number }[],
): Tensor {
  const out = empty(shape, slices[0].grad.dtype);
  const overlap = mayOverlap(slices);
  for (const { grad, dim, start, step } of slices) {
    const region = sliceRegion(out, grad.shape, dim, start, step);
    if (!overlap) {
      getBackend().copy(grad, region);
      continue;
    }
    const sum = empty(grad.shape, out.dtype);
    getBackend().binary('add', region, grad, sum.data); // slices may overlap: add to what is there
    getBackend().copy(sum, region);
  }
  return out;
}

/**
 * Whether some slices might share elements. The common case, a recurrent layer reading each time step once,
 * is a set of unit-step slices of one dim whose ranges do not meet: those are copied into place, saving a
 * temporary and an addition per slice. Anything else is assumed to overlap.
 */
function mayOverlap(slices: readonly { grad: Tensor; dim: number; start: number; step: number }[]): boolean {
  const { dim } = slices[0];
  if (slices.some((s) => s.dim !== dim || s.step !== 1)) return true;
  const ranges = slices.map((s) => [s.start, s.start + s.grad.shape[dim]]).sort((a, b) => a[0] - b[0]);
  return ranges.some((r, i) => i > 0 && r[0] < ranges[i - 1][1]);
}

/** The strided view of contiguous `out` that slice(dim, start, ·, step) of it would be, with `sliceShape`. */
function sliceRegion(
  out: Tensor,
  sliceShape: readonly number[],
  dim: number,
  start: number,
  step: number,
): StridedArray {
  const strides = contiguousStrides(out.shape);
  return {
    data: out.data,
    shape: sliceShape,
    strides: strides.map((s, i) => (i === dim ? s * step : s)),
    offset: start * strides[dim],
  };
}

/** Writes src (broadcast to target's shape) into target's storage: the body of copy_, fill_ and zero_. */
export function assign<T extends Tensor>(target: T, src: TensorLike): T {
  if (target.requiresGrad && isGradEnabled()) {
    throw new AutogradError(
      'copy_: in-place write into a tensor that requires grad while recording the graph; wrap it in noGrad()',
    );
  }
  const source = asTensor(src, target.dtype);
  getBackend().copy(expand(source, target.shape), target);
  return target;
}
