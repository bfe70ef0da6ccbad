/**
 * @tensorloom/tensor: n-d tensors with reverse-mode autograd and PyTorch's names and semantics.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad?.toArray(); // [[2, 4], [6, 8]]
 */

export { enableGrad, isGradEnabled, noGrad } from './autograd/grad-mode.js';
export { GradcheckError, type GradcheckOptions, gradcheck } from './autograd/gradcheck.js';
export type { GradNode } from './autograd/node.js';
export type { Backend, BinaryOp, ReduceOp, StridedArray, UnaryOp } from './backend/backend.js';
export { getBackend, listBackends, registerBackend, setBackend } from './backend/registry.js';
export { type AdamScalars, fusedAdam_ } from './backend/wasm/adam.js';
export { fusedScale_, fusedSumOfSquares } from './backend/wasm/grad-clip.js';
export {
  getNumThreads,
  initThreads,
  initWasmBackend,
  setNumThreads,
  type WasmVariant,
  wasmBackend,
} from './backend/wasm/index.js';
export type { DType, FloatArray, FloatDType, TypedArray } from './dtype.js';
export { isFloating, promoteTypes } from './dtype.js';
export { AutogradError, DataError, DTypeError, IndexError, ShapeError, TensorloomError } from './errors.js';
export { type DropoutOptions, dropout, gelu, logSoftmax, softmax } from './ops/activations.js';
export {
  arange,
  bernoulli,
  type CreationOptions,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  type RandomOptions,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from './ops/creation.js';
export { softmaxCrossEntropy } from './ops/cross-entropy.js';
export {
  abs,
  add,
  clamp,
  cos,
  div,
  eq,
  erf,
  exp,
  ge,
  gt,
  le,
  log,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  lt,
  maskedFill,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  relu,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sqrt,
  square,
  sub,
  tanh,
  where,
} from './ops/elementwise.js';
export { gather, indexAdd, indexSelect, oneHot, scatterAdd, tril, triu } from './ops/indexing.js';
export { cat, chunk, split, stack } from './ops/join.js';
export { linear } from './ops/linear.js';
export { type LstmSequenceOptions, lstmSequence } from './ops/lstm-sequence.js';
export { matmul } from './ops/matmul.js';
export {
  cast,
  clone,
  contiguous,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  squeeze,
  transpose,
  unsqueeze,
  view,
} from './ops/movement.js';
export { layerNorm } from './ops/normalization.js';
export {
  amax,
  amin,
  argmax,
  argmin,
  max,
  mean,
  min,
  std,
  sum,
  type VarianceOptions,
  variance,
} from './ops/reduce.js';
export { gruCellGates, lstmCellGates } from './ops/rnn-gates.js';
export type { Primitive, PrimitiveParams } from './primitives.js';
export { defaultGenerator, Generator, manualSeed } from './random.js';
export type { Shape } from './shape.js';
export { broadcastShapes } from './shape.js';
export { setStoragePoolLimit, storagePoolStats } from './storage.js';
export { type NestedArray, type Scalar, Tensor, type TensorLike } from './tensor.js';
