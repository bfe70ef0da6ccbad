/** @file Kullback–Leibler divergence with PyTorch's argument order: input log-probabilities, target probabilities. */
import { div, eq, exp, log, mul, sub, sum, type Tensor, where } from '@tensorloom/tensor';
import { checkFloat, checkSameShape } from './checks.js';
import { checkReduction, type Reduction, reduce } from './reduction.js';

export interface KlDivOptions {
  /**
   * Default 'mean', PyTorch's default, which averages over every element; 'batchmean' (Σ / N) is the
   * mathematically correct KL per sample and what you usually want.
   */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. Default false. */
  logTarget?: boolean;
}

/** t·log t with 0·log 0 = 0 (torch.xlogy(t, t)); the log sees 1 where t = 0 so its gradient stays finite. */
function xlogx(t: Tensor): Tensor {
  const zero = eq(t, 0);
  return where(zero, 0, mul(t, log(where(zero, 1, t))));
}

/**
 * KL(target ‖ exp(input)) pointwise, ℓ = t·(log t − x), or with `logTarget` ℓ = e^t·(t − x), as
 * `torch.nn.functional.kl_div`; x = input holds log-probabilities.
 * @example
 * const loss = klDiv(logSoftmax(studentLogits, -1), softmax(teacherLogits, -1), { reduction: 'batchmean' });
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const op = 'klDiv';
  const { reduction = 'mean', logTarget = false } = options;
  checkReduction(op, reduction, ['none', 'mean', 'sum', 'batchmean']);
  checkFloat(op, 'input', input);
  checkFloat(op, 'target', target);
  checkSameShape(op, input, target);
  const t = target.dtype === input.dtype ? target : target.to(input.dtype);
  const loss = logTarget ? mul(exp(t), sub(t, input)) : sub(xlogx(t), mul(t, input));
  if (reduction !== 'batchmean') return reduce(loss, reduction);
  // Σ ℓ / N with N = input.shape[0]; a 0-d input has no batch dim, so it is just the sum (as in PyTorch).
  return input.ndim === 0 ? sum(loss) : div(sum(loss), input.shape[0]);
}
