/** @file The encoder-decoder Transformer of "Attention Is All You Need" (Vaswani et al., 2017), as nn.Transformer. */
import { init, Module } from '@tensorloom/nn';
import { type FloatDType, ShapeError, type Tensor } from '@tensorloom/tensor';
import { checkInteger, formatShape } from '../checks.js';
import { generateSquareSubsequentMask } from '../masks.js';
import type { TransformerLayerConfig } from './config.js';
import type { TransformerEncoderLayerOptions } from './encoder-layer.js';
import {
  TransformerDecoder,
  type TransformerDecoderCache,
  type TransformerDecoderOptions,
  TransformerEncoder,
} from './stacks.js';

/** nn.Transformer's configuration; every field has PyTorch's default. */
export interface TransformerConfig extends Partial<TransformerLayerConfig> {
  /** D (default 512). */
  dModel?: number;
  /** H (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
}

export interface TransformerOptions {
  /** [S, S] or [B·H, S, S]: bool true = not allowed, or float. */
  srcMask?: Tensor | null;
  /** [T, T] or [B·H, T, T], e.g. generateSquareSubsequentMask(T). */
  tgtMask?: Tensor | null;
  /** [T, S] or [B·H, T, S]. */
  memoryMask?: Tensor | null;
  /** [B, S]: bool true at padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** [B, T]: bool true at padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [B, S]: bool true at padding (usually the srcKeyPaddingMask). */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal encoder self-attention without building srcMask. */
  srcIsCausal?: boolean;
  /** Causal decoder self-attention without building tgtMask. */
  tgtIsCausal?: boolean;
}

/**
 * nn.Transformer: `encoder` (TransformerEncoder with a final `norm`) and `decoder` (TransformerDecoder with a
 * final `norm`); no embeddings, positional encodings or output projection (add your own). State-dict keys are
 * PyTorch's (`encoder.layers.0.self_attn.in_proj_weight`, …, `decoder.norm.bias`), so a PyTorch state dict
 * loads directly. Init as PyTorch: xavier-uniform on every parameter with more than one dim.
 * @example
 * const model = new Transformer({ dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true });
 * const mask = Transformer.generateSquareSubsequentMask(tgt.shape[1]);
 * model.forward(src, tgt, { tgtMask: mask, srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad }); // [B, T, 32]
 */
export class Transformer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;

  constructor(config: TransformerConfig = {}) {
    super();
    const { numEncoderLayers = 6, numDecoderLayers = 6, ...rest } = config;
    checkInteger('transformer', 'numEncoderLayers', numEncoderLayers, 1);
    checkInteger('transformer', 'numDecoderLayers', numDecoderLayers, 1);
    const layer = { ...rest, dModel: config.dModel ?? 512, nhead: config.nhead ?? 8 };
    this.dModel = layer.dModel;
    this.nhead = layer.nhead;
    this.batchFirst = layer.batchFirst ?? false;
    this.encoder = this.module(
      'encoder',
      new TransformerEncoder({ ...layer, numLayers: numEncoderLayers, norm: true }),
    );
    this.decoder = this.module(
      'decoder',
      new TransformerDecoder({ ...layer, numLayers: numDecoderLayers, norm: true }),
    );
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  /** PyTorch's causal mask: float [n, n], −∞ above the diagonal, 0 elsewhere. */
  static generateSquareSubsequentMask(n: number, options: { dtype?: FloatDType } = {}): Tensor {
    return generateSquareSubsequentMask(n, options);
  }

  /**
   * src [S, B, D] and tgt [T, B, D] ([B, ·, D] with batchFirst; or unbatched) → the decoder's output [T, B, D].
   */
  forward(src: Tensor, tgt: Tensor, options: TransformerOptions = {}): Tensor {
    const b = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && tgt.ndim === 3 && src.shape[b] !== tgt.shape[b]) {
      throw new ShapeError(
        `transformer: src and tgt must have the same batch size (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)}${this.batchFirst ? ', batchFirst' : ''})`,
      );
    }
    const memory = this.encode(src, options); // [S, B, D]
    return this.decode(tgt, memory, options); // [T, B, D]
  }

  /** src [S, B, D] → memory [S, B, D]. */
  encode(src: Tensor, options: TransformerEncoderLayerOptions = {}): Tensor {
    return this.encoder.forward(src, {
      srcMask: options.srcMask,
      srcKeyPaddingMask: options.srcKeyPaddingMask,
      srcIsCausal: options.srcIsCausal,
    }); // [S, B, D]
  }

  /** tgt [T, B, D] over memory [S, B, D] → [T, B, D]; with `{ cache }`, tgt holds only the new steps. */
  decode(tgt: Tensor, memory: Tensor, options: TransformerDecoderOptions = {}): Tensor {
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask,
      memoryMask: options.memoryMask,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask,
      tgtIsCausal: options.tgtIsCausal,
      cache: options.cache,
    }); // [T, B, D]
  }

  /** An empty key/value cache for incremental decoding with `decode(step, memory, { cache })`. */
  createCache(): TransformerDecoderCache {
    return this.decoder.createCache();
  }

  protected override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, batchFirst=${this.batchFirst}`;
  }
}
