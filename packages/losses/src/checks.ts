/** @file Argument checks shared by the losses. Each error names the loss and gives expected against got. */
import {
  broadcastShapes,
  DTypeError,
  isFloating,
  type Shape,
  ShapeError,
  type Tensor,
  TensorloomError,
} from '@tensorloom/tensor';

export const formatShape = (shape: Shape): string => `[${shape.join(',')}]`;

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A floating-point tensor (the losses' inputs, float targets and weights). */
export function checkFloat(op: string, name: string, t: Tensor): void {
  if (!isFloating(t.dtype)) {
    throw new DTypeError(`${op}: ${name} must be float32 or float64 (got ${t.dtype})`);
  }
}

/** Elementwise losses compare like with like: PyTorch only warns and broadcasts here; we refuse. */
export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: target must have the input's shape (expected ${formatShape(input.shape)}, got ${formatShape(target.shape)})`,
    );
  }
}

/** A per-element weight must broadcast to the input's shape without growing it. */
export function checkBroadcastsTo(op: string, name: string, t: Tensor, input: Tensor): void {
  let ok = true;
  try {
    ok = sameShape(broadcastShapes(op, t.shape, input.shape), input.shape);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ShapeError(
      `${op}: ${name} ${formatShape(t.shape)} must broadcast to the input's shape ${formatShape(input.shape)}`,
    );
  }
}

/** A number option in [lo, hi]. */
export function checkRange(op: string, name: string, value: number, lo: number, hi: number): void {
  if (!(typeof value === 'number' && value >= lo && value <= hi)) {
    throw new TensorloomError(`${op}: ${name} must be in [${lo}, ${hi}] (got ${value})`);
  }
}
