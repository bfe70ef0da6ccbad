/** @file Option checks shared by the optimizers and schedulers; each throws an OptimError naming the owner. */
import { OptimError } from './errors.js';

const show = (value: unknown): string => (Array.isArray(value) ? `[${value}]` : String(value));

/** `value` must be a number ≥ 0 (NaN is rejected). */
export function checkNonNegative(owner: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new OptimError(`${owner}: ${name} must be a number ≥ 0 (got ${show(value)})`);
  }
}

/** `value` must be a number > 0. */
export function checkPositive(owner: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new OptimError(`${owner}: ${name} must be a number > 0 (got ${show(value)})`);
  }
}

/** `value` must lie in [0, 1). */
export function checkUnitInterval(owner: string, name: string, value: number): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new OptimError(`${owner}: ${name} must be in [0, 1) (got ${show(value)})`);
  }
}

/** `value` must be an integer ≥ `min`. */
export function checkInteger(owner: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new OptimError(`${owner}: ${name} must be an integer ≥ ${min} (got ${show(value)})`);
  }
}

export function checkBoolean(owner: string, name: string, value: boolean): void {
  if (typeof value !== 'boolean') {
    throw new OptimError(`${owner}: ${name} must be a boolean (got ${show(value)})`);
  }
}

/** `value` must be one of `allowed`. */
export function checkOneOf<T extends string>(
  owner: string,
  name: string,
  value: T,
  allowed: readonly T[],
): void {
  if (!allowed.includes(value)) {
    throw new OptimError(
      `${owner}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${show(value)})`,
    );
  }
}
