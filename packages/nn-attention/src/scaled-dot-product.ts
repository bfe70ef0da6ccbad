/** @file Scaled dot-product attention (Vaswani et al., 2017), the core of multi-head attention. */
import {
  broadcastShapes,
  dropout,
  type Generator,
  ShapeError,
  type Tensor,
  TensorloomError,
} from '@tensorloom/tensor';
import { checkMaskDType, checkProbability, formatShape } from './checks.js';
import { causalMask, maskedSoftmax, mergeMasks } from './masks.js';

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to the scores [..., T, S]. Bool: **true = masked** (PyTorch's nn.MultiheadAttention
   * convention; note that torch.nn.functional.scaled_dot_product_attention uses the opposite, true = attend).
   * Float: added to the scores (0 = attend, −∞ = masked). Default null.
   */
  attnMask?: Tensor | null;
  /** Query i may attend to keys j ≤ i only (top-left aligned, as PyTorch); merged with attnMask if both. */
  isCausal?: boolean;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Dropout acts only when true (default true, as torch.nn.functional); modules pass `this.training`. */
  training?: boolean;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
  /** Return the weights (default true); false returns null in their place. */
  needWeights?: boolean;
  /** The factor on QKᵀ (default 1/√Dk). */
  scale?: number;
}

/**
 * softmax(QKᵀ · scale + mask) V over the last two dims, with any leading (broadcasting) batch dims: q
 * [..., T, Dk], k [..., S, Dk], v [..., S, Dv] → [output [..., T, Dv], weights [..., T, S] | null]. A query row
 * whose keys are all masked gets zero weights and a zero output (PyTorch gives NaN there). As PyTorch's
 * MultiheadAttention does, the returned weights are those applied to V, i.e. after dropout.
 * @example
 * const [out, weights] = scaledDotProductAttention(q, k, v, { isCausal: true }); // q, k, v [B, H, T, Dh]
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: ScaledDotProductAttentionOptions = {},
): [Tensor, Tensor | null] {
  const op = 'scaledDotProductAttention';
  const { attnMask = null, isCausal = false, dropoutP = 0, training = true, needWeights = true } = options;
  checkProbability(op, 'dropoutP', dropoutP);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(
      `${op}: query, key and value need at least 2 dims ([..., T, Dk], [..., S, Dk], [..., S, Dv]) (got query ${formatShape(q.shape)}, key ${formatShape(k.shape)}, value ${formatShape(v.shape)})`,
    );
  }
  const [queries, depth] = q.shape.slice(-2);
  const [keys, keyDepth] = k.shape.slice(-2);
  if (depth !== keyDepth) {
    throw new ShapeError(
      `${op}: query and key must have the same last dim Dk (query ${formatShape(q.shape)}, key ${formatShape(k.shape)})`,
    );
  }
  if (v.shape[v.ndim - 2] !== keys) {
    throw new ShapeError(
      `${op}: key and value must have the same length S (key ${formatShape(k.shape)}, value ${formatShape(v.shape)})`,
    );
  }
  const batch = broadcastBatch(op, q, k, v);
  const scoresShape = [...batch, queries, keys];
  if (attnMask) checkAttnMask(op, attnMask, scoresShape);
  const scale = options.scale ?? 1 / Math.sqrt(depth);
  if (!Number.isFinite(scale)) throw new TensorloomError(`${op}: scale must be finite (got ${scale})`);

  // Scaled after the product: the scores [..., T, S] are smaller than q [..., T, Dk] whenever S < Dk, and contiguous.
  const scores = q.matmul(k.transpose(-2, -1)).mul(scale); // [..., T, S]
  const causal = isCausal ? causalMask(queries, keys) : null; // [T, S]
  let weights = maskedSoftmax(scores, mergeMasks(attnMask, causal, scores.dtype)); // [..., T, S]
  weights = dropout(weights, { p: dropoutP, training, generator: options.generator }); // [..., T, S]
  const output = weights.matmul(v); // [..., T, Dv]
  return [output, needWeights ? weights : null];
}

function broadcastBatch(op: string, q: Tensor, k: Tensor, v: Tensor): number[] {
  try {
    return broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  } catch {
    throw new ShapeError(
      `${op}: the batch dims of query, key and value do not broadcast (query ${formatShape(q.shape)}, key ${formatShape(k.shape)}, value ${formatShape(v.shape)})`,
    );
  }
}

/** Throws unless the mask is bool or float and broadcasts to the scores' shape (without growing it). */
export function checkAttnMask(op: string, mask: Tensor, scoresShape: readonly number[]): void {
  checkMaskDType(op, 'attnMask', mask, true);
  const lead = scoresShape.length - mask.ndim;
  const fits = lead >= 0 && mask.shape.every((d, i) => d === 1 || d === scoresShape[lead + i]);
  if (!fits) {
    throw new ShapeError(
      `${op}: attnMask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scoresShape)} ([..., T, S])`,
    );
  }
}
