/**
 * @tensorloom/optim: optimizers, gradient clipping and learning-rate schedules with PyTorch's semantics and,
 * op for op, its float32 arithmetic.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const scheduler = new CosineAnnealingLR(opt, { tMax: 100 });
 * for (const batch of batches) {
 *   opt.zeroGrad();
 *   lossOf(batch).backward();
 *   clipGradNorm(model.parameters(), 1.0);
 *   opt.step();
 *   scheduler.step();
 * }
 */

export { Adagrad, type AdagradOptions, type AdagradState } from './adagrad.js';
export { Adam, type AdamOptions, type AdamState } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { type ClipGradNormOptions, clipGradNorm, clipGradValue } from './clip.js';
export { OptimError } from './errors.js';
export {
  type LoadableStateDict,
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type StateValue,
} from './optimizer.js';
export { addcdiv, addcmul, addScaled } from './pointwise.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { ChainedScheduler } from './schedulers/chained-scheduler.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './schedulers/cosine-annealing-lr.js';
export { ExponentialLR, type ExponentialLROptions } from './schedulers/exponential-lr.js';
export { InverseSqrtLR, type InverseSqrtLROptions } from './schedulers/inverse-sqrt-lr.js';
export { LambdaLR, type LrLambda } from './schedulers/lambda-lr.js';
export { LinearLR, type LinearLROptions } from './schedulers/linear-lr.js';
export { LRScheduler, type LRSchedulerStateDict, type Scheduler } from './schedulers/lr-scheduler.js';
export { MultiStepLR, type MultiStepLROptions } from './schedulers/multi-step-lr.js';
export {
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauStateDict,
} from './schedulers/reduce-lr-on-plateau.js';
export { SequentialLR, type SequentialLRStateDict } from './schedulers/sequential-lr.js';
export { StepLR, type StepLROptions } from './schedulers/step-lr.js';
export type { Schedule } from './schedules.js';
export * as schedules from './schedules.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
