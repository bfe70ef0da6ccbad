/** @file Gradient clipping by total norm and by value, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
import { fusedScale_, fusedSumOfSquares, noGrad, type Tensor, type TypedArray } from '@tensorloom/tensor';
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

/** A gradient's elements: a view of its storage when contiguous (writes go to the gradient), else a copy. */
const valuesOf = (g: Tensor): TypedArray =>
  g.isContiguous() ? g.data.subarray(g.offset, g.offset + g.size) : g.dataSync();

/**
 * ‖g‖ₚ in float64 from the gradient's values, as the tensor ops `g.double().square().sum().sqrt()` (and the L1,
 * L∞ and general-p forms) take it, to float64 rounding. The 2-norm keeps four partial sums (elements i mod 4):
 * one running sum waits on each addition's latency, and this loop ran 2.4× faster for a translator's 8M
 * gradients; the partial sums change the float64 total in its last bits, far below the float32 the result is
 * rounded to.
 */
function norm(grad: Tensor, p: number): number {
  const x = valuesOf(grad);
  const n = x.length;
  if (n === 0) return 0;
  let s = 0;
  if (p === Number.POSITIVE_INFINITY) {
    for (let i = 0; i < n; i++) {
      const a = Math.abs(x[i]);
      if (a > s || a !== a) s = a; // a NaN sticks, as in amax
    }
    return s;
  }
  if (p === 2) {
    const fused = x instanceof Float32Array ? fusedSumOfSquares(x) : null; // the wasm kernel, same sums
    return Math.sqrt(fused ?? sumOfSquares(x));
  }
  if (p === 1) for (let i = 0; i < n; i++) s += Math.abs(x[i]);
  else for (let i = 0; i < n; i++) s += Math.abs(x[i]) ** p;
  return root(s, p);
}

/** Σ x_i² in float64, in four interleaved partial sums. */
function sumOfSquares(x: TypedArray): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = x.length;
  const whole = n - (n % 4);
  for (let i = 0; i < whole; i += 4) {
    const a = x[i];
    const b = x[i + 1];
    const c = x[i + 2];
    const d = x[i + 3];
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (let i = whole; i < n; i++) s0 += x[i] * x[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * Scales all gradients together so that their total p-norm, taken as if they were concatenated into one
 * vector, is at most `maxNorm`, and returns that total norm (before clipping). As in PyTorch, each gradient's
 * norm is taken and rounded to the gradients' dtype, then the norm of those norms, and every gradient is
 * multiplied by min(1, maxNorm / (total + 1e-6)) (gradients already under the limit keep their values).
 * Gradients are overwritten in place (their storage is written), so anything holding `p.grad` sees the clipped
 * values; parameters without a gradient are skipped, and with none at all the norm is 0.
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
  if (clamped === 1) return total; // PyTorch multiplies by 1, which changes no value
  for (const g of grads) {
    if (!g.isContiguous()) {
      noGrad(() => g.copy_(g.mul(clamped)));
      continue;
    }
    const x = valuesOf(g);
    if (x instanceof Float32Array && fusedScale_(x, clamped)) continue; // the wasm kernel, same roundings
    const c = g.dtype === 'float32' ? Math.fround(clamped) : clamped; // the scalar meets g's dtype
    for (let i = 0; i < x.length; i++) x[i] *= c; // a Float32Array store rounds, as g.mul does
  }
  return total;
}

/**
 * Clamps every gradient elementwise to [−clipValue, clipValue] in place (storage written); parameters without a
 * gradient are skipped. torch.nn.utils.clip_grad_value_.
 * @example clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  checkNonNegative('clipGradValue', 'clipValue', clipValue);
  for (const g of gradsOf(params)) {
    if (!g.isContiguous()) {
      noGrad(() => g.copy_(g.clamp(-clipValue, clipValue)));
      continue;
    }
    const x = valuesOf(g);
    const hi = g.dtype === 'float32' ? Math.fround(clipValue) : clipValue;
    for (let i = 0; i < x.length; i++) {
      if (x[i] < -hi) x[i] = -hi;
      else if (x[i] > hi) x[i] = hi; // NaN stays, as in clamp
    }
  }
}
