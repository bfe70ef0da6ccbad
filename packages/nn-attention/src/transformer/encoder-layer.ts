/** @file One Transformer encoder layer: self-attention and a feed-forward block, each with a residual and a LayerNorm. */
import { Dropout, LayerNorm, Linear, Module } from '@tensorloom/nn';
import type { Tensor } from '@tensorloom/tensor';
import { MultiheadAttention } from '../multihead.js';
import {
  activationFunction,
  checkSequence,
  type ResolvedLayerConfig,
  resolveLayerConfig,
  type TransformerLayerConfig,
} from './config.js';

export interface TransformerEncoderLayerOptions {
  /** [S, S] or [B·H, S, S]: bool true = not allowed, or float added to the scores. */
  srcMask?: Tensor | null;
  /** [B, S]: bool true at padding, or float added to the scores. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (position i sees j ≤ i), merged with srcMask. */
  srcIsCausal?: boolean;
}

/**
 * nn.TransformerEncoderLayer. Post-norm (default): x = norm1(x + SA(x)); x = norm2(x + FF(x)). Pre-norm
 * (`normFirst`): x = x + SA(norm1(x)); x = x + FF(norm2(x)). FF(x) = linear2(dropout(act(linear1(x)))); each
 * branch ends in its own dropout (dropout1, dropout2). Submodules and state-dict keys as PyTorch's:
 * `self_attn.*`, `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`.
 * @example
 * const layer = new TransformerEncoderLayer({ dModel: 32, nhead: 4, dimFeedforward: 64, batchFirst: true });
 * layer.forward(x, { srcKeyPaddingMask }); // x [B, S, 32] → [B, S, 32]
 */
export class TransformerEncoderLayer extends Module {
  readonly config: ResolvedLayerConfig;
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(config: TransformerLayerConfig) {
    super();
    const c = resolveLayerConfig('transformerEncoderLayer', config);
    this.config = c;
    const { dModel, nhead, dropout: p, generator } = c;
    this.selfAttn = this.module(
      'self_attn',
      new MultiheadAttention({
        embedDim: dModel,
        numHeads: nhead,
        dropout: p,
        batchFirst: c.batchFirst,
        positionalHook: c.positionalHook,
        generator,
      }),
    );
    this.linear1 = this.module('linear1', new Linear(dModel, c.dimFeedforward));
    this.dropout = this.module('dropout', new Dropout(p, { generator }));
    this.linear2 = this.module('linear2', new Linear(c.dimFeedforward, dModel));
    this.norm1 = this.module('norm1', new LayerNorm(dModel, { eps: c.layerNormEps }));
    this.norm2 = this.module('norm2', new LayerNorm(dModel, { eps: c.layerNormEps }));
    this.dropout1 = this.module('dropout1', new Dropout(p, { generator }));
    this.dropout2 = this.module('dropout2', new Dropout(p, { generator }));
    this.activation = activationFunction('transformerEncoderLayer', c.activation);
  }

  /** src [S, B, D] ([B, S, D] with batchFirst, or unbatched [S, D]) → the same shape. */
  forward(src: Tensor, options: TransformerEncoderLayerOptions = {}): Tensor {
    checkSequence('transformerEncoderLayer', 'src', src, this.config.dModel, this.config.batchFirst);
    let x = src; // [S, B, D]
    if (this.config.normFirst) {
      x = x.add(this.selfAttentionBlock(this.norm1.forward(x), options)); // [S, B, D]
      x = x.add(this.feedForwardBlock(this.norm2.forward(x))); // [S, B, D]
    } else {
      x = this.norm1.forward(x.add(this.selfAttentionBlock(x, options))); // [S, B, D]
      x = this.norm2.forward(x.add(this.feedForwardBlock(x))); // [S, B, D]
    }
    return x;
  }

  private selfAttentionBlock(x: Tensor, options: TransformerEncoderLayerOptions): Tensor {
    const [attended] = this.selfAttn.forward(x, x, x, {
      attnMask: options.srcMask,
      keyPaddingMask: options.srcKeyPaddingMask,
      isCausal: options.srcIsCausal,
      needWeights: false,
    }); // [S, B, D]
    return this.dropout1.forward(attended);
  }

  private feedForwardBlock(x: Tensor): Tensor {
    const hidden = this.dropout.forward(this.activation(this.linear1.forward(x))); // [S, B, F]
    return this.dropout2.forward(this.linear2.forward(hidden)); // [S, B, D]
  }

  protected override extraRepr(): string {
    return layerRepr(this.config);
  }
}

export function layerRepr(c: ResolvedLayerConfig): string {
  const activation = typeof c.activation === 'function' ? 'custom' : `'${c.activation}'`;
  return `dModel=${c.dModel}, nhead=${c.nhead}, dimFeedforward=${c.dimFeedforward}, dropout=${c.dropout}, activation=${activation}, normFirst=${c.normFirst}`;
}
