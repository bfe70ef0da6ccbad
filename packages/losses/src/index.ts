/**
 * @tensorloom/losses: loss functions with PyTorch's semantics, composed from @tensorloom/tensor ops so that
 * autograd flows through them.
 * @example
 * const logits = randn([4, 10], { requiresGrad: true });
 * crossEntropy(logits, tensor([3, 0, 9, 3], { dtype: 'int32' })).backward();
 */

export {
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropyWithLogits,
} from './bce.js';
export { type CrossEntropyOptions, crossEntropy } from './cross-entropy.js';
export { type KlDivOptions, klDiv } from './kl.js';
export { type NllLossOptions, nllLoss } from './nll.js';
export type { Reduction } from './reduction.js';
export { l1Loss, mseLoss, type RegressionLossOptions } from './regression.js';
export { type SequenceCrossEntropyOptions, type SequenceLoss, sequenceCrossEntropy } from './sequence.js';
