/**
 * @tensorloom/nn-attention: additive (Bahdanau) and multiplicative (Luong) attention for recurrent decoders,
 * scaled dot-product and multi-head attention, and Transformer layers, with PyTorch's names, shapes and masks.
 * @example
 * const mha = new MultiheadAttention({ embedDim: 16, numHeads: 4 });
 * const [out, weights] = mha.forward(x, x, x, { attnMask: generateSquareSubsequentMask(7) }); // x [7, B, 16]
 * out.shape; // [7, B, 16]; weights [B, 7, 7], averaged over heads
 */

export { AdditiveAttention, type AdditiveAttentionConfig } from './additive.js';
export { LuongAttention, type LuongAttentionConfig, type LuongScore } from './luong.js';
export {
  causalMask,
  generateSquareSubsequentMask,
  maskedSoftmax,
  mergeMasks,
  paddingMask,
  toAdditiveMask,
} from './masks.js';
export {
  type KeyValue,
  MultiheadAttention,
  type MultiheadAttentionConfig,
  type MultiheadAttentionOptions,
  type MultiheadAttentionStepOptions,
  type PositionalHook,
} from './multihead.js';
export { type ScaledDotProductAttentionOptions, scaledDotProductAttention } from './scaled-dot-product.js';
export type { Activation, ResolvedLayerConfig, TransformerLayerConfig } from './transformer/config.js';
export {
  type DecoderLayerCache,
  TransformerDecoderLayer,
  type TransformerDecoderLayerOptions,
} from './transformer/decoder-layer.js';
export { TransformerEncoderLayer, type TransformerEncoderLayerOptions } from './transformer/encoder-layer.js';
export {
  TransformerDecoder,
  TransformerDecoderCache,
  type TransformerDecoderOptions,
  TransformerEncoder,
  type TransformerStackConfig,
} from './transformer/stacks.js';
export { Transformer, type TransformerConfig, type TransformerOptions } from './transformer/transformer.js';
