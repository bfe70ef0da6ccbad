/**
 * @file Runs nn-attention's TransformerDecoder stack and also returns its last layer's cross-attention weights
 * (what the app draws and hands to decoders). nn-attention's decoder layers compute those weights but do not
 * return them (`needWeights: false`), so the last layer runs here, step for step as its own `forward` does,
 * from its public submodules, with `needWeights: true` on the cross-attention. The other layers run their own
 * `forward`. test/transformer-decoder.test.ts checks that the outputs equal the layer's own.
 *
 * Shapes (batch first): B batch (or live decoding rows), T target steps fed in this call, t cached steps,
 * S source length, D model width.
 */
import type {
  DecoderLayerCache,
  TransformerDecoder,
  TransformerDecoderLayer,
} from '@tensorloom/nn-attention';
import type { Tensor } from '@tensorloom/tensor';

export interface StackOptions {
  /** [B, T] bool, true at target padding (teacher forcing only). */
  tgtKeyPaddingMask?: Tensor | null;
  /** [B, S] bool, true at source padding. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Incremental decoding: one cache per layer (TransformerDecoderCache.layers); tgt holds only the new steps. */
  cache?: DecoderLayerCache[] | null;
}

/**
 * tgt [B, T, D] (causal self-attention) over memory [B, S, D] → [output [B, T, D], the last layer's
 * cross-attention weights averaged over heads [B, T, S]].
 */
export function decodeWithAttention(
  decoder: TransformerDecoder,
  tgt: Tensor,
  memory: Tensor,
  options: StackOptions = {},
): [Tensor, Tensor] {
  const layers = [...decoder.layers];
  const { cache = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null } = options;
  let x = tgt; // [B, T, D]
  layers.slice(0, -1).forEach((layer, i) => {
    x = layer.forward(x, memory, {
      tgtIsCausal: cache ? undefined : true, // a cache implies the causal mask
      tgtKeyPaddingMask,
      memoryKeyPaddingMask,
      cache: cache ? cache[i] : null,
    }); // [B, T, D]
  });
  const last = layers.length - 1;
  const [out, weights] = lastLayer(layers[last], x, memory, {
    ...options,
    cache: cache ? [cache[last]] : null,
  }); // [B, T, D], [B, T, S]
  return [decoder.norm ? decoder.norm.forward(out) : out, weights];
}

/** TransformerDecoderLayer.forward, returning the cross-attention weights [B, T, S] too. */
function lastLayer(
  layer: TransformerDecoderLayer,
  tgt: Tensor,
  memory: Tensor,
  options: StackOptions,
): [Tensor, Tensor] {
  const cache = options.cache?.[0] ?? null;
  const selfAttention = (x: Tensor): Tensor => {
    const masks = { keyPaddingMask: options.tgtKeyPaddingMask, needWeights: false };
    if (!cache) return layer.selfAttn.forward(x, x, x, { ...masks, isCausal: true })[0]; // [B, T, D]
    const [attended, , present] = layer.selfAttn.forwardStep(x, cache.self, masks); // [B, T, D]
    cache.self = present; // [B, H, t + T, Dh]
    return attended;
  };
  const crossAttention = (x: Tensor): [Tensor, Tensor] => {
    const masks = { keyPaddingMask: options.memoryKeyPaddingMask, needWeights: true };
    if (!cache) return layer.multiheadAttn.forward(x, memory, memory, masks) as [Tensor, Tensor]; // [B, T, D], [B, T, S]
    cache.memory ??= layer.multiheadAttn.projectKeyValue(memory, memory); // [B, H, S, Dh], once
    return layer.multiheadAttn.attend(x, cache.memory, masks) as [Tensor, Tensor];
  };
  const activation = layer.config.activation;
  const act =
    typeof activation === 'function'
      ? activation
      : (h: Tensor) => (activation === 'gelu' ? h.gelu() : h.relu());
  const feedForward = (x: Tensor): Tensor => {
    const hidden = layer.dropout.forward(act(layer.linear1.forward(x))); // [B, T, F]
    return layer.dropout3.forward(layer.linear2.forward(hidden)); // [B, T, D]
  };

  let x = tgt; // [B, T, D]
  let weights: Tensor; // [B, T, S]
  if (layer.config.normFirst) {
    x = x.add(layer.dropout1.forward(selfAttention(layer.norm1.forward(x)))); // [B, T, D]
    const [attended, w] = crossAttention(layer.norm2.forward(x));
    x = x.add(layer.dropout2.forward(attended)); // [B, T, D]
    x = x.add(feedForward(layer.norm3.forward(x))); // [B, T, D]
    weights = w;
  } else {
    x = layer.norm1.forward(x.add(layer.dropout1.forward(selfAttention(x)))); // [B, T, D]
    const [attended, w] = crossAttention(x);
    x = layer.norm2.forward(x.add(layer.dropout2.forward(attended))); // [B, T, D]
    x = layer.norm3.forward(x.add(feedForward(x))); // [B, T, D]
    weights = w;
  }
  return [x, weights];
}
