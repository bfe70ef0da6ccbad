/**
 * @file The optimizers' fused float32 update loops: one pass over a parameter's storage that reads its gradient
 * and updates the parameter and its state buffers in place, allocating nothing.
 *
 * Each loop replays, element by element, the op sequence of PyTorch's single-tensor algorithm (the composed path
 * in the optimizer files, which the PyTorch fixtures check bit for bit), with Math.fround wherever PyTorch holds
 * a float32 tensor, i.e. after every op: +, −, ×, ÷ and √ of float32 values done in float64 and rounded to
 * float32 give the correctly rounded float32 result. The multiply-adds that PyTorch's kernels fuse (`add` with
 * alpha, `addcmul`) round once, as in pointwise.ts: fround(a + b·c), where the product of two float32 values is
 * exact in float64. Scalars arrive rounded to float32, as PyTorch rounds Python scalars that meet a tensor.
 *
 * Why float32 only, and why the rarely used options sit outside the main loops: V8 keeps a loop fast only while
 * it stays monomorphic and small. One loop serving float32 and float64 storage (rounding through a function
 * argument) became 14× slower, as slow as the composed ops, once it had seen both; and one more loop invariant or
 * branch in Adam's loop (a sign, a decay factor, an AMSGrad test) cost up to 60%, likely in register spills.
 * So float64 parameters (used for checks, not training) take the composed path, which is exact for them;
 * maximize and L2 weight decay get a first pass (effectiveGrad), AdamW's decay another (scale), and AMSGrad a
 * loop of its own.
 */

import { type AdamScalars, fusedAdam_ } from '@tensorloom/tensor';

const fr = Math.fround;

/**
 * The gradient an update uses, g = ±∇ + λθ (PyTorch: `grad.neg()` when maximizing, then
 * `grad.add(param, alpha=λ)`): `grad` itself when neither applies, else a new array.
 */
export function effectiveGrad(
  param: Float32Array,
  grad: Float32Array,
  weightDecay: number,
  maximize: boolean,
): Float32Array {
  if (weightDecay === 0 && !maximize) return grad;
  const n = grad.length;
  const out = new Float32Array(n);
  const sign = maximize ? -1 : 1;
  if (weightDecay === 0) for (let i = 0; i < n; i++) out[i] = -grad[i];
  else for (let i = 0; i < n; i++) out[i] = fr(sign * grad[i] + weightDecay * param[i]);
  return out;
}

/** x ← x·c in place (AdamW's decoupled decay, PyTorch's `param.mul_(1 − lr·λ)`). */
export function scale(x: Float32Array, c: number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) x[i] = fr(x[i] * c);
}

/** Adam's per-step scalars, each rounded to float32: the tensor package's, which its wasm kernel takes too. */
export type { AdamScalars };

/**
 * Adam's moments and step: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * θ ← θ + (−stepSize·m) / (√v / √(1 − β₂ᵗ) + ε). PyTorch: `m.mul_(β₁).add_(g, alpha=1 − β₁)`, `v.mul_(β₂).addcmul_(g, g, value=1 − β₂)`,
 * `denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)`, `param.addcdiv_(m, denom, value=−step_size)`.
 */
export function adam(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  s: AdamScalars,
): void {
  // The wasm backend has this loop as a SIMD kernel with bit-identical results (about three times faster).
  if (fusedAdam_(param, grad, expAvg, expAvgSq, s)) return;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize } = s;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const m = fr(fr(expAvg[i] * beta1) + oneMinusBeta1 * g);
    const v = fr(fr(expAvgSq[i] * beta2) + fr(g * oneMinusBeta2) * g);
    expAvg[i] = m;
    expAvgSq[i] = v;
    const denom = fr(fr(fr(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    param[i] = fr(param[i] + fr(fr(m * negStepSize) / denom));
  }
}

/** Adam with AMSGrad: as `adam`, with v in the denominator replaced by v̂ ← max(v̂, v) (`torch.maximum`). */
export function amsgrad(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array,
  s: AdamScalars,
): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize } = s;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const m = fr(fr(expAvg[i] * beta1) + oneMinusBeta1 * g);
    const v = fr(fr(expAvgSq[i] * beta2) + fr(g * oneMinusBeta2) * g);
    const x = maxExpAvgSq[i];
    const max = x > v || x !== x ? x : v; // NaN propagates
    expAvg[i] = m;
    expAvgSq[i] = v;
    maxExpAvgSq[i] = max;
    const denom = fr(fr(fr(Math.sqrt(max)) / biasCorrection2Sqrt) + eps);
    param[i] = fr(param[i] + fr(fr(m * negStepSize) / denom));
  }
}

/** SGD's per-step scalars, each rounded to float32. */
export interface SGDScalars {
  momentum: number;
  /** 1 − τ. */
  oneMinusDampening: number;
  negLr: number;
  nesterov: boolean;
  /** The momentum buffer is new: it takes the gradient as it is (PyTorch's `clone`). */
  firstStep: boolean;
}

/**
 * SGD: without a momentum buffer θ ← θ − lr·g; with one b ← g on the first step, else μb + (1 − τ)g, then
 * θ ← θ − lr·(g + μb) (Nesterov) or θ − lr·b. PyTorch: `buf.mul_(μ).add_(g, alpha=1 − τ)`,
 * `g.add(buf, alpha=μ)`, `param.add_(g, alpha=−lr)`.
 */
export function sgd(
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | null,
  s: SGDScalars,
): void {
  const { momentum, oneMinusDampening, negLr, nesterov, firstStep } = s;
  const n = param.length;
  if (momentumBuffer === null) {
    for (let i = 0; i < n; i++) param[i] = fr(param[i] + negLr * grad[i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const b = firstStep ? g : fr(fr(momentumBuffer[i] * momentum) + oneMinusDampening * g);
    momentumBuffer[i] = b;
    param[i] = fr(param[i] + negLr * (nesterov ? fr(g + momentum * b) : b));
  }
}

/** RMSprop's per-step scalars, each rounded to float32. */
export interface RMSpropScalars {
  alpha: number;
  /** 1 − α. */
  oneMinusAlpha: number;
  eps: number;
  momentum: number;
  negLr: number;
}

/**
 * RMSprop: s ← αs + (1 − α)g²; centered (with `gradAvg`) ḡ ← αḡ + (1 − α)g and a = √(s − ḡ²) + ε, else
 * a = √s + ε; with a momentum buffer b ← μb + g/a and θ ← θ − lr·b, else θ ← θ + (−lr·g)/a. PyTorch:
 * `s.mul_(α).addcmul_(g, g, value=1 − α)`, `ḡ.mul_(α).add_(g, alpha=1 − α)`,
 * `s.addcmul(ḡ, ḡ, value=−1).sqrt_()`, `.add_(eps)`, `b.mul_(μ).addcdiv_(g, a)`, `param.add_(b, alpha=−lr)` or
 * `param.addcdiv_(g, a, value=−lr)`.
 */
export function rmsprop(
  param: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  momentumBuffer: Float32Array | null,
  s: RMSpropScalars,
): void {
  const { alpha, oneMinusAlpha, eps, momentum, negLr } = s;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const sq = fr(fr(squareAvg[i] * alpha) + fr(g * oneMinusAlpha) * g);
    squareAvg[i] = sq;
    let avg: number;
    if (gradAvg !== null) {
      const ga = fr(fr(gradAvg[i] * alpha) + oneMinusAlpha * g);
      gradAvg[i] = ga;
      avg = fr(fr(Math.sqrt(fr(sq - ga * ga))) + eps); // s + (−ḡ)·ḡ in one rounding
    } else {
      avg = fr(fr(Math.sqrt(sq)) + eps);
    }
    if (momentumBuffer !== null) {
      const b = fr(fr(momentumBuffer[i] * momentum) + fr(g / avg));
      momentumBuffer[i] = b;
      param[i] = fr(param[i] + negLr * b);
    } else {
      param[i] = fr(param[i] + fr(fr(g * negLr) / avg));
    }
  }
}

/** Adagrad's per-step scalars, each rounded to float32. */
export interface AdagradScalars {
  eps: number;
  /** −lr / (1 + (t − 1)·d). */
  negClr: number;
}

/**
 * Adagrad: s ← s + g²; θ ← θ + (−clr·g) / (√s + ε). PyTorch: `s.addcmul_(g, g, value=1)`,
 * `std = s.sqrt().add_(eps)`, `param.addcdiv_(g, std, value=−clr)`.
 */
export function adagrad(param: Float32Array, grad: Float32Array, sum: Float32Array, s: AdagradScalars): void {
  const { eps, negClr } = s;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const acc = fr(sum[i] + g * g);
    sum[i] = acc;
    param[i] = fr(param[i] + fr(fr(g * negClr) / fr(fr(Math.sqrt(acc)) + eps)));
  }
}
