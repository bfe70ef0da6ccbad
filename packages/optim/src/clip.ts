/** @file Gradient clipping by total norm and by value, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
import { noGrad, type Tensor } from '@tensorloom/tensor';
import { checkNonNegative } from './checks.js';
import { OptimError } from './errors.js';

export interface ClipGradNormOptions {
  /** Throw if the total norm is NaN or infinite instead of scaling by it (default false, as in PyTorch). */
  errorIfNonfinite?: boolean;
}

const gradsOf = (params: Tensor | Iterable<Tensor>): Tensor[] =>
  [...(Symbol.iterator in params ? params : [params])]
    .map((p) => p.grad)
    .filter((g): g is Tensor => g !== null);

/** s^(1/p), exact-rounded for p = 2 (Math.sqrt) and p = 1. */
const root = (s: number, p: number): number => (p === 1 ? s : p === 2 ? Math.sqrt(s) : s ** (1 / p));

/** ‖g‖ₚ computed in float64 from the gradient's values. */
function norm(grad: Tensor, p: number): number {
  if (grad.size === 0) return 0;
  if (p === Number.POSITIVE_INFINITY) return grad.abs().amax().item();
  const g = grad.double();
  if (p === 1) return g.abs().sum().item();
  if (p === 2) return g.square().sum().sqrt().item();
  return g
    .abs()
    .pow(p)
    .sum()
    .pow(1 / p)
    .item();
}

/**
 * Scales all gradients together so that their total p-norm, taken as if they were concatenated into one
 * vector, is at most `maxNorm`, and returns that total norm (before clipping). As in PyTorch, each gradient's
 * norm is taken and rounded to the gradients' dtype, then the norm of those norms, and every gradient is
 * multiplied by min(1, maxNorm / (total + 1e-6)) (so gradients already under the limit are multiplied by 1).
 * Gradients are overwritten in place (`grad.copy_`), so anything holding `p.grad` sees the clipped values;
 * parameters without a gradient are skipped, and with none at all the norm is 0.
 * @param normType p > 0 of the p-norm, or Infinity for the largest absolute value (default 2).
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  checkNonNegative('clipGradNorm', 'maxNorm', maxNorm);
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new OptimError(`clipGradNorm: normType must be a number > 0 or Infinity (got ${normType})`);
  }
  const grads = gradsOf(params);
  if (grads.length === 0) return 0;
  // PyTorch's per-tensor norms and clip coefficient are tensors of the gradients' dtype.
  const round = grads[0].dtype === 'float32' ? Math.fround : (x: number) => x;
  const norms = grads.map((g) => round(norm(g, normType)));
  const total = round(
    normType === Number.POSITIVE_INFINITY
      ? Math.max(...norms)
      : root(
          norms.reduce((s, n) => s + Math.abs(n) ** normType, 0),
          normType,
        ),
  );
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new OptimError(
      `clipGradNorm: the total norm of order ${normType} of the gradients is non-finite (got ${total}), so it cannot be clipped`,
    );
  }
  // clip_coef = max_norm / (total_norm + 1e-6), where Python's float / tensor is reciprocal(tensor) * float.
  const coef = round(round(1 / round(total + round(1e-6))) * round(maxNorm));
  const clamped = Math.min(coef, 1); // torch.clamp(max=1); a NaN coefficient stays NaN
  noGrad(() => {
    for (const g of grads) g.copy_(g.mul(clamped));
  });
  return total;
}

/**
 * Clamps every gradient elementwise to [−clipValue, clipValue] in place (`grad.copy_`); parameters without a
 * gradient are skipped. torch.nn.utils.clip_grad_value_.
 * @example clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  checkNonNegative('clipGradValue', 'clipValue', clipValue);
  noGrad(() => {
    for (const g of gradsOf(params)) g.copy_(g.clamp(-clipValue, clipValue));
  });
}
