/** @file Small helpers shared by the op modules. */
import type { DType } from '../dtype.js';
import { type Shape, sizeOf } from '../shape.js';
import { allocate, allocateForOverwrite } from '../storage.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** A new contiguous zero-filled tensor. */
export function empty(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), [...shape]);
}

/** A new contiguous tensor whose contents are undefined, for an op that writes every element. */
export function emptyForOverwrite(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocateForOverwrite(dtype, sizeOf(shape)), [...shape]);
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
