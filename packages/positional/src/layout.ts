/**
 * @file Where positions go in a sequence batch: [B, T, D] when batchFirst, [T, B, D] otherwise, or an unbatched
 * [T, D] in either layout. Shared by the additive encodings (sinusoidal and learned).
 */
import { ShapeError, type Tensor } from '@tensorloom/tensor';
import { formatShape } from './errors.js';

/** Checks x against the layout and dModel, and returns its length T. */
export function sequenceLength(op: string, x: Tensor, dModel: number, batchFirst: boolean): number {
  if (x.ndim !== 2 && x.ndim !== 3) {
    const layout = batchFirst ? '[B, T, D]' : '[T, B, D]';
    throw new ShapeError(`${op}: input must be 3-D ${layout} or 2-D [T, D] (got ${formatShape(x.shape)})`);
  }
  const width = x.shape[x.ndim - 1];
  if (width !== dModel) {
    throw new ShapeError(
      `${op}: input last dim must equal dModel (expected ${dModel}, got ${width}; input ${formatShape(x.shape)})`,
    );
  }
  return x.ndim === 3 && batchFirst ? x.shape[1] : x.shape[0];
}

/** x + pe, with pe [T, D] broadcast over the batch dim of either layout. */
export function addPositions(x: Tensor, pe: Tensor, batchFirst: boolean): Tensor {
  if (x.ndim === 3 && !batchFirst) return x.add(pe.unsqueeze(1)); // [T, B, D] + [T, 1, D]
  return x.add(pe); // [B, T, D] + [T, D], or [T, D] + [T, D]
}
