/**
 * @file Layer normalisation as one fused primitive. Composed from mean, sub, square, add, rsqrt, mul and add, a
 * layer norm made nine ops forward and about fifteen backward, each allocating a tensor of the input's size; a
 * Transformer step runs a dozen of them. One kernel does each direction, keeping each row's mean and 1/σ.
 */
import { record } from '../autograd/record.js';
import type { StridedArray } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray } from '../dtype.js';
import { ShapeError, TensorloomError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { contiguous } from './movement.js';
import { floatInputs, recording } from './rnn-gates.js';
import { empty, emptyForOverwrite } from './util.js';

/** x's storage seen as `rows` contiguous rows of `cols` (x itself must be contiguous). */
const rowsOf = (x: Tensor, rows: number, cols: number): StridedArray => ({
  data: x.data,
  shape: [rows, cols],
  strides: [cols, 1],
  offset: x.offset,
});

/** A contiguous [D] view of an affine parameter, or null. */
const vectorOf = (v: Tensor | null, cols: number): StridedArray | null =>
  v && { data: v.data, shape: [cols], strides: [1], offset: v.offset };

/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016) over the trailing dims `normalizedShape`: y = (x − E[x]) /
 * √(Var[x] + eps) · weight + bias with the biased variance, as `torch.nn.functional.layer_norm`. weight and bias
 * have the shape `normalizedShape` (null: 1 and 0). One kernel forward and one backward.
 * @example
 * const y = layerNorm(x, [256], gamma, beta); // x [B, T, 256]
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const op = 'layerNorm';
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ShapeError(
      `${op}: normalizedShape must be a non-empty list of positive integers (got ${formatShape(shape)})`,
    );
  }
  if (!(eps >= 0)) throw new TensorloomError(`${op}: eps must be a number ≥ 0 (got ${eps})`);
  const k = shape.length;
  if (x.ndim < k || x.shape.slice(x.ndim - k).some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      `${op}: input's trailing dims must be ${formatShape(shape)} (got input ${formatShape(x.shape)})`,
    );
  }
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.ndim !== k || p.shape.some((d, i) => d !== shape[i]))) {
      throw new ShapeError(
        `${op}: ${name} must have the normalized shape ${formatShape(shape)} (got ${formatShape(p.shape)})`,
      );
    }
  }
  const present = { x, ...(weight ? { weight } : {}), ...(bias ? { bias } : {}) };
  const [input, ...affine] = floatInputs(op, present).map(contiguous);
  const w = weight ? affine[0] : null;
  const b = bias ? affine[affine.length - 1] : null;
  const cols = shape.reduce((a, d) => a * d, 1);
  const rows = input.size / cols;
  const inputs = [input, ...affine];
  const out = emptyForOverwrite(input.shape, input.dtype);
  const stats = recording(inputs) ? empty([rows, 2], input.dtype) : null;
  getBackend().layerNorm(
    rowsOf(input, rows, cols),
    vectorOf(w, cols),
    vectorOf(b, cols),
    eps,
    out.data as FloatArray,
    (stats?.data as FloatArray) ?? null,
  );
  if (!stats) return out;
  return record('layerNorm', out, inputs, { stats, normalizedShape: shape, hasWeight: w !== null });
}

/**
 * layerNorm's backward, one kernel (not differentiable): from dy (x's shape), the contiguous x, weight (or null)
 * and the stats the forward kept → [dx, dWeight, dBias] (dWeight, dBias of the normalized shape), null where
 * `wanted` says no.
 */
export function layerNormBackward(
  dy: Tensor,
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null,
  stats: Tensor,
  wanted: readonly [x: boolean, weight: boolean, bias: boolean],
): [Tensor | null, Tensor | null, Tensor | null] {
  const rows = stats.shape[0];
  const cols = normalizedShape.reduce((a, d) => a * d, 1);
  const dx = wanted[0] ? emptyForOverwrite(x.shape, x.dtype) : null;
  const dWeight = wanted[1] ? empty(normalizedShape, x.dtype) : null;
  const dBias = wanted[2] ? empty(normalizedShape, x.dtype) : null;
  const grad = contiguous(dy.to(x.dtype)); // .to and contiguous copy nothing that is already so
  getBackend().layerNormBackward(
    rowsOf(grad, rows, cols),
    rowsOf(x, rows, cols),
    vectorOf(weight, cols),
    stats.data as FloatArray,
    (dx?.data as FloatArray) ?? null,
    (dWeight?.data as FloatArray) ?? null,
    (dBias?.data as FloatArray) ?? null,
  );
  return [dx, dWeight, dBias];
}
