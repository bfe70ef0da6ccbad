/**
 * @tensorloom/positional: position information for sequence models — the fixed sinusoidal encoding, learned
 * position embeddings, and rotary embeddings (RoPE) for attention's queries and keys.
 * @example
 * const posEnc = new SinusoidalPositionalEncoding({ dModel: 8 });
 * posEnc.forward(randn([2, 5, 8])).shape; // [2, 5, 8]
 * const rope = new RotaryEmbedding({ dim: 4 });
 * const [q, k] = rope.apply(randn([2, 3, 5, 4]), randn([2, 3, 5, 4])); // [B, H, T, Dh] each
 */

export { ConfigError } from './errors.js';
export { LearnedPositionalEmbedding, type LearnedPositionalEmbeddingOptions } from './learned.js';
export {
  applyRotary,
  type QueryKeyHook,
  type RotaryCallOptions,
  RotaryEmbedding,
  type RotaryEmbeddingOptions,
  type RotaryOptions,
  rotaryHook,
} from './rotary.js';
export {
  type PositionOptions,
  SinusoidalPositionalEncoding,
  type SinusoidalPositionalEncodingOptions,
  type SinusoidalTableOptions,
  sinusoidalTable,
} from './sinusoidal.js';
