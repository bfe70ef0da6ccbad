/** @file Validation shared by the cells and layers: sizes in the constructors, shapes in forward. */
import { ShapeError, type Tensor, TensorloomError } from '@tensorloom/tensor';

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `value` is an integer ≥ min (sizes and layer counts). */
export function checkInteger(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TensorloomError(`${op}: ${name} must be an integer ≥ ${min} (got ${value})`);
  }
}

export function checkFloatDType(op: string, dtype: string): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TensorloomError(`${op}: dtype must be 'float32' or 'float64' (got '${dtype}')`);
  }
}

/** Throws a ShapeError unless `t` has exactly `expected` as its shape; `what` names the tensor. */
export function checkShape(op: string, what: string, t: Tensor, expected: readonly number[]): void {
  const same = t.ndim === expected.length && t.shape.every((d, i) => d === expected[i]);
  if (!same) {
    throw new ShapeError(
      `${op}: ${what} must have shape ${formatShape(expected)} (got ${formatShape(t.shape)})`,
    );
  }
}
