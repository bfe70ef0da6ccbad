/**
 * @file The closed set of differentiable primitives and the parameters each records. Every other op is
 * composed from these; each has exactly one backward rule (gradients/rules.ts, typed so that a primitive
 * without a rule does not compile).
 */
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

export interface PrimitiveParams {
  // Elementwise unary.
  neg: null;
  exp: null;
  log: null;
  sqrt: null;
  abs: null;
  sin: null;
  cos: null;
  tanh: null;
  sigmoid: null;
  relu: null;
  erf: null;
  // Elementwise binary, on operands already broadcast to one shape.
  add: null;
  sub: null;
  mul: null;
  div: null;
  pow: null;
  maximum: null;
  minimum: null;
  where: { cond: Tensor };
  // Reductions. maxDim/minDim keep the reduced dim (size 1); the op layer squeezes it.
  sum: { dims: number[]; keepdim: boolean };
  amax: { dims: number[]; keepdim: boolean };
  amin: { dims: number[]; keepdim: boolean };
  maxDim: { dim: number; indices: Tensor };
  minDim: { dim: number; indices: Tensor };
  // Normalisation along one dim, fused (one kernel instead of five ops).
  softmax: { dim: number };
  logSoftmax: { dim: number };
  // Softmax cross-entropy of [N, C] logits against class indices, fused; stats [N, 2] = each row's max and
  // log Σ exp(x − max).
  softmaxCrossEntropy: { targets: Int32Array; labelSmoothing: number; stats: Tensor };
  // Layer norm over the trailing normalizedShape dims, fused; stats [N, 2] = each row's mean and 1/σ. Inputs:
  // x, then weight when hasWeight, then bias if any.
  layerNorm: { stats: Tensor; normalizedShape: number[]; hasWeight: boolean };
  // Recurrent cells' gate nonlinearities, fused; `activations` are the ones the forward kernel kept for backward.
  lstmCellGates: { activations: Tensor };
  gruCellGates: { activations: Tensor };
  // An LSTM layer's time loop in one direction, fused; lengths (null: none padded) and direction as recorded.
  lstmSequence: { activations: Tensor; lengths: Int32Array | null; reverse: boolean };
  // Batched matrix product on operands with equal batch dims.
  matmul: null;
  // x [N, in] · weightᵀ + bias (inputs x, weight and, if any, bias).
  linear: null;
  // Views (share storage) and copies.
  reshape: { shape: number[] };
  permute: { dims: number[] };
  expand: { shape: number[] };
  slice: { dim: number; start: number; step: number };
  sliceScatter: { shape: number[]; dim: number; start: number; step: number };
  cast: { dtype: DType };
  contiguous: null;
  // Joining and indexing.
  cat: { dim: number };
  gather: { dim: number; index: Tensor };
  scatterAdd: { dim: number; index: Tensor };
  indexSelect: { dim: number; index: Tensor };
  indexAdd: { dim: number; index: Tensor };
}

export type Primitive = keyof PrimitiveParams;
