/** @file Negative log-likelihood of class indices, given log-probabilities. */
import type { Tensor } from '@tensorloom/tensor';
import { checkFloat } from './checks.js';
import {
  checkClassTarget,
  checkTargetsWithIgnore,
  checkWeight,
  classIndexLoss,
  classLayout,
} from './class-targets.js';
import { checkReduction, type Reduction } from './reduction.js';

export interface NllLossOptions {
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, to the sum or to the mean's denominator. Default −100. */
  ignoreIndex?: number;
  /** Default 'mean': Σ w_t·(−log p_t) / Σ w_t over the non-ignored targets. */
  reduction?: Reduction;
}

/**
 * The negative log-likelihood loss, ℓ_i = −w_{t_i}·logProbs[i, t_i] (0 where t_i = ignoreIndex), as
 * `torch.nn.functional.nll_loss`. Inputs are [C], [N, C] or [N, C, d1, …] log-probabilities with int32
 * targets [], [N] or [N, d1, …]. 'mean' with every target ignored gives 0 (PyTorch: NaN).
 * @example
 * const logProbs = logSoftmax(logits, 1); // [N, C]
 * const loss = nllLoss(logProbs, tensor([2, 0, 1], { dtype: 'int32' }));
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  const { weight = null, ignoreIndex = -100, reduction = 'mean' } = options;
  checkReduction(op, reduction);
  checkFloat(op, 'input', logProbs);
  const layout = classLayout(op, logProbs);
  checkClassTarget(op, logProbs, target, layout);
  const classWeight = weight === null ? null : checkWeight(op, weight, layout.classes, logProbs.dtype);
  const keep = checkTargetsWithIgnore(op, target, layout.classes, ignoreIndex);
  return classIndexLoss(logProbs, target, layout, reduction, {
    weight: classWeight,
    keep,
    labelSmoothing: 0,
  });
}
