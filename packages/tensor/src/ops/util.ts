/** @file Small helpers shared by the op modules. */
import { allocate, type DType } from '../dtype.js';
import type { Shape } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** A new contiguous zero-filled tensor. */
export function empty(shape: Shape, dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  return new Tensor(allocate(dtype, size), [...shape]);
}

/** A 0-d tensor holding `value`. */
export function scalar(value: number | boolean, dtype: DType): Tensor {
  const t = empty([], dtype);
  t.data[0] = typeof value === 'boolean' ? Number(value) : value;
  return t;
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Wraps a number as a 0-d tensor of `dtype`; passes tensors through. */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  return x instanceof Tensor ? x : scalar(x, dtype);
}
