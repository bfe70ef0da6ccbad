/** @file Errors of the positional package, and the checks that throw them. */
import { DTypeError, type FloatDType, type Tensor, TensorloomError } from '@tensorloom/tensor';

/** A bad configuration: a non-positive or fractional size, an odd rotary width, a bad base or offset. */
export class ConfigError extends TensorloomError {
  override name = 'ConfigError';
}

/** Throws a ConfigError unless `value` is an integer ≥ min (sizes, offsets). */
export function checkInteger(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${op}: ${name} must be an integer ≥ ${min} (got ${value})`);
  }
}

/** Throws a ConfigError unless `base` is a finite number > 0 (the wavelength base of the frequencies). */
export function checkBase(op: string, base: number): void {
  if (!(Number.isFinite(base) && base > 0)) {
    throw new ConfigError(`${op}: base must be a finite number > 0 (got ${base})`);
  }
}

/** Throws a ConfigError unless `p` is a probability (dropout). */
export function checkProbability(op: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new ConfigError(`${op}: dropout must be in [0, 1] (got ${p})`);
}

/** The tensor's dtype if it is a float one; a DTypeError otherwise (positions are added to or rotate floats). */
export function floatDType(op: string, what: string, x: Tensor): FloatDType {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new DTypeError(`${op}: ${what} must be float32 or float64 (got ${x.dtype})`);
  }
  return x.dtype;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
