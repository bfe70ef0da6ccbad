/** @file Shape arithmetic: sizes, strides, dims, broadcasting. Pure functions on number arrays. */
import { IndexError, ShapeError } from './errors.js';

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides of a contiguous tensor. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Wraps a possibly negative dim into [0, rank). `rank` 0 accepts -1 and 0, as PyTorch does. */
export function normalizeDim(op: string, dim: number, rank: number): number {
  const bound = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -bound || dim >= bound) {
    throw new IndexError(
      `${op}: dim ${dim} out of range for a ${rank}-d tensor (expected in [${-bound}, ${bound - 1}])`,
    );
  }
  return dim < 0 ? dim + bound : dim;
}

/**
 * Normalizes a list of dims; rejects repeats. `undefined` or `null` mean every dim. A 0-d tensor accepts 0 and
 * -1, which name no real dim, so they normalize to none.
 */
export function normalizeDims(
  op: string,
  dims: number | readonly number[] | null | undefined,
  rank: number,
): number[] {
  const list = typeof dims === 'number' ? [dims] : dims;
  if (list === undefined || list === null) return Array.from({ length: rank }, (_, i) => i);
  const out = list.map((d) => normalizeDim(op, d, rank));
  if (rank === 0) return [];
  if (new Set(out).size !== out.length)
    throw new IndexError(`${op}: dim appears more than once in [${list.join(',')}]`);
  return out;
}

/** NumPy/PyTorch broadcasting: align from the right; each pair of dims must be equal or contain a 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = rank - shape.length + i;
      const d = shape[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) {
        out[o] = d;
        continue;
      }
      throw new ShapeError(
        `${op}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (dim ${o - rank}: ${out[o]} vs ${d})`,
      );
    }
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolves a single -1 in a reshape target against the element count. */
export function inferShape(op: string, from: Shape, to: readonly number[]): number[] {
  const size = sizeOf(from);
  let inferred = -1;
  let known = 1;
  to.forEach((d, i) => {
    if (d === -1) {
      if (inferred !== -1) throw new ShapeError(`${op}: only one dim can be -1 (got ${formatShape(to)})`);
      inferred = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid dim ${d} in shape ${formatShape(to)}`);
    } else known *= d;
  });
  const out = [...to];
  if (inferred !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(
        `${op}: shape ${formatShape(to)} is invalid for input of size ${size} (from ${formatShape(from)})`,
      );
    }
    out[inferred] = size / known;
  }
  if (sizeOf(out) !== size) {
    throw new ShapeError(
      `${op}: shape ${formatShape(to)} is invalid for input of size ${size} (from ${formatShape(from)})`,
    );
  }
  return out;
}
