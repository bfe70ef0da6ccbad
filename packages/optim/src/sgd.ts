/** @file Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay. */
import { type Tensor, zerosLike } from '@tensorloom/tensor';
import { checkBoolean, checkNonNegative } from './checks.js';
import { OptimError } from './errors.js';
import { canFuse, gradView, view } from './fused.js';
import { effectiveGrad, sgd } from './kernels.js';
import { Optimizer, type OptimizerOptions, type ParamGroup, type Params } from './optimizer.js';
import { addScaled } from './pointwise.js';

export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ of the gradient added to the momentum buffer (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer, null until momentum is used. */
export type SGDState = { momentumBuffer: Tensor | null };

/**
 * Stochastic gradient descent, PyTorch's torch.optim.SGD (single-tensor algorithm, op for op):
 * g ← ∇ + λθ; b ← μb + (1 − τ)g (b₁ = g); g ← g + μb if nesterov else b; θ ← θ − lr·g.
 * `lr` has no default, as in PyTorch.
 * @see Sutskever et al., "On the importance of initialization and momentum in deep learning" (2013).
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, {
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
  }

  protected validate(group: ParamGroup<SGDOptions>): void {
    checkNonNegative('SGD', 'lr', group.lr);
    checkNonNegative('SGD', 'momentum', group.momentum);
    checkNonNegative('SGD', 'dampening', group.dampening);
    checkNonNegative('SGD', 'weightDecay', group.weightDecay);
    checkBoolean('SGD', 'nesterov', group.nesterov);
    checkBoolean('SGD', 'maximize', group.maximize);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new OptimError(
        `SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum ${group.momentum}, dampening ${group.dampening})`,
      );
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: SGDState,
    group: ParamGroup<SGDOptions>,
  ): Tensor | null {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    if (canFuse(param, grad, state.momentumBuffer)) {
      const theta = view(param);
      const d = effectiveGrad(theta, gradView(grad), Math.fround(weightDecay), maximize);
      const firstStep = momentum !== 0 && state.momentumBuffer === null;
      if (firstStep) state.momentumBuffer = zerosLike(param);
      const buffer = momentum !== 0 ? view(state.momentumBuffer as Tensor) : null;
      const scalars = {
        momentum: Math.fround(momentum),
        oneMinusDampening: Math.fround(1 - dampening),
        negLr: Math.fround(-lr),
        nesterov,
        firstStep,
      };
      sgd(theta, d, buffer, scalars);
      return null;
    }
    let d = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) d = addScaled(d, param, weightDecay);
    if (momentum !== 0) {
      const buf =
        state.momentumBuffer === null
          ? d.clone()
          : addScaled(state.momentumBuffer.mul(momentum), d, 1 - dampening);
      state.momentumBuffer = buf;
      d = nesterov ? addScaled(d, buf, momentum) : buf;
    }
    return addScaled(param, d, -lr);
  }
}
