/** @file The element types a tensor can hold and how they combine. */

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';

export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The typed array that stores each dtype (bools as 0/1 bytes). */
export const arrayConstructors = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isFloating(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion among our dtypes: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** The dtype a Python-style number literal takes next to a tensor of `dtype` (PyTorch's "wrapped number" rule). */
export function promoteWithScalar(dtype: DType, value: number | boolean): DType {
  if (typeof value === 'boolean') return dtype;
  if (!Number.isInteger(value) && !isFloating(dtype)) return 'float32';
  if (dtype === 'bool') return Number.isInteger(value) ? 'int32' : 'float32';
  return dtype;
}
