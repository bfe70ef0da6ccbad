/** @file Binary cross-entropy on logits, in the overflow-free form. */
import { add, cast, exp, log, maximum, mul, neg, sub, type Tensor } from '@tensorloom/tensor';
import { checkBroadcastsTo, checkFloat, checkSameShape } from './checks.js';
import { checkReduction, type Reduction, reduce } from './reduction.js';

export interface BinaryCrossEntropyWithLogitsOptions {
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: Tensor | null;
  /** Weight p of the positive term, broadcast along the last dim (one per class for multi-label). */
  posWeight?: Tensor | null;
  /** Default 'mean'. */
  reduction?: Reduction;
}

/**
 * softplus(−x) = log(1 + e^(−x)) as m + log(e^(−m) + e^(−x−m)) with m = max(−x, 0) held constant. This is
 * the max(x, 0) − x·y + log(1 + e^(−|x|)) form rearranged: no exponent is positive, so nothing overflows. A
 * detached shift (as in log-sum-exp) keeps the gradient exact, −σ(−x), also at x = 0, where max and |x| have
 * only sub-gradients and the literal form would give the gradient −y instead of ½ − y.
 */
function softplusOfNegative(x: Tensor): Tensor {
  const m = maximum(neg(x.detach()), 0);
  return add(m, log(add(exp(neg(m)), exp(sub(neg(x), m)))));
}

/**
 * Binary cross-entropy of sigmoid(x) against y, ℓ = w·[(1 − y)·x + (1 + (p − 1)·y)·log(1 + e^(−x))]
 * = w·[−p·y·log σ(x) − (1 − y)·log(1 − σ(x))], as `torch.nn.functional.binary_cross_entropy_with_logits`.
 * Stable for any logit; targets may be soft (in [0, 1]).
 * @example
 * const logits = randn([8, 3], { requiresGrad: true }); // 3 independent labels
 * binaryCrossEntropyWithLogits(logits, labels, { posWeight: tensor([1, 4, 2]) }).backward();
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const { weight = null, posWeight = null, reduction = 'mean' } = options;
  checkReduction(op, reduction);
  checkFloat(op, 'input', input);
  checkFloat(op, 'target', target);
  checkSameShape(op, input, target);
  const y = cast(target, input.dtype);
  const softplus = softplusOfNegative(input);
  let positive = softplus;
  if (posWeight !== null) {
    checkFloat(op, 'posWeight', posWeight);
    checkBroadcastsTo(op, 'posWeight', posWeight, input);
    positive = mul(add(mul(sub(cast(posWeight, input.dtype), 1), y), 1), softplus); // (1 + (p − 1)·y)·softplus(−x)
  }
  let loss = add(mul(sub(1, y), input), positive);
  if (weight !== null) {
    checkFloat(op, 'weight', weight);
    checkBroadcastsTo(op, 'weight', weight, input);
    loss = mul(loss, cast(weight, input.dtype));
  }
  return reduce(loss, reduction);
}
