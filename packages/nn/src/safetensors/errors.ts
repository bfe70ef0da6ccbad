/** @file The one error type of the safetensors reader and writer. */
import { TensorloomError } from '@tensorloom/tensor';

/**
 * A safetensors file (or a state dict to be written as one) that breaks the format. The message starts with
 * `safetensors:` and names the tensor and the problem, e.g.
 * `safetensors: tensor 'encoder.weight' data_offsets [0, 48] do not match shape [3,5] × F32 = 60 bytes`.
 */
export class SafetensorsError extends TensorloomError {
  override name = 'SafetensorsError';
}
