/** @file Activations: GELU and dropout composed from primitives; softmax and log-softmax as fused primitives. */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import { isFloating } from '../dtype.js';
import { DTypeError, TensorloomError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { normalizeDim } from '../shape.js';
import { allocateForOverwrite } from '../storage.js';
import { Tensor } from '../tensor.js';
import { add, erf, mul, tanh } from './elementwise.js';
import { cast, permute } from './movement.js';
import { emptyForOverwrite } from './util.js';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit. Exact: x·Φ(x) = ½x(1 + erf(x/√2)); 'tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * (Hendrycks & Gimpel, 2016.)
 */
export function gelu(x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  const approximate = options.approximate ?? 'none';
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== 'none')
    throw new TensorloomError(`gelu: approximate must be 'none' or 'tanh' (got '${approximate}')`);
  return mul(mul(x, 0.5), add(erf(mul(x, SQRT_HALF)), 1));
}

function floatInput(op: string, x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: not supported for bool tensors`);
  return isFloating(x.dtype) ? x : cast(x, 'float32');
}

/**
 * exp(x_i) / Σ_j exp(x_j) along `dim`. The row max is subtracted first (it cancels), so large inputs do not
 * overflow. One fused kernel: the composite (max, sub, exp, sum, div) made five passes and four temporaries.
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return normalize('softmax', x, dim);
}

/** x_i − log Σ_j exp(x_j) along `dim`, by the max-shifted log-sum-exp. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return normalize('logSoftmax', x, dim);
}

/** Views of rank-`ndim` tensors with dim `d` swapped with the last (a swap is its own inverse), for row kernels. */
function dimLast(ndim: number, d: number): (t: Tensor) => Tensor {
  const last = ndim - 1;
  if (d === last || last < 0) return (t) => t;
  const order = Array.from({ length: ndim }, (_, i) => i);
  [order[d], order[last]] = [order[last], order[d]];
  return (t) => permute(t, order);
}

/** Runs the kernel on views with `dim` moved last; the result is contiguous in the input's dim order. */
function normalize(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number): Tensor {
  const input = floatInput(op, x);
  const d = normalizeDim(op, dim, input.ndim);
  const out = emptyForOverwrite(input.shape, input.dtype);
  const moved = dimLast(input.ndim, d);
  getBackend().softmax(moved(input), moved(out), op === 'logSoftmax');
  return record(op, out, [input], { dim: d });
}

/**
 * softmax's or log-softmax's backward along `dim`, one kernel (not differentiable): from the forward's output y
 * and the gradient g, y ⊙ (g − Σ g ⊙ y), or g − exp(y) ⊙ Σ g for log-softmax. Contiguous in y's dim order.
 */
export function softmaxBackward(op: 'softmax' | 'logSoftmax', y: Tensor, g: Tensor, dim: number): Tensor {
  const out = emptyForOverwrite(y.shape, y.dtype);
  const moved = dimLast(y.ndim, dim);
  getBackend().softmaxBackward(moved(y), moved(g.to(y.dtype)), moved(out), op === 'logSoftmax');
  return out;
}

export interface DropoutOptions {
  /** Probability of zeroing an element. */
  p?: number;
  /** Dropout acts only in training; in eval it is the identity. */
  training?: boolean;
  generator?: Generator;
}

/** Zeroes each element with probability p and scales the rest by 1/(1−p), so the expectation is unchanged. */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const { p = 0.5, training = true, generator = defaultGenerator } = options;
  if (!(p >= 0 && p <= 1)) throw new TensorloomError(`dropout: p must be in [0, 1] (got ${p})`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  // The mask holds 0 or 1/(1−p) (rounded to x's dtype, as mul(keep, 1/(1−p)) would give): one op, not three.
  const mask = allocateForOverwrite(floatInput('dropout', x).dtype, x.size) as Float32Array | Float64Array;
  generator.fillBernoulli(mask, 1 - p, 1 / (1 - p));
  return mul(x, new Tensor(mask, [...x.shape]));
}
