/** @file Reductions: sum, mean, max/min (with indices), amax/amin, argmax/argmin, variance. */
import { record } from '../autograd/record.js';
import type { ReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { isFloating } from '../dtype.js';
import { DTypeError, IndexError } from '../errors.js';
import { formatShape, normalizeDim, normalizeDims, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { div, mul, sub } from './elementwise.js';
import { cast, permute, reshape } from './movement.js';
import { empty } from './util.js';

type Dims = number | readonly number[] | null | undefined;

/** A reduction's dims: as normalizeDims, except that an empty list also means every dim, as in PyTorch. */
function reductionDims(op: string, dim: Dims, rank: number): number[] {
  return normalizeDims(op, Array.isArray(dim) && dim.length === 0 ? null : dim, rank);
}

/** The input viewed with the reduced dims last, and the keepdim output shape. */
function arrange(x: Tensor, dims: number[]): { view: Tensor; keptShape: number[] } {
  const reduced = new Set(dims);
  const kept = x.shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const view = dims.length === 0 ? x : permute(x, [...kept, ...dims]);
  return { view, keptShape: x.shape.map((s, i) => (reduced.has(i) ? 1 : s)) };
}

function squeezeDims(t: Tensor, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  if (keepdim) return t;
  const reduced = new Set(dims);
  return reshape(
    t,
    x.shape.filter((_, i) => !reduced.has(i)),
  );
}

/** Runs the reduction kernel; the result is contiguous, so dropping the reduced dims is a free re-wrap. */
function reduceKernel(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  const { view, keptShape } = arrange(x, dims);
  const out = empty(keptShape, x.dtype);
  getBackend().reduce(op, view, dims.length, out.data);
  if (keepdim) return out;
  const reduced = new Set(dims);
  return new Tensor(
    out.data,
    x.shape.filter((_, i) => !reduced.has(i)),
  );
}

function checkNonEmpty(op: string, x: Tensor, dims: number[]): void {
  if (dims.some((d) => x.shape[d] === 0) || (x.ndim === 0 && x.size === 0)) {
    throw new IndexError(
      `${op}: cannot reduce over an empty dim (input ${formatShape(x.shape)}); the result has no identity`,
    );
  }
}

/** Σ over `dim` (all dims by default). Bool and int32 sum to int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const input = x.dtype === 'bool' ? cast(x, 'int32') : x;
  const dims = reductionDims('sum', dim, input.ndim);
  return record('sum', reduceKernel('sum', input, dims, keepdim), [input], { dims, keepdim });
}

/** The arithmetic mean over `dim` (all dims by default); floating inputs only, as in PyTorch. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype))
    throw new DTypeError(`mean: input must be floating point (got ${x.dtype}); cast it first`);
  const dims = reductionDims('mean', dim, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return div(sum(x, dims, keepdim), count);
}

export interface VarianceOptions {
  /** Subtracted from the count in the divisor: 1 gives the unbiased (Bessel) estimate, PyTorch's default. */
  correction?: number;
  keepdim?: boolean;
}

/** Σ(x − mean)² / (N − correction) over `dim` (all dims by default). */
export function variance(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  const { correction = 1, keepdim = false } = options;
  if (!isFloating(x.dtype)) throw new DTypeError(`var: input must be floating point (got ${x.dtype})`);
  const dims = reductionDims('var', dim, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, keepdim), Math.max(0, count - correction));
}

export function std(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  return variance(x, dim, options).sqrt();
}

function extreme(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const name = op === 'max' ? 'amax' : 'amin';
  const dims = reductionDims(name, dim, x.ndim);
  checkNonEmpty(name, x, dims);
  return record(name, reduceKernel(op, x, dims, keepdim), [x], { dims, keepdim });
}

/** The largest value over `dim` (all dims by default); ties share the gradient evenly. */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim);
}

export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim);
}

function extremeAlong(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): [Tensor, Tensor] {
  const d = normalizeDim(op, dim, x.ndim);
  const dims = x.ndim === 0 ? [] : [d];
  checkNonEmpty(op, x, dims);
  const { view, keptShape } = arrange(x, dims);
  const values = empty(keptShape, x.dtype);
  const indices = empty(keptShape, 'int32');
  getBackend().reduce(op, view, dims.length, values.data, indices.data as Int32Array);
  record(op === 'max' ? 'maxDim' : 'minDim', values, [x], { dim: d, indices });
  return [squeezeDims(values, x, dims, keepdim), squeezeDims(indices, x, dims, keepdim)];
}

/** Without a dim: the largest element. With a dim: [values, indices] along it (the first index at ties). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): [values: Tensor, indices: Tensor];
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  return dim === undefined ? amax(x) : extremeAlong('max', x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): [values: Tensor, indices: Tensor];
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  return dim === undefined ? amin(x) : extremeAlong('min', x, dim, keepdim);
}

function argExtreme(op: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    const flat = reshape(x, [sizeOf(x.shape)]);
    const index = extremeAlong(op, flat, 0, false)[1];
    return keepdim
      ? reshape(
          index,
          x.shape.map(() => 1),
        )
      : index;
  }
  return extremeAlong(op, x, dim, keepdim)[1];
}

/** Index of the largest value along `dim`, or in the flattened tensor; int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('max', x, dim, keepdim);
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('min', x, dim, keepdim);
}
