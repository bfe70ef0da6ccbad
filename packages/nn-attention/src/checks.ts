/** @file Validation shared by the attention modules: sizes in the constructors, shapes and masks in forward. */
import { DTypeError, ShapeError, type Tensor, TensorloomError } from '@tensorloom/tensor';

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `value` is an integer ≥ min (sizes and layer counts). */
export function checkInteger(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TensorloomError(`${op}: ${name} must be an integer ≥ ${min} (got ${value})`);
  }
}

export function checkProbability(op: string, name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new TensorloomError(`${op}: ${name} must be in [0, 1] (got ${p})`);
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

/** Throws a ShapeError unless `t` has `ndim` dims; `layout` spells the expected shape, e.g. '[B, S, K]'. */
export function checkRank(
  op: string,
  what: string,
  t: Tensor,
  ndim: number | number[],
  layout: string,
): void {
  const allowed = typeof ndim === 'number' ? [ndim] : ndim;
  if (!allowed.includes(t.ndim)) {
    throw new ShapeError(`${op}: ${what} must be ${layout} (got ${formatShape(t.shape)})`);
  }
}

/** Throws a ShapeError unless the last dim of `t` is `size`. */
export function checkLastDim(op: string, what: string, t: Tensor, size: number, name: string): void {
  const last = t.shape[t.ndim - 1];
  if (last !== size) {
    throw new ShapeError(
      `${op}: ${what}'s last dim must equal ${name} (expected ${size}, got ${last}; ${what} ${formatShape(t.shape)})`,
    );
  }
}

/** Throws a DTypeError unless `mask` is bool (or, when `float` is allowed, a float additive mask). */
export function checkMaskDType(op: string, what: string, mask: Tensor, float: boolean): void {
  const ok = mask.dtype === 'bool' || (float && (mask.dtype === 'float32' || mask.dtype === 'float64'));
  if (!ok) {
    throw new DTypeError(
      `${op}: ${what} must be ${float ? 'bool or a float additive mask' : 'bool'} (got ${mask.dtype})`,
    );
  }
}
