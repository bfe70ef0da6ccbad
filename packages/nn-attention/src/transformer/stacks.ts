/** @file Stacks of encoder and decoder layers with an optional final LayerNorm, and the decoder's key/value cache. */
import { LayerNorm, Module, ModuleList } from '@tensorloom/nn';
import { ShapeError, type Tensor, TensorloomError, tensor } from '@tensorloom/tensor';
import { checkInteger, formatShape } from '../checks.js';
import type { KeyValue } from '../multihead.js';
import type { TransformerLayerConfig } from './config.js';
import {
  type DecoderLayerCache,
  TransformerDecoderLayer,
  type TransformerDecoderLayerOptions,
} from './decoder-layer.js';
import { TransformerEncoderLayer, type TransformerEncoderLayerOptions } from './encoder-layer.js';

export interface TransformerStackConfig extends TransformerLayerConfig {
  /** N: the number of layers. */
  numLayers: number;
  /** A LayerNorm after the last layer, `norm` (default false, as PyTorch's norm=None; nn.Transformer has one). */
  norm?: boolean;
}

/**
 * nn.TransformerEncoder: `layers.0` … `layers.N−1`, then the optional final `norm`. Unlike PyTorch, which
 * deep-copies one layer so that all start equal, each layer is initialised independently.
 * @example
 * const encoder = new TransformerEncoder({ dModel: 32, nhead: 4, numLayers: 2, norm: true });
 * const memory = encoder.forward(src, { srcKeyPaddingMask }); // src [S, B, 32] → [S, B, 32]
 */
export class TransformerEncoder extends Module {
  readonly numLayers: number;
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(config: TransformerStackConfig) {
    super();
    checkInteger('transformerEncoder', 'numLayers', config.numLayers, 1);
    this.numLayers = config.numLayers;
    const layers = Array.from({ length: config.numLayers }, () => new TransformerEncoderLayer(config));
    this.layers = this.module('layers', new ModuleList(layers));
    const eps = config.layerNormEps ?? 1e-5;
    this.norm = config.norm ? this.module('norm', new LayerNorm(config.dModel, { eps })) : null;
  }

  /** src [S, B, D] ([B, S, D] with batchFirst, or unbatched [S, D]) → the same shape. */
  forward(src: Tensor, options: TransformerEncoderLayerOptions = {}): Tensor {
    let x = src; // [S, B, D]
    for (const layer of this.layers) x = layer.forward(x, options); // [S, B, D]
    return this.norm ? this.norm.forward(x) : x;
  }
}

/**
 * The key/value cache of a TransformerDecoder for incremental (step-by-step) decoding: one DecoderLayerCache
 * per layer. Made by `decoder.createCache()`; it belongs to one memory (its cross-attention keys and values are
 * projected from the memory passed with the first step).
 */
export class TransformerDecoderCache {
  readonly layers: DecoderLayerCache[];

  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({ self: null, memory: null }));
  }

  /** t: the number of target steps cached so far. */
  get length(): number {
    return this.layers[0]?.self?.keys.shape[2] ?? 0;
  }

  /**
   * Keeps batch rows `rows` in this order (drop finished sequences, reorder beams); apply the same to the
   * memory and its padding mask you pass next.
   */
  selectBatch(rows: readonly number[]): void {
    const index = tensor([...rows], { dtype: 'int32' });
    const select = (kv: KeyValue | null) =>
      kv ? { keys: kv.keys.indexSelect(0, index), values: kv.values.indexSelect(0, index) } : null;
    for (const layer of this.layers) {
      layer.self = select(layer.self); // [B', H, t, Dh]
      layer.memory = select(layer.memory); // [B', H, S, Dh]
    }
  }
}

export type TransformerDecoderOptions = Omit<TransformerDecoderLayerOptions, 'cache'> & {
  /** Incremental decoding (see TransformerDecoderLayerOptions.cache): tgt holds only the new steps. */
  cache?: TransformerDecoderCache | null;
};

/**
 * nn.TransformerDecoder: `layers.0` … `layers.N−1`, then the optional final `norm`; each layer initialised
 * independently. With `{ cache }`, decodes incrementally: feeding steps one at a time gives the outputs of the
 * full causal pass, while step t costs O(t) instead of recomputing every earlier step.
 * @example
 * const cache = decoder.createCache();
 * for (let t = 0; t < n; t++) y = decoder.forward(embed(token), memory, { cache }); // [1, B, D] each step
 */
export class TransformerDecoder extends Module {
  readonly numLayers: number;
  readonly layers: ModuleList<TransformerDecoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(config: TransformerStackConfig) {
    super();
    checkInteger('transformerDecoder', 'numLayers', config.numLayers, 1);
    this.numLayers = config.numLayers;
    const layers = Array.from({ length: config.numLayers }, () => new TransformerDecoderLayer(config));
    this.layers = this.module('layers', new ModuleList(layers));
    const eps = config.layerNormEps ?? 1e-5;
    this.norm = config.norm ? this.module('norm', new LayerNorm(config.dModel, { eps })) : null;
  }

  /** An empty key/value cache for `forward(tgt, memory, { cache })`. */
  createCache(): TransformerDecoderCache {
    return new TransformerDecoderCache(this.numLayers);
  }

  /** tgt [T, B, D] and memory [S, B, D] ([B, ·, D] with batchFirst) → [T, B, D]. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderOptions = {}): Tensor {
    return this.run(tgt, memory, options, false)[0];
  }

  /**
   * `forward`, also returning each layer's cross-attention weights averaged over heads ([B, T, S] per layer,
   * [T, S] unbatched): what attention heatmaps draw, usually the last layer's.
   * @example
   * const [out, weights] = decoder.forwardWithWeights(tgt, memory, { tgtIsCausal: true });
   * const lastLayer = weights[weights.length - 1]; // [B, T, S]
   */
  forwardWithWeights(
    tgt: Tensor,
    memory: Tensor,
    options: TransformerDecoderOptions = {},
  ): [Tensor, Tensor[]] {
    const [x, weights] = this.run(tgt, memory, options, true);
    return [x, weights as Tensor[]];
  }

  private run(
    tgt: Tensor,
    memory: Tensor,
    options: TransformerDecoderOptions,
    needWeights: boolean,
  ): [Tensor, (Tensor | null)[]] {
    const { cache = null, ...masks } = options;
    if (cache && cache.layers.length !== this.numLayers) {
      throw new TensorloomError(
        `transformerDecoder: the cache has ${cache.layers.length} layers, the decoder ${this.numLayers}`,
      );
    }
    const cachedMemory = cache?.layers[0].memory;
    if (cachedMemory && memory.ndim === 3) {
      const batch = memory.shape[this.layers.at(0).config.batchFirst ? 0 : 1];
      if (batch !== cachedMemory.keys.shape[0]) {
        throw new ShapeError(
          `transformerDecoder: memory ${formatShape(memory.shape)} has batch ${batch}, the cache ${cachedMemory.keys.shape[0]}`,
        );
      }
    }
    let x = tgt; // [T, B, D]
    const weights = [...this.layers].map((layer, i) => {
      const layerOptions = { ...masks, cache: cache ? cache.layers[i] : null };
      if (!needWeights) {
        x = layer.forward(x, memory, layerOptions); // [T, B, D]
        return null;
      }
      const [out, w] = layer.forwardWithWeights(x, memory, layerOptions); // [T, B, D], [B, T, S]
      x = out;
      return w;
    });
    return [this.norm ? this.norm.forward(x) : x, weights];
  }
}
