/** @file Token-level cross-entropy for decoders: [B, T, V] logits against [B, T] targets, padding left out. */
import {
  DTypeError,
  logicalAnd,
  ne,
  ShapeError,
  sum,
  type Tensor,
  TensorloomError,
} from '@tensorloom/tensor';
import { checkFloat, checkRange, formatShape, sameShape } from './checks.js';
import { checkTargetRange, logitsClassIndexLoss } from './class-targets.js';
import { checkReduction } from './reduction.js';

export interface SequenceCrossEntropyOptions {
  /** Targets equal to this are padding: no loss, not counted. */
  padIndex?: number;
  /** Bool [B, T], true = real token. Combined with padIndex when both are given (a token must pass both). */
  mask?: Tensor | null;
  /**
   * 'mean' (default): average over real tokens. 'sum': the summed negative log-likelihood of every real
   * token, i.e. the per-sentence objective of Sutskever et al. (2014), −Σ_t log p(y_t | y_<t, x), summed
   * over the batch (divide by B for their per-sentence average). 'none': [B, T], 0 at padding.
   */
  reduction?: 'mean' | 'sum' | 'none';
  /** ε ∈ [0, 1], as crossEntropy's labelSmoothing (spread over the V vocabulary entries). */
  labelSmoothing?: number;
}

export interface SequenceLoss {
  /** The reduced loss (0-d), or [B, T] for reduction 'none'. */
  loss: Tensor;
  /**
   * The number of real (non-padding) tokens. With 'sum' over several micro-batches, divide the accumulated
   * loss by the accumulated tokens for the exact per-token mean of the whole batch.
   */
  tokens: number;
}

/**
 * Cross-entropy of each real decoder step, ℓ_bt = (1 − ε)·(−log p_bt[y_bt]) + (ε/V)·(−Σ_v log p_bt[v]),
 * where real means mask[b, t] and y_bt ≠ padIndex; padding steps add nothing and may hold any target value.
 * Returns the loss and the real-token count. 'mean' over zero real tokens is 0, not NaN.
 * @example
 * const logits = decoder.forward(inputs); // [B, T, V]
 * const { loss, tokens } = sequenceCrossEntropy(logits, targets, { padIndex: 0, labelSmoothing: 0.1 });
 * loss.backward();
 * console.log(`${loss.item().toFixed(3)} nats/token over ${tokens} tokens`);
 */
export function sequenceCrossEntropy(
  logits: Tensor,
  targets: Tensor,
  options: SequenceCrossEntropyOptions = {},
): SequenceLoss {
  const op = 'sequenceCrossEntropy';
  const { padIndex, mask = null, reduction = 'mean', labelSmoothing = 0 } = options;
  checkReduction(op, reduction);
  checkRange(op, 'labelSmoothing', labelSmoothing, 0, 1);
  checkFloat(op, 'logits', logits);
  if (logits.ndim !== 3) {
    throw new ShapeError(`${op}: logits must be [B, T, V] (got ${formatShape(logits.shape)})`);
  }
  const [batch, steps, vocab] = logits.shape;
  if (targets.dtype !== 'int32') throw new DTypeError(`${op}: targets must be int32 (got ${targets.dtype})`);
  if (!sameShape(targets.shape, [batch, steps])) {
    throw new ShapeError(
      `${op}: targets must be [B, T] = [${batch},${steps}] to match logits ${formatShape(logits.shape)} (got ${formatShape(targets.shape)})`,
    );
  }
  if (mask !== null) {
    if (mask.dtype !== 'bool') throw new DTypeError(`${op}: mask must be a bool tensor (got ${mask.dtype})`);
    if (!sameShape(mask.shape, targets.shape)) {
      throw new ShapeError(
        `${op}: mask must have the targets' shape (expected ${formatShape(targets.shape)}, got ${formatShape(mask.shape)})`,
      );
    }
  }
  if (padIndex !== undefined && !Number.isInteger(padIndex)) {
    throw new TensorloomError(`${op}: padIndex must be an integer (got ${padIndex})`);
  }

  const notPad = padIndex === undefined ? null : ne(targets, padIndex);
  const keep = notPad === null ? mask : mask === null ? notPad : logicalAnd(mask, notPad); // [B, T]
  checkTargetRange(op, targets, vocab, keep, ' at real tokens');
  const tokens = keep === null ? targets.size : sum(keep).item();

  // [B, T, V] → [B·T, V] rows, so the per-step loss is the [N, C] cross-entropy layout.
  const rows = logits.reshape([batch * steps, vocab]);
  const flat = (t: Tensor) => t.reshape([batch * steps]);
  const loss = logitsClassIndexLoss(
    rows,
    flat(targets),
    { classDim: 1, classes: vocab, targetShape: [batch * steps] },
    reduction,
    { weight: null, keep: keep === null ? null : flat(keep), labelSmoothing },
  );
  return { loss: reduction === 'none' ? loss.reshape([batch, steps]) : loss, tokens };
}
