/**
 * @file Variable-length batches as masks. A batch element with length L has real steps 0 … L−1 and padding
 * after; the recurrence keeps its state unchanged on padded steps (h = where(real, h', h)), so padded steps
 * neither change the final states nor receive gradient, which is what PyTorch's packed sequences compute.
 */
import { DTypeError, IndexError, ShapeError, type Tensor, tensor } from '@tensorloom/tensor';

/** One length per batch element: an int32 tensor [B] or a number array. */
export type Lengths = Tensor | readonly number[];

/** The lengths as numbers, checked: one per batch element, each an integer in [1, steps]. */
export function checkLengths(op: string, lengths: Lengths, steps: number, batch: number): number[] {
  let values: number[];
  if (Array.isArray(lengths)) {
    values = [...(lengths as readonly number[])];
  } else {
    const t = lengths as Tensor;
    if (t.dtype !== 'int32') throw new DTypeError(`${op}: lengths must be an int32 tensor (got ${t.dtype})`);
    if (t.ndim !== 1) {
      throw new ShapeError(`${op}: lengths must be a 1-D tensor [B] (got shape [${t.shape.join(', ')}])`);
    }
    values = Array.from(t.dataSync());
  }
  if (values.length !== batch) {
    throw new ShapeError(
      `${op}: lengths must have one entry per batch element (expected ${batch}, got ${values.length})`,
    );
  }
  values.forEach((length, b) => {
    if (!Number.isInteger(length) || length < 1 || length > steps) {
      throw new IndexError(
        `${op}: lengths[${b}] = ${length} must be an integer in [1, ${steps}] (the input has ${steps} time steps)`,
      );
    }
  });
  return values;
}

/** Which (step, batch element) pairs are real tokens, as the time loop and the output need them. */
export interface StepMasks {
  /** perStep[t] [B, 1]: true where step t is a real token; null where it is real in every sequence. */
  perStep: (Tensor | null)[];
  /** The same for the whole output: [T, B, 1], or [B, T, 1] with batchFirst. */
  sequence: Tensor;
}

/** Masks for `lengths`, or null when every sequence fills all `steps` (nothing to mask). */
export function stepMasks(lengths: readonly number[], steps: number, batchFirst: boolean): StepMasks | null {
  if (lengths.every((length) => length === steps)) return null;
  const batch = lengths.length;
  const shortest = Math.min(...lengths);
  const perStep = Array.from({ length: steps }, (_, t) =>
    t < shortest
      ? null
      : tensor(
          lengths.map((length) => t < length),
          { shape: [batch, 1], dtype: 'bool' },
        ),
  );
  const flat: boolean[] = [];
  if (batchFirst) for (const length of lengths) for (let t = 0; t < steps; t++) flat.push(t < length);
  else for (let t = 0; t < steps; t++) for (const length of lengths) flat.push(t < length);
  const shape = batchFirst ? [batch, steps, 1] : [steps, batch, 1];
  return { perStep, sequence: tensor(flat, { shape, dtype: 'bool' }) };
}
