/**
 * @tensorloom/tensor: n-d tensors with reverse-mode autograd and PyTorch's names and semantics.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad?.toArray(); // [[2, 4], [6, 8]]
 */
export { Tensor, type NestedArray, type Scalar, type TensorLike } from './tensor.js';
export type { DType, FloatDType, TypedArray, FloatArray } from './dtype.js';
export { promoteTypes, isFloating } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes } from './shape.js';
export { TensorloomError, ShapeError, DTypeError, IndexError, AutogradError, DataError } from './errors.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export type { GradNode } from './autograd/node.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './autograd/gradcheck.js';
export { getBackend, setBackend, registerBackend, listBackends } from './backend/registry.js';
export type { Backend, StridedArray, UnaryOp, BinaryOp, ReduceOp } from './backend/backend.js';
export type { Primitive, PrimitiveParams } from './primitives.js';
export {
  tensor,
  full,
  zeros,
  ones,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randLike,
  randnLike,
  randint,
  bernoulli,
  type CreationOptions,
  type TensorOptions,
  type RandomOptions,
} from './ops/creation.js';
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  neg,
  abs,
  relu,
  exp,
  log,
  sqrt,
  rsqrt,
  square,
  sin,
  cos,
  tanh,
  sigmoid,
  erf,
  sign,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
  logicalNot,
  where,
  maskedFill,
  clamp,
} from './ops/elementwise.js';
export { sum, mean, variance, std, max, min, amax, amin, argmax, argmin, type VarianceOptions } from './ops/reduce.js';
export { gelu, softmax, logSoftmax, dropout, type DropoutOptions } from './ops/activations.js';
export { matmul } from './ops/matmul.js';
export {
  reshape,
  view,
  permute,
  transpose,
  expand,
  flatten,
  squeeze,
  unsqueeze,
  slice,
  narrow,
  select,
  contiguous,
  clone,
  cast,
} from './ops/movement.js';
export { cat, stack, split, chunk } from './ops/join.js';
export { indexSelect, gather, scatterAdd, indexAdd, tril, triu, oneHot } from './ops/indexing.js';
