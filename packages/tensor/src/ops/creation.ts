/** @file Creating tensors: from data, constant fills, ranges and random draws. */
import { type DType, dtypeOfArray, isFloating, type TypedArray } from '../dtype.js';
import { DataError, DTypeError, ShapeError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { formatShape, type Shape, sizeOf } from '../shape.js';
import { allocate } from '../storage.js';
import { type NestedArray, Tensor } from '../tensor.js';
import { empty } from './util.js';

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreationOptions {
  /** The shape of flat data (a typed array or a flat number array). */
  shape?: readonly number[];
}

export interface RandomOptions extends CreationOptions {
  generator?: Generator;
}

function finish(t: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(
      `${op}: shape must be an array of non-negative integers (got ${JSON.stringify(shape)})`,
    );
  }
}

/** Walks nested arrays, checking they are rectangular, and returns shape and flat values. */
function flatten(data: NestedArray): { shape: number[]; values: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const values: (number | boolean)[] = [];
  const visit = (x: NestedArray, dim: number, path: number[]) => {
    const where = path.length ? ` at [${path.join('][')}]` : '';
    if (dim === shape.length) {
      if (Array.isArray(x))
        throw new DataError(`tensor: ragged nested array: expected a number${where}, got an array`);
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new DataError(`tensor: expected numbers or booleans, got ${typeof x}${where}`);
      }
      values.push(x as number | boolean);
      return;
    }
    if (!Array.isArray(x))
      throw new DataError(
        `tensor: ragged nested array: expected an array of length ${shape[dim]}${where}, got a number`,
      );
    if (x.length !== shape[dim]) {
      throw new DataError(
        `tensor: ragged nested array: expected length ${shape[dim]}${where}, got ${x.length}`,
      );
    }
    x.forEach((v: NestedArray, i: number) => {
      visit(v, dim + 1, [...path, i]);
    });
  };
  visit(data, 0, []);
  return { shape, values };
}

function inferDType(values: readonly (number | boolean)[]): DType {
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return 'bool';
  if (values.some((v) => typeof v === 'boolean'))
    throw new DataError('tensor: cannot mix booleans and numbers');
  return values.every((v) => Number.isInteger(v)) && values.length > 0 ? 'int32' : 'float32';
}

/**
 * A tensor from nested arrays, a number, or flat data with `shape`. Like torch.tensor, integers give int32,
 * other numbers float32 and booleans bool, unless `dtype` says otherwise. Always copies the data.
 * @example tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  let values: ArrayLike<number | boolean>;
  let shape: number[];
  let dtype = options.dtype;
  if (ArrayBuffer.isView(data)) {
    values = data as TypedArray;
    dtype ??= dtypeOfArray(data as TypedArray);
    shape = options.shape ? [...options.shape] : [values.length];
  } else if (options.shape && Array.isArray(data) && data.every((v) => !Array.isArray(v))) {
    values = data as (number | boolean)[];
    shape = [...options.shape];
    dtype ??= inferDType(data as (number | boolean)[]);
  } else {
    const flat = flatten(data as NestedArray);
    values = flat.values;
    shape = options.shape ? [...options.shape] : flat.shape;
    dtype ??= inferDType(flat.values);
  }
  checkShape('tensor', shape);
  if (sizeOf(shape) !== values.length) {
    throw new DataError(
      `tensor: ${values.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`,
    );
  }
  const out = allocate(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return finish(new Tensor(out, shape), options);
}

/** A tensor of `shape` filled with `value` (int32 for an integer, float32 for a fraction, unless `dtype` is given). */
export function full(
  shape: readonly number[],
  value: number | boolean,
  options: CreationOptions = {},
): Tensor {
  checkShape('full', shape);
  const dtype =
    options.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32');
  const t = empty(shape, dtype);
  t.data.fill(Number(value));
  return finish(t, options);
}

export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 0, { dtype: 'float32', ...options });
}

export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return full(shape, 1, { dtype: 'float32', ...options });
}

export function zerosLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number | boolean, options: CreationOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/**
 * Values from start (inclusive) to end (exclusive) by step; `arange(n)` counts 0…n−1. Integer arguments give
 * int32 and any fractional one float32, as in PyTorch.
 */
export function arange(start: number, end?: number, step = 1, options: CreationOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new DataError('arange: step must be nonzero');
  const count = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const t = empty([count], dtype);
  for (let i = 0; i < count; i++) t.data[i] = start + i * step;
  return finish(t, options);
}

/** `steps` evenly spaced values from start to end, both included. */
export function linspace(start: number, end: number, steps: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new DataError(`linspace: steps must be a non-negative integer (got ${steps})`);
  const t = empty([steps], options.dtype ?? 'float32');
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends so the endpoints are exact, as PyTorch does.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++)
    t.data[i] = i < half || steps === 1 ? start + i * delta : end - (steps - 1 - i) * delta;
  return finish(t, options);
}

/** An n×m matrix with ones on the diagonal. */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  const t = zeros([n, m], options);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

function randomFloat(
  op: string,
  shape: readonly number[],
  options: RandomOptions,
  draw: (g: Generator) => number,
): Tensor {
  checkShape(op, shape);
  const dtype = options.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new DTypeError(`${op}: dtype must be floating point (got ${dtype})`);
  const g = options.generator ?? defaultGenerator;
  const t = empty(shape, dtype);
  for (let i = 0; i < t.data.length; i++) t.data[i] = draw(g);
  return finish(t, options);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloat('rand', shape, options, (g) => g.uniform());
}

/** Standard normal samples. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloat('randn', shape, options, (g) => g.normal());
}

export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...options });
}

export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...options });
}

/** Uniform integers in [low, high), int32 unless `dtype` says otherwise. */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  options: RandomOptions = {},
): Tensor {
  checkShape('randint', shape);
  if (!(high > low)) throw new DataError(`randint: high must exceed low (got low ${low}, high ${high})`);
  const g = options.generator ?? defaultGenerator;
  const t = empty(shape, options.dtype ?? 'int32');
  for (let i = 0; i < t.data.length; i++) t.data[i] = g.integer(low, high);
  return t;
}

/** 1 with probability p and 0 otherwise, per element of `probs` (same shape and dtype). */
export function bernoulli(probs: Tensor, options: { generator?: Generator } = {}): Tensor {
  if (!isFloating(probs.dtype))
    throw new DTypeError(`bernoulli: probabilities must be floating point (got ${probs.dtype})`);
  const p = probs.dataSync();
  const g = options.generator ?? defaultGenerator;
  const out = allocate(probs.dtype, p.length);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1))
      throw new DataError(`bernoulli: probabilities must be in [0, 1] (got ${p[i]})`);
    out[i] = g.bernoulli(p[i]) ? 1 : 0;
  }
  return new Tensor(out, [...probs.shape]);
}

export type { Shape };
