/** @file Elementwise ops with broadcasting: arithmetic, math functions, comparisons, logic, where. */
import { record } from '../autograd/record.js';
import type { ArithmeticOp, ComparisonOp, UnaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, isFloating, promoteTypes, promoteWithScalar } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, formatShape, sameShape } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { cast, expand } from './movement.js';
import { asTensor, empty, emptyForOverwrite } from './util.js';

function resultType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    // A 0-d tensor does not raise a higher-dimensional operand's float type, as in PyTorch.
    if (a.ndim === 0 && b.ndim > 0 && isFloating(b.dtype) && isFloating(a.dtype)) return b.dtype;
    if (b.ndim === 0 && a.ndim > 0 && isFloating(a.dtype) && isFloating(b.dtype)) return a.dtype;
    return promoteTypes(a.dtype, b.dtype);
  }
  if (a instanceof Tensor) return promoteWithScalar(a.dtype, b as number);
  if (b instanceof Tensor) return promoteWithScalar(b.dtype, a as number);
  return typeof a === 'boolean' && typeof b === 'boolean' ? 'bool' : 'float32';
}

/** Casts both operands to `dtype` and broadcasts them to one shape. */
function align(op: string, a: TensorLike, b: TensorLike, dtype: DType): [Tensor, Tensor] {
  const x = cast(asTensor(a, dtype), dtype);
  const y = cast(asTensor(b, dtype), dtype);
  if (sameShape(x.shape, y.shape)) return [x, y];
  const shape = broadcastShapes(op, x.shape, y.shape);
  return [expand(x, shape), expand(y, shape)];
}

function arithmetic(op: ArithmeticOp, a: TensorLike, b: TensorLike): Tensor {
  let dtype = resultType(a, b);
  if (dtype === 'bool') {
    if (op === 'sub') throw new DTypeError('sub: subtracting bool tensors is not supported; use logicalXor');
    dtype = 'int32';
  }
  if (op === 'div' && !isFloating(dtype)) dtype = 'float32'; // true division, as in PyTorch
  const [x, y] = align(op, a, b, dtype);
  const out = emptyForOverwrite(x.shape, dtype);
  getBackend().binary(op, x, y, out.data);
  return record(op, out, [x, y], null);
}

function comparison(op: ComparisonOp, a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType(a, b);
  const [x, y] = align(op, a, b, dtype);
  const out = emptyForOverwrite(x.shape, 'bool');
  getBackend().binary(op, x, y, out.data);
  return out;
}

/** Float-valued math (exp, log, …) promotes integer and bool inputs to float32, as PyTorch does. */
function unaryFloat(
  op: UnaryOp & ('exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'erf'),
  x: Tensor,
): Tensor {
  const input = isFloating(x.dtype) ? x : cast(x, 'float32');
  const out = emptyForOverwrite(input.shape, input.dtype);
  getBackend().unary(op, input, out.data);
  return record(op, out, [input], null);
}

function unarySameType(op: 'neg' | 'abs' | 'relu', x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: not supported for bool tensors`);
  const out = emptyForOverwrite(x.shape, x.dtype);
  getBackend().unary(op, x, out.data);
  return record(op, out, [x], null);
}

/** a + b, broadcasting. @example add(x, 1) */
export const add = (a: TensorLike, b: TensorLike): Tensor => arithmetic('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => arithmetic('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => arithmetic('mul', a, b);
/** True division: integer operands give a float result. */
export const div = (a: TensorLike, b: TensorLike): Tensor => arithmetic('div', a, b);
export const pow = (a: TensorLike, exponent: TensorLike): Tensor => arithmetic('pow', a, exponent);
/** Elementwise maximum; at ties the gradient is split evenly, as in PyTorch. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => arithmetic('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => arithmetic('minimum', a, b);

export const neg = (x: Tensor): Tensor => unarySameType('neg', x);
export const abs = (x: Tensor): Tensor => unarySameType('abs', x);
/** max(x, 0); the gradient at 0 is 0, as in PyTorch. */
export const relu = (x: Tensor): Tensor => unarySameType('relu', x);
/**
 * relu's backward in one pass (not differentiable): g where x > 0, else 0, for g of x's shape (cast to its
 * dtype); PyTorch's threshold_backward at 0.
 */
export function reluBackward(g: Tensor, x: Tensor): Tensor {
  const out = emptyForOverwrite(x.shape, x.dtype);
  getBackend().binary('reluBackward', g.to(x.dtype), x, out.data);
  return out;
}
export const exp = (x: Tensor): Tensor => unaryFloat('exp', x);
export const log = (x: Tensor): Tensor => unaryFloat('log', x);
export const sqrt = (x: Tensor): Tensor => unaryFloat('sqrt', x);
export const sin = (x: Tensor): Tensor => unaryFloat('sin', x);
export const cos = (x: Tensor): Tensor => unaryFloat('cos', x);
export const tanh = (x: Tensor): Tensor => unaryFloat('tanh', x);
/** 1 / (1 + e^−x), computed without overflow for large |x|. */
export const sigmoid = (x: Tensor): Tensor => unaryFloat('sigmoid', x);
export const erf = (x: Tensor): Tensor => unaryFloat('erf', x);
/** 1 / √x */
export const rsqrt = (x: Tensor): Tensor => div(1, sqrt(x));
export const square = (x: Tensor): Tensor => mul(x, x);

/** −1, 0 or 1 by sign (not differentiable: its derivative is zero almost everywhere). */
export function sign(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  getBackend().unary('sign', x, out.data);
  return out;
}

export const eq = (a: TensorLike, b: TensorLike): Tensor => comparison('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => comparison('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => comparison('lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => comparison('le', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => comparison('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => comparison('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => comparison('logicalAnd', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => comparison('logicalOr', a, b);
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => comparison('logicalXor', a, b);

export function logicalNot(x: Tensor): Tensor {
  const out = empty(x.shape, 'bool');
  getBackend().unary('logicalNot', x, out.data);
  return out;
}

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== 'bool')
    throw new DTypeError(`${op}: condition must be a bool tensor (got ${mask.dtype})`);
}

/** cond ? a : b elementwise, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkMask('where', cond);
  const dtype = resultType(a, b);
  const x = cast(asTensor(a, dtype), dtype);
  const y = cast(asTensor(b, dtype), dtype);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const [c, xs, ys] = [expand(cond, shape), expand(x, shape), expand(y, shape)];
  const out = emptyForOverwrite(shape, dtype);
  getBackend().where(c, xs, ys, out.data);
  return record('where', out, [xs, ys], { cond: c });
}

/** x with `value` wherever mask is true; mask broadcasts to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkMask('maskedFill', mask);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(
      `maskedFill: mask ${formatShape(mask.shape)} must broadcast to the input ${formatShape(x.shape)}`,
    );
  }
  return where(mask, cast(asTensor(value, x.dtype), x.dtype), x);
}

/**
 * Limits values to [min, max]. The gradient passes where min ≤ x ≤ max (boundaries included), as in PyTorch.
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min == null && max == null) throw new DTypeError('clamp: at least one of min and max must be given');
  let out = x;
  if (min != null) out = where(lt(out, min), cast(asTensor(min, x.dtype), x.dtype), out);
  if (max != null) out = where(gt(out, max), cast(asTensor(max, x.dtype), x.dtype), out);
  return out;
}
