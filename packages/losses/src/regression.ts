/** @file Regression losses: mean squared error and mean absolute error. */
import { abs, cast, square, sub, type Tensor } from '@tensorloom/tensor';
import { checkFloat, checkSameShape } from './checks.js';
import { checkReduction, type Reduction, reduce } from './reduction.js';

export interface RegressionLossOptions {
  /** Default 'mean' over every element. */
  reduction?: Reduction;
}

function checked(op: string, input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  checkReduction(op, reduction);
  checkFloat(op, 'input', input);
  checkFloat(op, 'target', target);
  checkSameShape(op, input, target);
  return cast(target, input.dtype);
}

/**
 * Squared error ℓ = (input − target)², as `torch.nn.functional.mse_loss`. Shapes must match: where PyTorch
 * warns and broadcasts, this throws.
 * @example mseLoss(prediction, target).backward();
 */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const { reduction = 'mean' } = options;
  const y = checked('mseLoss', input, target, reduction);
  return reduce(square(sub(input, y)), reduction);
}

/**
 * Absolute error ℓ = |input − target|, as `torch.nn.functional.l1_loss` (gradient 0 where they are equal).
 * @example l1Loss(prediction, target, { reduction: 'sum' });
 */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const { reduction = 'mean' } = options;
  const y = checked('l1Loss', input, target, reduction);
  return reduce(abs(sub(input, y)), reduction);
}
