/** @file RMSprop, plain or centered, with optional momentum. */
import { type Tensor, zerosLike } from '@tensorloom/tensor';
import { checkBoolean, checkNonNegative } from './checks.js';
import { canFuse, gradView, view } from './fused.js';
import { effectiveGrad, rmsprop } from './kernels.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';
import { addcdiv, addcmul, addScaled } from './pointwise.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** RMSprop's per-parameter state. */
export type RMSpropState = {
  step: number;
  /** Running average of g². */
  squareAvg: Tensor;
  /** Momentum buffer (momentum > 0 only). */
  momentumBuffer?: Tensor;
  /** Running average of g (centered only). */
  gradAvg?: Tensor;
};

/**
 * RMSprop, PyTorch's torch.optim.RMSprop (single-tensor algorithm, op for op): g ← ∇ + λθ;
 * s ← αs + (1 − α)g²; with centering ḡ ← αḡ + (1 − α)g and a = √(s − ḡ²), else a = √s; a ← a + ε;
 * with momentum b ← μb + g/a, θ ← θ − lr·b, else θ ← θ − lr·g/a.
 * @see Hinton, Lecture 6e of "Neural Networks for Machine Learning" (2012); Graves (2013) for the centered form.
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...options,
    });
  }

  protected validate(group: ParamGroup<RMSpropOptions>): void {
    checkNonNegative('RMSprop', 'lr', group.lr);
    checkNonNegative('RMSprop', 'alpha', group.alpha);
    checkNonNegative('RMSprop', 'eps', group.eps);
    checkNonNegative('RMSprop', 'weightDecay', group.weightDecay);
    checkNonNegative('RMSprop', 'momentum', group.momentum);
    checkBoolean('RMSprop', 'centered', group.centered);
    checkBoolean('RMSprop', 'maximize', group.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, squareAvg: zerosLike(param) };
    if (group.momentum > 0) state.momentumBuffer = zerosLike(param);
    if (group.centered) state.gradAvg = zerosLike(param);
    return state;
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: RMSpropState,
    group: ParamGroup<RMSpropOptions>,
  ): Tensor | null {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    state.step += 1;
    // Buffers missing because an option changed after the first step start at zero, as in the composed ops.
    if (centered && state.gradAvg === undefined) state.gradAvg = zerosLike(param);
    if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = zerosLike(param);
    const gradAvg = centered ? (state.gradAvg as Tensor) : null;
    const buffer = momentum > 0 ? (state.momentumBuffer as Tensor) : null;
    if (canFuse(param, grad, state.squareAvg, gradAvg, buffer)) {
      const theta = view(param);
      const g = effectiveGrad(theta, gradView(grad), Math.fround(weightDecay), maximize);
      const scalars = {
        alpha: Math.fround(alpha),
        oneMinusAlpha: Math.fround(1 - alpha),
        eps: Math.fround(eps),
        momentum: Math.fround(momentum),
        negLr: Math.fround(-lr),
      };
      const avg = gradAvg === null ? null : view(gradAvg);
      rmsprop(theta, g, view(state.squareAvg), avg, buffer === null ? null : view(buffer), scalars);
      return null;
    }
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = addScaled(g, param, weightDecay);
    state.squareAvg = addcmul(state.squareAvg.mul(alpha), g, g, 1 - alpha);
    let avg: Tensor;
    if (gradAvg !== null) {
      state.gradAvg = addScaled(gradAvg.mul(alpha), g, 1 - alpha);
      avg = addcmul(state.squareAvg, state.gradAvg, state.gradAvg, -1).sqrt();
    } else {
      avg = state.squareAvg.sqrt();
    }
    avg = avg.add(eps);
    if (buffer !== null) {
      state.momentumBuffer = addcdiv(buffer.mul(momentum), g, avg);
      return addScaled(param, state.momentumBuffer, -lr);
    }
    return addcdiv(param, g, avg, -lr);
  }
}
