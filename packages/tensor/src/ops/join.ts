/** @file Joining and splitting: cat, stack, split, chunk. */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import { promoteTypes } from '../dtype.js';
import { ShapeError, TensorloomError } from '../errors.js';
import { contiguousStrides, formatShape, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, narrow, unsqueeze } from './movement.js';
import { empty } from './util.js';

/** Concatenates along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new TensorloomError('cat: expects a non-empty list of tensors');
  const first = tensors[0];
  const d = normalizeDim('cat', dim, first.ndim);
  if (first.ndim === 0)
    throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; use stack');
  tensors.forEach((t, i) => {
    const mismatch = t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k]);
    if (mismatch) {
      throw new ShapeError(
        `cat: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape)} except in dim ${d}`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const inputs = tensors.map((t) => cast(t, dtype));
  const shape = [...first.shape];
  shape[d] = inputs.reduce((n, t) => n + t.shape[d], 0);
  const out = empty(shape, dtype);
  const strides = contiguousStrides(shape);
  let offset = 0;
  for (const t of inputs) {
    getBackend().copy(t, { data: out.data, shape: t.shape, strides, offset: offset * strides[d] });
    offset += t.shape[d];
  }
  return record('cat', out, inputs, { dim: d });
}

/** Joins equally shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new TensorloomError('stack: expects a non-empty list of tensors');
  const d = normalizeDim('stack', dim, tensors[0].ndim + 1);
  tensors.forEach((t, i) => {
    if (t.shape.length !== tensors[0].ndim || t.shape.some((s, k) => s !== tensors[0].shape[k])) {
      throw new ShapeError(
        `stack: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(tensors[0].shape)}`,
      );
    }
  });
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/**
 * Views of consecutive pieces along `dim`: of `size` each (the last may be smaller), or of the listed sizes,
 * which must add up to the dim.
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  const total = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) {
      throw new ShapeError(`split: split size must be a positive integer (got ${sizeOrSections})`);
    }
    sizes = [];
    for (let at = 0; at < total; at += sizeOrSections) sizes.push(Math.min(sizeOrSections, total - at));
    if (total === 0) sizes.push(0);
  } else {
    sizes = [...sizeOrSections];
    const covered = sizes.reduce((a, b) => a + b, 0);
    if (covered !== total || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ShapeError(
        `split: sizes [${sizes.join(',')}] must be non-negative and add up to ${total} (dim ${dim} of ${formatShape(x.shape)})`,
      );
    }
  }
  let start = 0;
  return sizes.map((size) => {
    const piece = narrow(x, d, start, size);
    start += size;
    return piece;
  });
}

/** Splits into `chunks` pieces of size ⌈n/chunks⌉ (fewer if the dim is short), like torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ShapeError(`chunk: chunks must be a positive integer (got ${chunks})`);
  if (x.ndim === 0) throw new ShapeError('chunk: expects at least a 1-dimensional tensor');
  const d = normalizeDim('chunk', dim, x.ndim);
  // An empty dim gives `chunks` empty pieces, as in PyTorch.
  if (x.shape[d] === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
  return split(x, Math.ceil(x.shape[d] / chunks), d);
}
