/** @file One Transformer decoder layer: causal self-attention, cross-attention over the memory, feed-forward. */
import { Dropout, LayerNorm, Linear, Module } from '@tensorloom/nn';
import { ShapeError, type Tensor, TensorloomError } from '@tensorloom/tensor';
import { formatShape } from '../checks.js';
import { type KeyValue, MultiheadAttention } from '../multihead.js';
import {
  activationFunction,
  checkSequence,
  type ResolvedLayerConfig,
  resolveLayerConfig,
  type TransformerLayerConfig,
} from './config.js';
import { layerRepr } from './encoder-layer.js';

/**
 * One decoder layer's key/value cache for incremental decoding: the self-attention keys and values of every
 * step so far ([B, H, t, Dh], appended each step) and the memory's cross-attention keys and values
 * ([B, H, S, Dh], projected on the first step and reused). Start from `{ self: null, memory: null }`.
 */
export interface DecoderLayerCache {
  self: KeyValue | null;
  memory: KeyValue | null;
}

export interface TransformerDecoderLayerOptions {
  /** [T, T] or [B·H, T, T]: bool true = not allowed, or float (generateSquareSubsequentMask(T)). */
  tgtMask?: Tensor | null;
  /** [T, S] or [B·H, T, S]: bool true = not allowed, or float added to the scores. */
  memoryMask?: Tensor | null;
  /** [B, T] (with a cache: [B, t] over every step so far): bool true at padding, or float. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [B, S]: bool true at padding, or float. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention without building tgtMask (merged with it if both are given). */
  tgtIsCausal?: boolean;
  /**
   * Incremental decoding: tgt holds only the new steps, which attend causally to the cached ones and to each
   * other; the cache is updated in place. tgtMask is then not allowed (the causal mask is implied).
   */
  cache?: DecoderLayerCache | null;
}

/**
 * nn.TransformerDecoderLayer. Post-norm (default): x = norm1(x + SA(x)); x = norm2(x + CA(x, memory));
 * x = norm3(x + FF(x)). Pre-norm (`normFirst`): x = x + SA(norm1(x)); x = x + CA(norm2(x), memory);
 * x = x + FF(norm3(x)). State-dict keys as PyTorch's: `self_attn.*`, `multihead_attn.*`, `linear1.*`,
 * `linear2.*`, `norm1.*`, `norm2.*`, `norm3.*`.
 * @example
 * const layer = new TransformerDecoderLayer({ dModel: 32, nhead: 4, dimFeedforward: 64 });
 * layer.forward(tgt, memory, { tgtIsCausal: true }); // tgt [T, B, 32], memory [S, B, 32] → [T, B, 32]
 */
export class TransformerDecoderLayer extends Module {
  readonly config: ResolvedLayerConfig;
  readonly selfAttn: MultiheadAttention;
  readonly multiheadAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(config: TransformerLayerConfig) {
    super();
    const c = resolveLayerConfig('transformerDecoderLayer', config);
    this.config = c;
    const { dModel, nhead, dropout: p, generator, batchFirst } = c;
    const attention = { embedDim: dModel, numHeads: nhead, dropout: p, batchFirst, generator };
    this.selfAttn = this.module(
      'self_attn',
      new MultiheadAttention({ ...attention, positionalHook: c.positionalHook }),
    );
    this.multiheadAttn = this.module('multihead_attn', new MultiheadAttention(attention));
    this.linear1 = this.module('linear1', new Linear(dModel, c.dimFeedforward));
    this.dropout = this.module('dropout', new Dropout(p, { generator }));
    this.linear2 = this.module('linear2', new Linear(c.dimFeedforward, dModel));
    const norm = () => new LayerNorm(dModel, { eps: c.layerNormEps });
    this.norm1 = this.module('norm1', norm());
    this.norm2 = this.module('norm2', norm());
    this.norm3 = this.module('norm3', norm());
    this.dropout1 = this.module('dropout1', new Dropout(p, { generator }));
    this.dropout2 = this.module('dropout2', new Dropout(p, { generator }));
    this.dropout3 = this.module('dropout3', new Dropout(p, { generator }));
    this.activation = activationFunction('transformerDecoderLayer', c.activation);
  }

  /**
   * tgt [T, B, D] and memory [S, B, D] ([B, ·, D] with batchFirst; unbatched [T, D] and [S, D] without a
   * cache) → [T, B, D].
   */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerOptions = {}): Tensor {
    return this.run(tgt, memory, options, false)[0];
  }

  /**
   * `forward`, also returning the cross-attention weights averaged over heads: [B, T, S] ([T, S] unbatched), what
   * an attention heatmap draws. (PyTorch's layer computes them but does not return them.)
   */
  forwardWithWeights(
    tgt: Tensor,
    memory: Tensor,
    options: TransformerDecoderLayerOptions = {},
  ): [Tensor, Tensor] {
    const [x, weights] = this.run(tgt, memory, options, true);
    return [x, weights!];
  }

  private run(
    tgt: Tensor,
    memory: Tensor,
    options: TransformerDecoderLayerOptions,
    needWeights: boolean,
  ): [Tensor, Tensor | null] {
    const op = 'transformerDecoderLayer';
    const { dModel, batchFirst, normFirst } = this.config;
    const cached = options.cache != null;
    checkSequence(op, 'tgt', tgt, dModel, batchFirst, cached);
    checkSequence(op, 'memory', memory, dModel, batchFirst, cached);
    if (
      tgt.ndim !== memory.ndim ||
      (tgt.ndim === 3 && batchOf(tgt, batchFirst) !== batchOf(memory, batchFirst))
    ) {
      throw new ShapeError(
        `${op}: tgt and memory must both be batched with the same batch size, or both unbatched (tgt ${formatShape(tgt.shape)}, memory ${formatShape(memory.shape)}${batchFirst ? ', batchFirst' : ''})`,
      );
    }
    if (cached && options.tgtMask) {
      throw new TensorloomError(`${op}: tgtMask can't be combined with a cache (cached decoding is causal)`);
    }
    let x = tgt; // [T, B, D]
    let attended: Tensor; // [T, B, D]
    let weights: Tensor | null; // [B, T, S] averaged over heads, when asked for
    if (normFirst) {
      x = x.add(this.selfAttentionBlock(this.norm1.forward(x), options)); // [T, B, D]
      [attended, weights] = this.crossAttentionBlock(this.norm2.forward(x), memory, options, needWeights);
      x = x.add(attended); // [T, B, D]
      x = x.add(this.feedForwardBlock(this.norm3.forward(x))); // [T, B, D]
    } else {
      x = this.norm1.forward(x.add(this.selfAttentionBlock(x, options))); // [T, B, D]
      [attended, weights] = this.crossAttentionBlock(x, memory, options, needWeights);
      x = this.norm2.forward(x.add(attended)); // [T, B, D]
      x = this.norm3.forward(x.add(this.feedForwardBlock(x))); // [T, B, D]
    }
    return [x, weights];
  }

  private selfAttentionBlock(x: Tensor, options: TransformerDecoderLayerOptions): Tensor {
    const { cache } = options;
    if (cache) {
      const [attended, , present] = this.selfAttn.forwardStep(x, cache.self, {
        keyPaddingMask: options.tgtKeyPaddingMask,
        needWeights: false,
      }); // [N, B, D]
      cache.self = present; // [B, H, t, Dh]
      return this.dropout1.forward(attended);
    }
    const [attended] = this.selfAttn.forward(x, x, x, {
      attnMask: options.tgtMask,
      keyPaddingMask: options.tgtKeyPaddingMask,
      isCausal: options.tgtIsCausal,
      needWeights: false,
    }); // [T, B, D]
    return this.dropout1.forward(attended);
  }

  /** The cross-attention's dropped-out output [T, B, D] and, if `needWeights`, its head-averaged weights. */
  private crossAttentionBlock(
    x: Tensor,
    memory: Tensor,
    options: TransformerDecoderLayerOptions,
    needWeights: boolean,
  ): [Tensor, Tensor | null] {
    const { cache } = options;
    const masks = {
      attnMask: options.memoryMask,
      keyPaddingMask: options.memoryKeyPaddingMask,
      needWeights,
    };
    if (cache) cache.memory ??= this.multiheadAttn.projectKeyValue(memory, memory); // [B, H, S, Dh], once
    const [attended, weights] = cache
      ? this.multiheadAttn.attend(x, cache.memory!, masks) // [N, B, D]
      : this.multiheadAttn.forward(x, memory, memory, masks); // [T, B, D]
    return [this.dropout2.forward(attended), weights];
  }

  private feedForwardBlock(x: Tensor): Tensor {
    const hidden = this.dropout.forward(this.activation(this.linear1.forward(x))); // [T, B, F]
    return this.dropout3.forward(this.linear2.forward(hidden)); // [T, B, D]
  }

  protected override extraRepr(): string {
    return layerRepr(this.config);
  }
}

function batchOf(x: Tensor, batchFirst: boolean): number {
  return x.shape[batchFirst ? 0 : 1];
}
