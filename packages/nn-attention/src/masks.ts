/**
 * @file Attention masks and the masked softmax. Convention (PyTorch's nn.MultiheadAttention): a bool mask is
 * **true where attention is not allowed**; a float mask is added to the scores (0 = allowed, −∞ = masked).
 * The recurrent-decoder hook of nn-rnn uses the opposite, a mask that is true at real tokens: AdditiveAttention
 * and LuongAttention take that one (see their docs).
 */
import {
  type DType,
  type FloatDType,
  full,
  isFloating,
  type Tensor,
  tensor,
  where,
} from '@tensorloom/tensor';

/**
 * The causal mask of nn.Transformer.generate_square_subsequent_mask: a float [n, n] tensor, −∞ above the
 * diagonal (position i may not see j > i) and 0 elsewhere, to be added to the scores.
 * @example generateSquareSubsequentMask(3).toArray() // [[0, -Inf, -Inf], [0, 0, -Inf], [0, 0, 0]]
 */
export function generateSquareSubsequentMask(n: number, options: { dtype?: FloatDType } = {}): Tensor {
  return full([n, n], Number.NEGATIVE_INFINITY, { dtype: options.dtype ?? 'float32' }).triu(1); // [n, n]
}

/**
 * A bool causal mask [T, S], true (masked) where key j lies after query i: j > i + offset. With offset 0 it is
 * PyTorch's top-left aligned `is_causal` mask; queries that continue a cached prefix of `offset` keys use
 * offset = S − T (bottom-right aligned).
 */
export function causalMask(queryLength: number, keyLength: number, offset = 0): Tensor {
  const values = new Uint8Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    for (let j = i + offset + 1; j < keyLength; j++) values[i * keyLength + j] = 1;
  }
  return tensor(values, { shape: [queryLength, keyLength], dtype: 'bool' }); // [T, S]
}

/**
 * A key padding mask [B, S] from sequence lengths: true at the padded positions s ≥ lengths[b] (PyTorch's
 * `key_padding_mask` convention).
 * @example paddingMask([2, 3]).toArray() // [[false, false, true], [false, false, false]]
 */
export function paddingMask(lengths: readonly number[], length = Math.max(0, ...lengths)): Tensor {
  const values = new Uint8Array(lengths.length * length);
  lengths.forEach((n, b) => {
    for (let s = n; s < length; s++) values[b * length + s] = 1;
  });
  return tensor(values, { shape: [lengths.length, length], dtype: 'bool' }); // [B, S]
}

/** A bool mask (true = masked) as an additive float mask: −∞ where masked, 0 elsewhere. */
export function toAdditiveMask(mask: Tensor, dtype: DType = 'float32'): Tensor {
  if (isFloating(mask.dtype)) return mask;
  const floatType = isFloating(dtype) ? dtype : 'float32';
  return where(mask, Number.NEGATIVE_INFINITY, tensor(0, { dtype: floatType }));
}

/**
 * Combines two masks that each broadcast to the scores: two bool masks by logical or (masked in either), and
 * otherwise as additive float masks, summed (as PyTorch ≥ 2.0 merges a float attn_mask and a padding mask).
 */
export function mergeMasks(a: Tensor | null, b: Tensor | null, dtype: DType = 'float32'): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  if (a.dtype === 'bool' && b.dtype === 'bool') return a.logicalOr(b);
  return toAdditiveMask(a, dtype).add(toAdditiveMask(b, dtype));
}

/**
 * softmax(scores + mask) over the last dim, where a row with nothing to attend to (every score −∞ after
 * masking) gives all-zero weights instead of NaN, and passes no gradient. `mask` is bool (true = masked) or
 * an additive float mask, broadcastable to `scores`; null applies the plain softmax.
 */
export function maskedSoftmax(scores: Tensor, mask: Tensor | null): Tensor {
  if (!mask) return scores.softmax(-1);
  const masked = mask.dtype === 'bool' ? where(mask, Number.NEGATIVE_INFINITY, scores) : scores.add(mask); // [..., T, S]
  const empty = masked.detach().amax(-1, true).eq(Number.NEGATIVE_INFINITY); // [..., T, 1]
  if (!empty.dataSync().some((v) => v !== 0)) return masked.softmax(-1);
  // Rows without a visible key: softmax over zeros (finite), then zeroed, so neither value nor gradient is NaN.
  const weights = where(empty, 0, masked).softmax(-1); // [..., T, S]
  return where(empty, 0, weights);
}
