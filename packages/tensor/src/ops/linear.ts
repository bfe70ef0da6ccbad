/**
 * @file The affine map of a Linear layer, y = x·Wᵀ + b, as one primitive. As matmul then add, every layer's
 * forward made a second pass over its output and a second output-sized allocation just to add the bias; here
 * the backend adds it to the product before handing it back.
 */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './movement.js';
import { floatInputs } from './rnn-gates.js';
import { emptyForOverwrite } from './util.js';

/**
 * y = x·weightᵀ + bias over the last dim, as `torch.nn.functional.linear`: x [..., in], weight [out, in], bias
 * [out] or null → [..., out]. Leading dims are flattened into one 2-D product, so backward forms one weight
 * gradient, not one per batch entry.
 * @example linear(randn([8, 5, 16]), randn([4, 16]), zeros([4])).shape // [8, 5, 4]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const op = 'linear';
  if (weight.ndim !== 2) {
    throw new ShapeError(`${op}: weight must be 2-D [out, in] (got ${formatShape(weight.shape)})`);
  }
  const [outFeatures, inFeatures] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError(
      `${op}: input's last dim must be in = ${inFeatures} for weight ${formatShape(weight.shape)} (got input ${formatShape(x.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(
      `${op}: bias must be [out] = ${formatShape([outFeatures])} for weight ${formatShape(weight.shape)} (got ${formatShape(bias.shape)})`,
    );
  }
  const [input, w, b = null] = floatInputs(op, bias ? { x, weight, bias } : { x, weight });
  const flat = input.ndim === 2 ? input : reshape(input, [-1, inFeatures]); // [N, in]
  const out = emptyForOverwrite([flat.shape[0], outFeatures], input.dtype); // [N, out]
  getBackend().linear(flat, w, b, out.data as FloatArray);
  const y = record('linear', out, b ? [flat, w, b] : [flat, w], null);
  return input.ndim === 2 ? y : reshape(y, [...input.shape.slice(0, -1), outFeatures]); // [..., out]
}
