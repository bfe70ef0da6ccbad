/**
 * @file Class-index targets, shared by nllLoss, crossEntropy and sequenceCrossEntropy: the [C] / [N, C] /
 * [N, C, d1, …] layouts, target and weight checks, and the per-element (optionally label-smoothed) NLL.
 */
import {
  add,
  cast,
  DTypeError,
  div,
  gather,
  IndexError,
  indexSelect,
  isFloating,
  logSoftmax,
  mul,
  ne,
  neg,
  reshape,
  ShapeError,
  softmaxCrossEntropy,
  squeeze,
  sum,
  type Tensor,
  tensor,
  unsqueeze,
  where,
} from '@tensorloom/tensor';
import { checkFloat, formatShape, sameShape } from './checks.js';
import { type Reduction, safeDivide } from './reduction.js';

/** Where the classes are: dim 0 of an unbatched [C] input, else dim 1; the target drops that dim. */
export interface ClassLayout {
  classDim: number;
  classes: number;
  targetShape: number[];
}

export function classLayout(op: string, input: Tensor): ClassLayout {
  if (input.ndim === 0) {
    throw new ShapeError(`${op}: input must be [C], [N, C] or [N, C, d1, …] (got a 0-d tensor)`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const targetShape = input.shape.filter((_, i) => i !== classDim);
  return { classDim, classes: input.shape[classDim], targetShape };
}

/** An int32 target with the input's shape minus the class dim. */
export function checkClassTarget(op: string, input: Tensor, target: Tensor, layout: ClassLayout): void {
  const expected = formatShape(layout.targetShape);
  if (target.dtype !== 'int32') {
    const hint = isFloating(target.dtype)
      ? `; a probability target must have the input's shape ${formatShape(input.shape)}`
      : '';
    throw new DTypeError(`${op}: class-index target must be int32 (got ${target.dtype})${hint}`);
  }
  if (!sameShape(target.shape, layout.targetShape)) {
    throw new ShapeError(
      `${op}: target must have the input's shape without the class dim (expected ${expected}, got ${formatShape(target.shape)}; input ${formatShape(input.shape)})`,
    );
  }
}

/** A float [C] weight, cast to the input's dtype. */
export function checkWeight(op: string, weight: Tensor, classes: number, dtype: Tensor['dtype']): Tensor {
  checkFloat(op, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(
      `${op}: weight must have one entry per class (expected [${classes}], got ${formatShape(weight.shape)})`,
    );
  }
  return cast(weight, dtype);
}

/**
 * Every kept target must name a class in [0, C). Skipped entries (ignoreIndex, padding, masked-out steps) may
 * hold anything. `allowed` completes the message, e.g. "or ignoreIndex -100".
 */
export function checkTargetRange(
  op: string,
  target: Tensor,
  classes: number,
  keep: Tensor | null,
  allowed: string,
): void {
  const values = target.dataSync();
  const kept = keep?.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (kept === undefined || kept[i] !== 0) checkClass(op, values[i], classes, allowed);
  }
}

function checkClass(op: string, value: number, classes: number, allowed: string): void {
  if (value < 0 || value >= classes) {
    throw new IndexError(
      `${op}: target ${value} is out of range for ${classes} classes (expected 0 ≤ target < ${classes}${allowed})`,
    );
  }
}

/**
 * Checks that every target not equal to `ignoreIndex` names a class in [0, C), reading the targets once, and
 * returns the keep mask (true where not ignored), or null when no entry is ignored: the loss then skips the
 * masking ops, which are most of its small ops in a training step.
 */
export function checkTargetsWithIgnore(
  op: string,
  target: Tensor,
  classes: number,
  ignoreIndex: number,
): Tensor | null {
  const values = target.dataSync();
  let ignored = false;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === ignoreIndex) ignored = true;
    else checkClass(op, values[i], classes, `, or ignoreIndex ${ignoreIndex}`);
  }
  return ignored ? ne(target, ignoreIndex) : null;
}

/** A [C] weight viewed as [1, C, 1, …] (or [C] unbatched), to broadcast along the input's class dim. */
export function alongClassDim(weight: Tensor, input: Tensor, classDim: number): Tensor {
  return reshape(
    weight,
    input.shape.map((s, i) => (i === classDim ? s : 1)),
  );
}

export interface ClassIndexOptions {
  /** Per-class weights [C] in the input's dtype, or null. */
  weight: Tensor | null;
  /** Bool, target-shaped: false marks entries that contribute nothing (ignored, padding); null keeps all. */
  keep: Tensor | null;
  /** ε ∈ [0, 1]. */
  labelSmoothing: number;
}

/**
 * The class-index loss per element, ℓ = (1 − ε)·(−w_t·log p_t) + (ε/C)·(−Σ_c w_c·log p_c), zero where not
 * kept, reduced as PyTorch's cross_entropy: 'mean' divides by the summed target weights w_t of the kept
 * entries (their count without weights), both for the NLL and the smoothing term. With nothing kept (or
 * zero total weight) 'mean' gives 0 where PyTorch gives NaN. ε = 0 is plain weighted NLL.
 */
export function classIndexLoss(
  logProbs: Tensor,
  target: Tensor,
  layout: ClassLayout,
  reduction: Reduction,
  { weight, keep, labelSmoothing }: ClassIndexOptions,
): Tensor {
  const { classDim, classes } = layout;
  // Skipped entries may hold any value (-100, padding); point them at class 0 so the gather stays in range.
  const index = keep === null ? target : where(keep, target, 0);
  const picked = squeeze(gather(logProbs, classDim, unsqueeze(index, classDim)), classDim); // log p_t
  const targetWeight =
    weight === null ? null : reshape(indexSelect(weight, 0, reshape(index, [-1])), target.shape); // w_t
  let loss = targetWeight === null ? neg(picked) : neg(mul(picked, targetWeight));
  if (labelSmoothing > 0) {
    const weighted = weight === null ? logProbs : mul(logProbs, alongClassDim(weight, logProbs, classDim));
    const smooth = neg(sum(weighted, classDim)); // −Σ_c w_c·log p_c
    loss = add(mul(loss, 1 - labelSmoothing), mul(smooth, labelSmoothing / classes));
  }
  return reduceClassLoss(loss, target, targetWeight, keep, reduction);
}

/**
 * classIndexLoss of logSoftmax(logits): the same loss, and for [N, C] logits without class weights (a decoder's
 * loss) one fused kernel each way (softmaxCrossEntropy) instead of log-softmax, gather and sums over [N, C].
 */
export function logitsClassIndexLoss(
  logits: Tensor,
  target: Tensor,
  layout: ClassLayout,
  reduction: Reduction,
  options: ClassIndexOptions,
): Tensor {
  const { weight, keep, labelSmoothing } = options;
  if (weight !== null || logits.ndim !== 2) {
    return classIndexLoss(logSoftmax(logits, layout.classDim), target, layout, reduction, options);
  }
  const index = keep === null ? target : where(keep, target, 0);
  return reduceClassLoss(softmaxCrossEntropy(logits, index, labelSmoothing), target, null, keep, reduction);
}

/** Zeroes the per-entry loss where not kept and reduces it as classIndexLoss documents. */
function reduceClassLoss(
  perEntry: Tensor,
  target: Tensor,
  targetWeight: Tensor | null,
  keep: Tensor | null,
  reduction: Reduction,
): Tensor {
  // `where`, not a multiply by 0: a −∞ logit at class 0 must not turn skipped entries into 0·∞ = NaN.
  const loss = keep === null ? perEntry : where(keep, perEntry, 0);
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  // Nothing skipped and no weights: the denominator is the entry count, a nonzero constant.
  if (targetWeight === null && keep === null && target.size > 0) return div(sum(loss), target.size);
  return safeDivide(sum(loss), meanDenominator(target, targetWeight, keep, loss.dtype));
}

/** Σ w_t over kept entries, or the number of kept entries without weights. */
function meanDenominator(
  target: Tensor,
  targetWeight: Tensor | null,
  keep: Tensor | null,
  dtype: Tensor['dtype'],
): Tensor {
  if (targetWeight !== null) return sum(keep === null ? targetWeight : where(keep, targetWeight, 0));
  if (keep === null) return tensor(target.size, { dtype });
  return cast(sum(keep), dtype);
}
