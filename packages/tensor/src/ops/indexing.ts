/** @file Indexing: indexSelect, gather and their adjoints indexAdd and scatterAdd; triangles; one-hot. */

import { noGrad } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import { DTypeError, IndexError, ShapeError } from '../errors.js';
import { formatShape, normalizeDim, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { eq, where } from './elementwise.js';
import { cast, clone, expand, reshape, unsqueeze } from './movement.js';
import { amax } from './reduce.js';
import { empty } from './util.js';

function checkIndex(op: string, index: Tensor, size: number, dimName: string): void {
  if (index.dtype !== 'int32')
    throw new DTypeError(`${op}: index must be an int32 tensor (got ${index.dtype})`);
  const values = index.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= size) {
      throw new IndexError(`${op}: index ${values[i]} is out of range for ${dimName} of size ${size}`);
    }
  }
}

/** The index, a 1-D list along `dim`, as a stride-0 view of `shape` so that gather can serve indexSelect. */
function spreadIndex(index: Tensor, dim: number, shape: readonly number[]): Tensor {
  const column = reshape(
    index,
    shape.map((s, i) => (i === dim ? s : 1)),
  );
  return expand(column, shape);
}

/** Rows (or slices along `dim`) picked by a 1-D int32 index: out has index.length entries along `dim`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  // A 0-d input acts as a 1-element vector and the result stays 0-d, as in PyTorch.
  if (x.ndim === 0) return reshape(indexSelect(reshape(x, [1]), dim, reshape(index, [-1])), []);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  if (index.ndim > 1)
    throw new ShapeError(`indexSelect: index must be 0-d or 1-d (got ${formatShape(index.shape)})`);
  checkIndex('indexSelect', index, x.shape[d], `dim ${dim}`);
  const shape = x.shape.map((s, i) => (i === d ? index.size : s));
  const spread = spreadIndex(index, d, shape);
  const out = empty(shape, x.dtype);
  getBackend().gather(x, d, spread, out.data);
  return record('indexSelect', out, [x], { dim: d, index });
}

/** out[…i…] = x[…index[…i…]…] along `dim`, PyTorch's gather; index has x's rank and out has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim('gather', dim, x.ndim);
  if (x.ndim === 0 && index.ndim === 0) return reshape(gather(reshape(x, [1]), 0, reshape(index, [1])), []);
  if (index.ndim !== x.ndim) {
    throw new ShapeError(
      `gather: index ${formatShape(index.shape)} must have the input's rank ${x.ndim} (input ${formatShape(x.shape)})`,
    );
  }
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]) {
      throw new ShapeError(
        `gather: index ${formatShape(index.shape)} is larger than the input ${formatShape(x.shape)} in dim ${i}`,
      );
    }
  });
  checkIndex('gather', index, x.shape[d], `dim ${dim}`);
  const out = empty(index.shape, x.dtype);
  getBackend().gather(x, d, index, out.data);
  return record('gather', out, [x], { dim: d, index });
}

function scatterInto(
  op: 'scatterAdd' | 'indexAdd',
  base: Tensor,
  d: number,
  index: Tensor,
  src: Tensor,
): Tensor {
  const out = noGrad(() => clone(base)); // the recorded node below covers base
  const source = cast(src, base.dtype);
  getBackend().scatterAdd(
    out.data,
    out.shape,
    d,
    op === 'indexAdd' ? spreadIndex(index, d, src.shape) : index,
    source,
  );
  return record(op, out, [base, source], { dim: d, index });
}

/**
 * For gradient rules (not differentiable): scatterAdd(zeros, d, index, src) or, for 'indexAdd', indexAdd(zeros, d,
 * index, src), with zeros of `like`'s shape and dtype — without building the zeros as a tensor and copying them
 * first (fresh storage is zero already). gather's gradient over a vocabulary is a [N, V] scatter.
 */
export function scatterAddToZeros(
  op: 'scatterAdd' | 'indexAdd',
  like: Tensor,
  d: number,
  index: Tensor,
  src: Tensor,
): Tensor {
  const out = empty(like.shape, like.dtype);
  getBackend().scatterAdd(
    out.data,
    out.shape,
    d,
    op === 'indexAdd' ? spreadIndex(index, d, src.shape) : index,
    cast(src, like.dtype),
  );
  return out;
}

/** A copy of `base` with src[…i…] added at base[…index[…i…]…] along `dim` (PyTorch's scatter_add). */
export function scatterAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim('scatterAdd', dim, base.ndim);
  if (!sameShape(index.shape, src.shape) || index.ndim !== base.ndim) {
    throw new ShapeError(
      `scatterAdd: index ${formatShape(index.shape)} and src ${formatShape(src.shape)} must match and have the rank of the input ${formatShape(base.shape)}`,
    );
  }
  checkIndex('scatterAdd', index, base.shape[d], `dim ${dim}`);
  return scatterInto('scatterAdd', base, d, index, src);
}

/** A copy of `base` with src's slices added at the positions `index` lists along `dim` (PyTorch's index_add). */
export function indexAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim('indexAdd', dim, base.ndim);
  const expected = base.shape.map((s, i) => (i === d ? index.size : s));
  if (index.ndim !== 1 || !sameShape(src.shape, expected)) {
    throw new ShapeError(
      `indexAdd: src must have shape ${formatShape(expected)} for a 1-d index of ${index.size} (got ${formatShape(src.shape)})`,
    );
  }
  checkIndex('indexAdd', index, base.shape[d], `dim ${dim}`);
  return scatterInto('indexAdd', base, d, index, src);
}

function triangle(op: string, x: Tensor, keep: (row: number, col: number) => boolean): Tensor {
  if (x.ndim < 2)
    throw new ShapeError(`${op}: input must have at least 2 dims (got ${formatShape(x.shape)})`);
  const [rows, cols] = x.shape.slice(-2);
  const mask = empty([rows, cols], 'bool');
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask.data[i * cols + j] = keep(i, j) ? 1 : 0;
  return where(mask, x, cast(empty([], x.dtype), x.dtype));
}

/** The lower triangle of the last two dims: elements with col − row ≤ diagonal; the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, (i, j) => j - i <= diagonal);
}

/** The upper triangle of the last two dims: elements with col − row ≥ diagonal; the rest zero. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, (i, j) => j - i >= diagonal);
}

/** One-hot encoding of int32 class indices, as int32 of shape [...indices.shape, numClasses]. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError(`oneHot: indices must be int32 (got ${indices.dtype})`);
  const classes = numClasses === -1 ? (indices.size === 0 ? 0 : amax(indices).item() + 1) : numClasses;
  checkIndex('oneHot', indices, classes, 'numClasses');
  return cast(eq(unsqueeze(indices, -1), arange(classes)), 'int32');
}
