/** @file Matrix products with torch.matmul's rules for 1-D operands and batch broadcasting. */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import { type FloatArray, isFloating, promoteTypes } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, expand, reshape } from './movement.js';
import { emptyForOverwrite } from './util.js';

/**
 * The matrix product. 1-D·1-D is a dot product; a 1-D left operand acts as a row and a 1-D right operand as a
 * column (the added dim is removed again); dims before the last two are batch dims and broadcast.
 * @example matmul(randn([8, 2, 3]), randn([3, 4])).shape // [8, 2, 4]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both operands need at least 1 dim (got ${formatShape(a.shape)} and ${formatShape(b.shape)})`,
    );
  }
  let dtype = promoteTypes(a.dtype, b.dtype);
  if (!isFloating(dtype)) {
    if (dtype === 'bool') throw new DTypeError(`matmul: not supported for bool tensors`);
    dtype = 'float32';
  }
  const x = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const y = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const k = x.shape[x.ndim - 1];
  if (y.shape[y.ndim - 2] !== k) {
    throw new ShapeError(
      `matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)} (inner dims ${k} ≠ ${y.shape[y.ndim - 2]})`,
    );
  }
  const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  const m = x.shape[x.ndim - 2];
  const n = y.shape[y.ndim - 1];
  const xs = expand(cast(x, dtype), [...batch, m, k]);
  const ys = expand(cast(y, dtype), [...batch, k, n]);
  const out = emptyForOverwrite([...batch, m, n], dtype);
  getBackend().matmul(xs, ys, out.data as FloatArray);
  const product = record('matmul', out, [xs, ys], null);
  // Remove the dims that 1-D operands gained.
  if (a.ndim === 1 && b.ndim === 1) return reshape(product, []);
  if (a.ndim === 1) return reshape(product, [...batch, n]);
  if (b.ndim === 1) return reshape(product, [...batch, m]);
  return product;
}
