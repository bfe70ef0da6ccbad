/**
 * @file The `transformer` model: the encoder-decoder Transformer of Vaswani et al. (2017), "Attention Is All You
 * Need", from the packages: token embeddings scaled by √D plus positions (@tensorloom/positional), nn-attention's
 * Transformer, and a linear generator over the target vocabulary.
 *
 * State-dict keys, as a PyTorch model built the obvious way (the Annotated Transformer's names around an
 * nn.Transformer):
 * - `src_embed.weight` [V_src, D], `tgt_embed.weight` [V_tgt, D] (with `shareEmbeddings`, `tgt_embed` is the
 *   same module as `src_embed`, and a state dict lists it once, as `src_embed.weight`);
 * - `src_pos.weight`, `tgt_pos.weight` [maxLength, D] with learned positions (sinusoidal ones have no state);
 * - `transformer.encoder.layers.{i}.self_attn.in_proj_weight`, …, `transformer.encoder.norm.*`,
 *   `transformer.decoder.layers.{i}.multihead_attn.*`, …, `transformer.decoder.norm.*` (nn.Transformer's);
 * - `generator.weight` [V_tgt, D] (with `tieOutput`, the very tensor of `tgt_embed.weight`, listed under both
 *   names as PyTorch does) and `generator.bias` [V_tgt].
 *
 * Init: xavier-uniform on the Transformer's matrices (nn.Transformer's); token and learned position embeddings
 * ~ N(0, D^−1/2) (fairseq's), so √D·embedding has unit variance and a tied generator gives logits of unit
 * scale; the `<pad>` rows are zero.
 *
 * Shapes: B batch, S source length, T target length, V target vocabulary, D model width, N live decoding rows.
 */
import { Embedding, init, Linear, linear, Module } from '@tensorloom/nn';
import { Transformer, type TransformerDecoderCache } from '@tensorloom/nn-attention';
import { LearnedPositionalEmbedding, SinusoidalPositionalEncoding } from '@tensorloom/positional';
import { noGrad, type Tensor, tensor, zeros } from '@tensorloom/tensor';
import {
  checkBoolean,
  checkConfigKind,
  checkInteger,
  checkKnownFields,
  checkOneOf,
  checkProbability,
  checkVocabularies,
} from './checks.js';
import type { ConfigInput, Resolved, TransformerConfig } from './config.js';
import type {
  DecodingState,
  SourceBatch,
  StepOutput,
  TeacherForcedBatch,
  TeacherForcedOutput,
  TranslatorModel,
} from './translator-model.js';

/** The config with every default filled in, validated (RangeError naming the field). */
export function resolveTransformerConfig(
  config: ConfigInput<TransformerConfig>,
): Resolved<TransformerConfig> {
  const op = 'transformer';
  const dModel = config.dModel ?? 64;
  const resolved: Resolved<TransformerConfig> = {
    kind: 'transformer',
    srcVocabSize: config.srcVocabSize,
    tgtVocabSize: config.tgtVocabSize,
    dModel,
    nhead: config.nhead ?? 4,
    numEncoderLayers: config.numEncoderLayers ?? 2,
    numDecoderLayers: config.numDecoderLayers ?? 2,
    dimFeedforward: config.dimFeedforward ?? 4 * dModel,
    dropout: config.dropout ?? 0.1,
    activation: config.activation ?? 'relu',
    normFirst: config.normFirst ?? false,
    positions: config.positions ?? 'sinusoidal',
    maxLength: config.maxLength ?? 256,
    tieOutput: config.tieOutput ?? true,
    shareEmbeddings: config.shareEmbeddings ?? false,
    padIndex: config.padIndex ?? 0,
  };
  const c = resolved;
  checkConfigKind(op, config, op);
  checkKnownFields(op, config, Object.keys(c));
  checkVocabularies(op, c, c.padIndex);
  checkInteger(op, 'dModel', c.dModel, 1);
  checkInteger(op, 'nhead', c.nhead, 1);
  if (c.dModel % c.nhead !== 0) {
    throw new RangeError(
      `${op}: dModel must be divisible by nhead (got dModel ${c.dModel}, nhead ${c.nhead})`,
    );
  }
  checkInteger(op, 'numEncoderLayers', c.numEncoderLayers, 1);
  checkInteger(op, 'numDecoderLayers', c.numDecoderLayers, 1);
  checkInteger(op, 'dimFeedforward', c.dimFeedforward, 1);
  checkProbability(op, 'dropout', c.dropout, true);
  checkOneOf(op, 'activation', c.activation, ['relu', 'gelu']);
  checkBoolean(op, 'normFirst', c.normFirst);
  checkOneOf(op, 'positions', c.positions, ['sinusoidal', 'learned']);
  checkInteger(op, 'maxLength', c.maxLength, 1);
  checkBoolean(op, 'tieOutput', c.tieOutput);
  checkBoolean(op, 'shareEmbeddings', c.shareEmbeddings);
  if (c.shareEmbeddings && c.srcVocabSize !== c.tgtVocabSize) {
    throw new RangeError(
      `${op}: shareEmbeddings needs one joint vocabulary, so srcVocabSize = tgtVocabSize (got ${c.srcVocabSize} and ${c.tgtVocabSize})`,
    );
  }
  return resolved;
}

/** A token embedding ~ N(0, D^−1/2) with a zero, gradient-free `<pad>` row. */
function tokenEmbedding(vocabSize: number, dModel: number, padIndex: number): Embedding {
  const embedding = new Embedding(vocabSize, dModel, { paddingIdx: padIndex });
  noGrad(() => {
    init.normal_(embedding.weight, 0, dModel ** -0.5);
    embedding.weight.select(0, padIndex).zero_();
  });
  return embedding;
}

/** The generator with its weight tied to an embedding matrix [V, D] (Press & Wolf, 2017): logits = x Eᵀ + b. */
class TiedLinear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(weight: Tensor) {
    super();
    this.weight = this.param('weight', weight); // the same tensor: one set of values, two names
    this.bias = this.param('bias', zeros([weight.shape[0]])); // [V]
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias); // [..., V]
  }
}

/**
 * The Transformer translator. `forwardBatch` runs the encoder with the source padding mask and the decoder with
 * the causal mask, the target padding mask and the source padding mask over the memory; `startDecoding`
 * encodes once and decodes step by step with a key/value cache (each step costs one position).
 * @example
 * const model = new TransformerTranslator({ kind: 'transformer', srcVocabSize: 120, tgtVocabSize: 150 });
 * const { logits, attention } = model.forwardBatch(batch); // [B, T, 150], [B, T, S]
 */
export class TransformerTranslator extends Module implements TranslatorModel {
  readonly kind = 'transformer';
  readonly config: Resolved<TransformerConfig>;
  readonly srcEmbed: Embedding;
  readonly tgtEmbed: Embedding;
  readonly srcPos: SinusoidalPositionalEncoding | LearnedPositionalEmbedding;
  readonly tgtPos: SinusoidalPositionalEncoding | LearnedPositionalEmbedding;
  readonly transformer: Transformer;
  readonly generator: Linear | TiedLinear;

  constructor(config: ConfigInput<TransformerConfig>) {
    super();
    const c = resolveTransformerConfig(config);
    this.config = c;
    const { dModel, padIndex, dropout } = c;
    this.srcEmbed = this.module('src_embed', tokenEmbedding(c.srcVocabSize, dModel, padIndex));
    this.tgtEmbed = this.module(
      'tgt_embed',
      c.shareEmbeddings ? this.srcEmbed : tokenEmbedding(c.tgtVocabSize, dModel, padIndex),
    );
    if (c.positions === 'learned') {
      const learned = () => {
        const pos = new LearnedPositionalEmbedding({ maxLen: c.maxLength, dModel, dropout });
        noGrad(() => init.normal_(pos.weight, 0, dModel ** -0.5));
        return pos;
      };
      this.srcPos = this.module('src_pos', learned());
      this.tgtPos = this.module('tgt_pos', learned());
    } else {
      // Stateless; two instances only so that each side's dropout is its own module, as with learned positions.
      this.srcPos = this.module('src_pos', new SinusoidalPositionalEncoding({ dModel, dropout }));
      this.tgtPos = this.module('tgt_pos', new SinusoidalPositionalEncoding({ dModel, dropout }));
    }
    this.transformer = this.module(
      'transformer',
      new Transformer({
        dModel,
        nhead: c.nhead,
        numEncoderLayers: c.numEncoderLayers,
        numDecoderLayers: c.numDecoderLayers,
        dimFeedforward: c.dimFeedforward,
        dropout,
        activation: c.activation,
        normFirst: c.normFirst,
        batchFirst: true,
      }),
    );
    this.generator = this.module(
      'generator',
      c.tieOutput ? new TiedLinear(this.tgtEmbed.weight) : new Linear(dModel, c.tgtVocabSize),
    );
  }

  /** src [B, S] int32 → √D·embedding + positions [B, S, D]. */
  embedSource(src: Tensor): Tensor {
    return this.srcPos.forward(this.srcEmbed.forward(src).mul(Math.sqrt(this.config.dModel))); // [B, S, D]
  }

  /** tgt [B, T] int32 at positions offset … offset + T − 1 → [B, T, D]. */
  embedTarget(tgt: Tensor, offset = 0): Tensor {
    const x = this.tgtEmbed.forward(tgt).mul(Math.sqrt(this.config.dModel)); // [B, T, D]
    return this.tgtPos.forward(x, { offset }); // [B, T, D]
  }

  /** src [B, S] and its padding mask [B, S] → memory [B, S, D]. */
  encode(src: Tensor, srcPaddingMask: Tensor): Tensor {
    return this.transformer.encode(this.embedSource(src), { srcKeyPaddingMask: srcPaddingMask }); // [B, S, D]
  }

  forward(batch: TeacherForcedBatch): TeacherForcedOutput {
    return this.forwardBatch(batch);
  }

  forwardBatch(batch: TeacherForcedBatch): TeacherForcedOutput {
    const memory = this.encode(batch.src, batch.srcPaddingMask); // [B, S, D]
    const [out, weights] = this.transformer.decoder.forwardWithWeights(
      this.embedTarget(batch.decoderInput),
      memory,
      {
        tgtIsCausal: true,
        tgtKeyPaddingMask: batch.tgtPaddingMask,
        memoryKeyPaddingMask: batch.srcPaddingMask,
      },
    ); // [B, T, D], one [B, T, S] per layer
    return { logits: this.generator.forward(out), attention: weights[weights.length - 1] }; // [B, T, V], [B, T, S]
  }

  startDecoding(batch: SourceBatch): DecodingState {
    const memory = this.encode(batch.src, batch.srcPaddingMask); // [B, S, D]
    return new TransformerDecodingState(this, memory, batch.srcPaddingMask);
  }

  protected override extraRepr(): string {
    const c = this.config;
    return `positions='${c.positions}', tieOutput=${c.tieOutput}, shareEmbeddings=${c.shareEmbeddings}`;
  }
}

/** The memory [N, S, D], its padding mask [N, S] and the decoder's key/value cache of the N live rows. */
class TransformerDecodingState implements DecodingState {
  private readonly cache: TransformerDecoderCache;
  private position = 0;

  constructor(
    private readonly model: TransformerTranslator,
    private memory: Tensor,
    private memoryPaddingMask: Tensor,
  ) {
    this.cache = model.transformer.createCache();
  }

  step(prevTokens: Tensor): StepOutput {
    const x = this.model.embedTarget(prevTokens.unsqueeze(1), this.position); // [N, 1, D]
    const [out, weights] = this.model.transformer.decoder.forwardWithWeights(x, this.memory, {
      memoryKeyPaddingMask: this.memoryPaddingMask,
      cache: this.cache,
    }); // [N, 1, D], one [N, 1, S] per layer
    this.position++;
    const logits = this.model.generator.forward(out.squeeze(1)); // [N, V]
    const attention = weights[weights.length - 1].squeeze(1); // the last layer's, [N, S]
    return { logProbs: logits.logSoftmax(-1), attention }; // [N, V], [N, S]
  }

  select(rows: readonly number[]): void {
    const index = tensor([...rows], { dtype: 'int32' }); // [N']
    this.cache.selectBatch(rows); // [N', H, t, Dh] and [N', H, S, Dh]
    this.memory = this.memory.indexSelect(0, index); // [N', S, D]
    this.memoryPaddingMask = this.memoryPaddingMask.indexSelect(0, index); // [N', S]
  }
}
