/** @file Adam and the step it shares with AdamW. */
import { type Tensor, zerosLike } from '@tensorloom/tensor';
import { checkBoolean, checkNonNegative, checkUnitInterval } from './checks.js';
import { OptimError } from './errors.js';
import { canFuse, gradView, view } from './fused.js';
import { adam, amsgrad, effectiveGrad, scale } from './kernels.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';
import { addcdiv, addcmul, addScaled } from './pointwise.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay rates (β₁, β₂) of the first and second moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty λ added to the gradient (default 0). AdamW: decoupled decay rate (default 1e-2). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad, default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Adam's and AdamW's per-parameter state. */
export type AdamState = {
  /** Steps taken by this parameter (PyTorch keeps a float tensor; here a number). */
  step: number;
  /** First moment m. */
  expAvg: Tensor;
  /** Second moment v. */
  expAvgSq: Tensor;
  /** max over steps of v (AMSGrad only). */
  maxExpAvgSq?: Tensor;
};

export const adamDefaults = (): Omit<AdamOptions, 'weightDecay'> => ({
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  amsgrad: false,
  maximize: false,
});

export function validateAdam(owner: string, group: AdamOptions): void {
  checkNonNegative(owner, 'lr', group.lr);
  checkNonNegative(owner, 'eps', group.eps);
  if (!Array.isArray(group.betas) || group.betas.length !== 2) {
    throw new OptimError(`${owner}: betas must be a pair [beta1, beta2] (got ${String(group.betas)})`);
  }
  checkUnitInterval(owner, 'betas[0]', group.betas[0]);
  checkUnitInterval(owner, 'betas[1]', group.betas[1]);
  checkNonNegative(owner, 'weightDecay', group.weightDecay);
  checkBoolean(owner, 'amsgrad', group.amsgrad);
  checkBoolean(owner, 'maximize', group.maximize);
}

export function initAdamState(param: Tensor, group: AdamOptions): AdamState {
  const state: AdamState = { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
  if (group.amsgrad) state.maxExpAvgSq = zerosLike(param);
  return state;
}

/**
 * One step of Adam (`decoupled` false: g ← ±∇ + λθ) or AdamW (`decoupled` true: θ ← θ·(1 − lr·λ)), in PyTorch's
 * op order: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; denom = √v / √(1 − β₂ᵗ) + ε;
 * θ ← θ − (lr / (1 − β₁ᵗ))·m / denom, with v replaced by its running maximum under AMSGrad. Runs the fused loop
 * in place (and returns null) when the storage allows, else composes tensor ops and returns the new value.
 */
export function adamStep(
  param: Tensor,
  grad: Tensor,
  state: AdamState,
  group: AdamOptions,
  decoupled: boolean,
): Tensor | null {
  const [beta1, beta2] = group.betas;
  state.step += 1;
  // Python doubles in PyTorch, rounded to the tensors' dtype where they meet them.
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = group.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  const decay = decoupled ? 1 - group.lr * group.weightDecay : 1;
  const weightDecay = decoupled ? 0 : group.weightDecay;
  if (group.amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLike(param);
  const max = group.amsgrad ? (state.maxExpAvgSq as Tensor) : null;
  if (canFuse(param, grad, state.expAvg, state.expAvgSq, max)) {
    const theta = view(param);
    const g = effectiveGrad(theta, gradView(grad), Math.fround(weightDecay), group.maximize);
    if (decay !== 1) scale(theta, Math.fround(decay)); // after reading θ for the gradient, as PyTorch
    const scalars = {
      beta1: Math.fround(beta1),
      oneMinusBeta1: Math.fround(1 - beta1),
      beta2: Math.fround(beta2),
      oneMinusBeta2: Math.fround(1 - beta2),
      biasCorrection2Sqrt: Math.fround(biasCorrection2Sqrt),
      eps: Math.fround(group.eps),
      negStepSize: Math.fround(-stepSize),
    };
    const m = view(state.expAvg);
    const v = view(state.expAvgSq);
    if (max === null) adam(theta, g, m, v, scalars);
    else amsgrad(theta, g, m, v, view(max), scalars);
    return null;
  }
  let g = group.maximize ? grad.neg() : grad;
  if (weightDecay !== 0) g = addScaled(g, param, weightDecay);
  const start = decoupled ? param.mul(decay) : param;
  state.expAvg = addScaled(state.expAvg.mul(beta1), g, 1 - beta1);
  state.expAvgSq = addcmul(state.expAvgSq.mul(beta2), g, g, 1 - beta2);
  let second = state.expAvgSq;
  if (max !== null) {
    state.maxExpAvgSq = max.maximum(state.expAvgSq);
    second = state.maxExpAvgSq;
  }
  const denom = second.sqrt().div(biasCorrection2Sqrt).add(group.eps);
  return addcdiv(start, state.expAvg, denom, -stepSize);
}

/**
 * Adam, PyTorch's torch.optim.Adam (single-tensor algorithm, op for op): weight decay is an L2 penalty added to
 * the gradient, g ← ∇ + λθ, before the moment update (see adamStep). For decoupled decay use AdamW.
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization" (2015); Reddi et al., "On the Convergence of
 * Adam and Beyond" (2018) for AMSGrad.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 3e-4, betas: [0.9, 0.98], eps: 1e-9 });
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { ...adamDefaults(), weightDecay: 0, ...options });
  }

  protected validate(group: ParamGroup<AdamOptions>): void {
    validateAdam('Adam', group);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState,
    group: ParamGroup<AdamOptions>,
  ): Tensor | null {
    return adamStep(param, grad, state, group, false);
  }
}
