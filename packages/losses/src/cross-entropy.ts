/** @file Cross-entropy from logits, with class-index or probability targets, as PyTorch's cross_entropy. */
import {
  add,
  cast,
  isFloating,
  logSoftmax,
  mul,
  neg,
  ShapeError,
  sum,
  type Tensor,
  TensorloomError,
  tensor,
} from '@tensorloom/tensor';
import { checkFloat, checkRange, formatShape, sameShape } from './checks.js';
import {
  alongClassDim,
  type ClassLayout,
  checkClassTarget,
  checkTargetsWithIgnore,
  checkWeight,
  classLayout,
  logitsClassIndexLoss,
} from './class-targets.js';
import { checkReduction, type Reduction, safeDivide } from './reduction.js';

export interface CrossEntropyOptions {
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
  /** Class-index targets equal to this contribute nothing. Default −100. Not for probability targets. */
  ignoreIndex?: number;
  /** Default 'mean' (see crossEntropy for what it divides by). */
  reduction?: Reduction;
  /** ε ∈ [0, 1]: the target becomes (1 − ε)·target + ε/C (Szegedy et al., 2016). Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits and targets, exactly `torch.nn.functional.cross_entropy`; log-softmax is
 * computed by the max-shifted log-sum-exp, so large logits are safe. Input [C], [N, C] or [N, C, d1, …].
 *
 * - **Class-index targets** (int32, the input's shape without the class dim):
 *   ℓ = (1 − ε)·(−w_t·log p_t) + (ε/C)·(−Σ_c w_c·log p_c), 0 where t = ignoreIndex;
 *   'mean' = Σ ℓ / Σ w_t over the non-ignored targets (their count without weights).
 * - **Probability targets** (float, the input's shape): ℓ = −Σ_c w_c·q_c·log p_c with
 *   q = (1 − ε)·target + ε/C; 'mean' = Σ ℓ / (N·d1·…).
 *
 * One deliberate difference: a 'mean' with nothing to average (every target ignored, or zero total target
 * weight, or an empty batch) is 0 with a zero gradient, where PyTorch returns NaN.
 * @example
 * const logits = randn([4, 10], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([3, 0, 9, 3], { dtype: 'int32' }), { labelSmoothing: 0.1 });
 * loss.backward();
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = options;
  checkReduction(op, reduction);
  checkRange(op, 'labelSmoothing', labelSmoothing, 0, 1);
  checkFloat(op, 'input', input);
  const layout = classLayout(op, input);
  const classWeight = weight === null ? null : checkWeight(op, weight, layout.classes, input.dtype);

  if (isFloating(target.dtype) && !sameShape(target.shape, layout.targetShape)) {
    if (!sameShape(target.shape, input.shape)) {
      throw new ShapeError(
        `${op}: a probability target must have the input's shape (expected ${formatShape(input.shape)}, got ${formatShape(target.shape)})`,
      );
    }
    if (ignoreIndex >= 0) {
      throw new TensorloomError(
        `${op}: ignoreIndex is not supported for probability targets (expected a negative value, got ${ignoreIndex})`,
      );
    }
    const logProbs = logSoftmax(input, layout.classDim);
    return probabilityLoss(
      logProbs,
      cast(target, input.dtype),
      layout,
      reduction,
      classWeight,
      labelSmoothing,
    );
  }

  checkClassTarget(op, input, target, layout);
  const keep = checkTargetsWithIgnore(op, target, layout.classes, ignoreIndex);
  return logitsClassIndexLoss(input, target, layout, reduction, {
    weight: classWeight,
    keep,
    labelSmoothing,
  });
}

/** ℓ = −Σ_c w_c·q_c·log p_c over the class dim, q the smoothed target; 'mean' divides by N·d1·…. */
function probabilityLoss(
  logProbs: Tensor,
  target: Tensor,
  { classDim, classes, targetShape }: ClassLayout,
  reduction: Reduction,
  weight: Tensor | null,
  labelSmoothing: number,
): Tensor {
  const q = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / classes) : target;
  const terms =
    weight === null ? mul(logProbs, q) : mul(mul(logProbs, q), alongClassDim(weight, logProbs, classDim));
  const loss = neg(sum(terms, classDim));
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  const count = targetShape.reduce((n, d) => n * d, 1);
  return safeDivide(sum(loss), tensor(count, { dtype: logProbs.dtype }));
}
