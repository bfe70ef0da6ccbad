/** @file AdamW: Adam with decoupled weight decay. */
import type { Tensor } from '@tensorloom/tensor';
import {
  type AdamOptions,
  type AdamState,
  adamDefaults,
  adamStep,
  initAdamState,
  validateAdam,
} from './adam.js';
import { Optimizer, type ParamGroup, type Params } from './optimizer.js';

/** AdamW takes Adam's options; `weightDecay` is the decoupled rate λ (default 1e-2). */
export type AdamWOptions = AdamOptions;

/**
 * AdamW, PyTorch's torch.optim.AdamW (single-tensor algorithm, op for op): the weights decay directly,
 * θ ← θ·(1 − lr·λ), then Adam's moment update runs on the raw gradient (see adamStep).
 * @see Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (2019).
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  constructor(params: Params<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super('AdamW', params, { ...adamDefaults(), weightDecay: 1e-2, ...options });
  }

  protected validate(group: ParamGroup<AdamWOptions>): void {
    validateAdam('AdamW', group);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamWOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState,
    group: ParamGroup<AdamWOptions>,
  ): Tensor | null {
    return adamStep(param, grad, state, group, true);
  }
}
