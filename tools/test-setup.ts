/**
 * @file The shared vitest matcher: `expect(actual).toBeAllClose(expected, { rtol, atol })` passes when every
 * element satisfies |actual − expected| ≤ atol + rtol·|expected| (numpy.allclose) and the shapes agree.
 * Accepts tensors, typed arrays, nested arrays and numbers; NaN matches NaN and equal infinities match.
 */
import { expect } from 'vitest';

interface CloseOptions {
  rtol?: number;
  atol?: number;
}

interface TensorLikeValue {
  shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

function isTensorLike(x: unknown): x is TensorLikeValue {
  return typeof x === 'object' && x !== null && 'dataSync' in x && 'shape' in x;
}

function flatten(x: unknown): { shape: number[] | null; values: number[] } {
  if (isTensorLike(x)) return { shape: [...x.shape], values: Array.from(x.dataSync(), Number) };
  if (typeof x === 'number' || typeof x === 'boolean') return { shape: [], values: [Number(x)] };
  if (ArrayBuffer.isView(x))
    return { shape: null, values: Array.from(x as unknown as ArrayLike<number>, Number) };
  if (Array.isArray(x)) {
    const parts = x.map(flatten);
    const inner = parts[0]?.shape ?? [];
    return { shape: inner ? [x.length, ...inner] : null, values: parts.flatMap((p) => p.values) };
  }
  throw new TypeError(`toBeAllClose: cannot compare ${typeof x}`);
}

expect.extend({
  toBeAllClose(received: unknown, expected: unknown, options: CloseOptions = {}) {
    const { rtol = 1e-5, atol = 1e-8 } = options;
    const a = flatten(received);
    const b = flatten(expected);
    const shapesKnown =
      a.shape !== null && b.shape !== null && isTensorLike(received) && isTensorLike(expected);
    if (shapesKnown && JSON.stringify(a.shape) !== JSON.stringify(b.shape)) {
      return { pass: false, message: () => `expected shape [${b.shape}], got [${a.shape}]` };
    }
    if (a.values.length !== b.values.length) {
      return { pass: false, message: () => `expected ${b.values.length} elements, got ${a.values.length}` };
    }
    let worst = -1;
    let worstExcess = 0;
    a.values.forEach((v, i) => {
      const e = b.values[i];
      if (v === e || (Number.isNaN(v) && Number.isNaN(e))) return; // equal infinities match too
      const excess = Math.abs(v - e) - (atol + rtol * Math.abs(e));
      if (!(excess <= 0) && (worst === -1 || excess > worstExcess || Number.isNaN(excess))) {
        worst = i;
        worstExcess = excess;
      }
    });
    return {
      pass: worst === -1,
      message: () =>
        worst === -1
          ? 'expected values not to be all close'
          : `values differ at flat index ${worst}: got ${a.values[worst]}, expected ${b.values[worst]} (rtol ${rtol}, atol ${atol})`,
    };
  },
});

declare module 'vitest' {
  interface Matchers<T = any> {
    toBeAllClose(expected: unknown, options?: CloseOptions): T;
  }
}
