/** @file Adagrad with learning-rate decay. */
import { fullLike, type Tensor } from '@tensorloom/tensor';
import { checkBoolean, checkNonNegative } from './checks.js';
import { canFuse, gradView, view } from './fused.js';
import { adagrad, effectiveGrad } from './kernels.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';
import { addcdiv, addcmul, addScaled } from './pointwise.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Decay d of the step size: lr / (1 + (t − 1)·d) at step t (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Adagrad's per-parameter state. */
export type AdagradState = {
  step: number;
  /** Sum of squared gradients, starting at initialAccumulatorValue. */
  sum: Tensor;
};

/**
 * Adagrad, PyTorch's torch.optim.Adagrad (single-tensor algorithm, op for op): g ← ∇ + λθ;
 * clr = lr / (1 + (t − 1)·d); s ← s + g²; θ ← θ − clr·g / (√s + ε). As in PyTorch, state is created for every
 * parameter at construction.
 * @see Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization" (2011).
 * @example
 * const opt = new Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-4 });
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...options,
    });
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, this.initState(p, group));
    }
  }

  protected validate(group: ParamGroup<AdagradOptions>): void {
    checkNonNegative('Adagrad', 'lr', group.lr);
    checkNonNegative('Adagrad', 'lrDecay', group.lrDecay);
    checkNonNegative('Adagrad', 'weightDecay', group.weightDecay);
    checkNonNegative('Adagrad', 'initialAccumulatorValue', group.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'eps', group.eps);
    checkBoolean('Adagrad', 'maximize', group.maximize);
  }

  protected initState(param: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: fullLike(param, group.initialAccumulatorValue) };
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdagradState,
    group: ParamGroup<AdagradOptions>,
  ): Tensor | null {
    state.step += 1;
    const clr = group.lr / (1 + (state.step - 1) * group.lrDecay);
    if (canFuse(param, grad, state.sum)) {
      const theta = view(param);
      const g = effectiveGrad(theta, gradView(grad), Math.fround(group.weightDecay), group.maximize);
      adagrad(theta, g, view(state.sum), { eps: Math.fround(group.eps), negClr: Math.fround(-clr) });
      return null;
    }
    let g = group.maximize ? grad.neg() : grad;
    if (group.weightDecay !== 0) g = addScaled(g, param, group.weightDecay);
    state.sum = addcmul(state.sum, g, g, 1);
    const std = state.sum.sqrt().add(group.eps);
    return addcdiv(param, g, std, -clr);
  }
}
