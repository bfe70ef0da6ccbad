/** @file Typed errors. Every message starts with the op's name and gives what was expected against what was got. */

export class TensorloomError extends Error {
  override name = 'TensorloomError';
}

/** Shapes that do not fit the op (broadcasting, matmul inner dims, reshape sizes, …). */
export class ShapeError extends TensorloomError {
  override name = 'ShapeError';
}

/** A dtype the op does not accept (e.g. a float index tensor, a bool operand to matmul). */
export class DTypeError extends TensorloomError {
  override name = 'DTypeError';
}

/** A dim or an index outside its range. */
export class IndexError extends TensorloomError {
  override name = 'IndexError';
}

/** Misuse of autograd: backward on a non-scalar without a gradient, a released graph, … */
export class AutogradError extends TensorloomError {
  override name = 'AutogradError';
}

/** Creation from data that is not a tensor: ragged nested arrays, non-numbers, a wrong length for the shape. */
export class DataError extends TensorloomError {
  override name = 'DataError';
}
