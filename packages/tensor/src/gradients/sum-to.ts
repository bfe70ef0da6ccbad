/** @file Undoing broadcasting: sums a gradient down to the shape its input had before it was expanded. */
import { reshape } from '../ops/movement.js';
import { sum } from '../ops/reduce.js';
import type { Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

export function sumTo(g: Tensor, shape: Shape): Tensor {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  return dims.length === 0 ? g : reshape(sum(g, dims, true), shape);
}
