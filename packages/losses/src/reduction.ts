/** @file How a loss turns per-element values into its result: the `reduction` option and safe weighted means. */
import { div, eq, mean, sum, type Tensor, TensorloomError, where } from '@tensorloom/tensor';

/** PyTorch's `reduction`: 'none' keeps one loss per element, 'sum' adds them, 'mean' averages them. */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/** Throws unless `reduction` is one of `allowed`. */
export function checkReduction<R extends string>(
  op: string,
  reduction: R,
  allowed: readonly string[] = REDUCTIONS,
): R {
  if (!allowed.includes(reduction)) {
    const expected = allowed.map((r) => `'${r}'`).join(', ');
    throw new TensorloomError(`${op}: reduction must be one of ${expected} (got '${String(reduction)}')`);
  }
  return reduction;
}

/** 'none' → the losses, 'sum' → Σ loss, 'mean' → Σ loss / numel (PyTorch's plain mean, NaN when empty). */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'mean') return mean(loss);
  return loss;
}

/**
 * total / denominator, except that a zero denominator gives 0 with a zero gradient (PyTorch gives NaN). The
 * division runs on a denominator of 1 there, so no 0/0 reaches the graph: a NaN in an unselected `where`
 * branch would still poison the gradient (0·NaN = NaN).
 */
export function safeDivide(total: Tensor, denominator: Tensor): Tensor {
  const empty = eq(denominator, 0);
  return where(empty, 0, div(total, where(empty, 1, denominator)));
}
