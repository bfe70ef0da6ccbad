/**
 * @file The decoder of Sutskever et al. (2014): the previous target token → embedding → stacked LSTM or GRU →
 * Linear over the target vocabulary, with an optional attention hook (Bahdanau et al., 2015; Luong et al., 2015).
 */
import { Embedding, Linear, Module } from '@tensorloom/nn';
import {
  cat,
  DTypeError,
  dropout,
  type FloatDType,
  type Generator,
  ShapeError,
  stack,
  type Tensor,
  TensorloomError,
} from '@tensorloom/tensor';
import { checkFloatDType, checkInteger, checkShape, formatShape } from '../checks.js';
import type { GRU } from '../layers/gru.js';
import type { LSTM } from '../layers/lstm.js';
import {
  type AttentionMemory,
  type CellType,
  checkCell,
  checkState,
  type DecoderAttention,
  isModule,
  makeRecurrent,
  type RecurrentState,
  runRecurrent,
} from './state.js';
import { checkProbability, checkTokenIndex, checkTokens, tokenFeatures } from './tokens.js';

/**
 * Where the attention context c enters the decoder.
 * - 'input' (Bahdanau et al., 2015): c_t = attend(s_{t−1}), the top layer's previous state; the RNN reads
 *   [emb(y_{t−1}); c_t]. Each step needs the previous one, so teacher forcing runs step by step.
 * - 'output' (Luong et al., 2015, without input feeding): c_t = attend(o_t), the top layer's new output; the
 *   projection reads [o_t; c_t] (Luong's extra tanh layer is left out). The RNN does not depend on c, so
 *   teacher forcing runs it over the whole target at once.
 */
export type AttentionPlacement = 'input' | 'output';

/** The decoder's configuration; defaults match Seq2SeqEncoderConfig's, so the states carry over as they are. */
export interface Seq2SeqDecoderConfig {
  /** Target vocabulary size V. */
  vocabSize: number;
  /** Embedding width E (default 256; unused when `useEmbedding` is false). */
  embeddingDim?: number;
  /** Hidden size H of each layer (default 512). */
  hiddenSize?: number;
  /** Stacked recurrent layers L (default 1). */
  numLayers?: number;
  /** 'lstm' (default) or 'gru'. */
  cell?: CellType;
  /** Dropout on the RNN's input features, between layers and before the projection, training only (default 0). */
  dropout?: number;
  /** The padding id: its embedding row is zero and gets no gradient (default 0). */
  padIndex?: number;
  /** Embeds the ids (default true); false feeds one-hot vectors of size V (padIndex → the zero vector). */
  useEmbedding?: boolean;
  /** Attends over the encoder outputs at each step (default null: none). */
  attention?: DecoderAttention | null;
  /** Where the context goes (default 'input', Bahdanau's); see AttentionPlacement. */
  attentionPlacement?: AttentionPlacement;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
  /** Parameter dtype (default 'float32'). */
  dtype?: FloatDType;
}

/** One decoding step's result. */
export interface DecoderStep {
  /** [B, V]: unnormalised scores of the next token. */
  logits: Tensor;
  /** The state after this step, h (and c) [L, B, H]. */
  state: RecurrentState;
  /** [B, S]: this step's attention weights over the source, or null without attention. */
  attention: Tensor | null;
}

/** A step before the vocabulary projection: its input features [B, F] (F = H, or H + C with output attention). */
interface StepFeatures {
  features: Tensor;
  state: RecurrentState;
  attention: Tensor | null;
}

/** The teacher-forced pass's result. */
export interface DecoderOutput {
  /** [B, T, V]: the scores of the token after each input token. */
  logits: Tensor;
  /** The state after the last step, h (and c) [L, B, H]. */
  state: RecurrentState;
  /** [B, T, S]: the attention weights of every step, or null without attention. */
  attention: Tensor | null;
}

/**
 * Predicts each next target token from the previous one and the recurrent state.
 * @example
 * const decoder = new Seq2SeqDecoder({ vocabSize: 100, hiddenSize: 64 });
 * const { logits, state } = decoder.step(prevTokens, encoderState); // prevTokens [B] → logits [B, 100]
 * decoder.forward(tgtIn, encoderState).logits; // tgtIn [B, T] → [B, T, 100], teacher-forced
 */
export class Seq2SeqDecoder extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly cell: CellType;
  readonly dropout: number;
  readonly padIndex: number;
  readonly useEmbedding: boolean;
  readonly attentionPlacement: AttentionPlacement;
  readonly dtype: FloatDType;
  readonly embedding: Embedding | null;
  readonly rnn: LSTM | GRU;
  readonly attention: DecoderAttention | null;
  readonly projection: Linear;
  private readonly generator: Generator | undefined;

  constructor(config: Seq2SeqDecoderConfig) {
    super();
    const op = 'seq2seqDecoder';
    const { vocabSize, embeddingDim = 256, hiddenSize = 512, numLayers = 1, cell = 'lstm' } = config;
    const { dropout: p = 0, padIndex = 0, dtype = 'float32', attention = null } = config;
    const placement = config.attentionPlacement ?? 'input';
    checkInteger(op, 'vocabSize', vocabSize, 1);
    checkInteger(op, 'embeddingDim', embeddingDim, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    checkInteger(op, 'numLayers', numLayers, 1);
    checkCell(op, cell);
    checkProbability(op, 'dropout', p);
    checkTokenIndex(op, 'padIndex', padIndex, vocabSize);
    checkFloatDType(op, dtype);
    if (placement !== 'input' && placement !== 'output') {
      throw new TensorloomError(`${op}: attentionPlacement must be 'input' or 'output' (got '${placement}')`);
    }
    if (attention) checkInteger(op, 'attention.contextSize', attention.contextSize, 1);
    this.vocabSize = vocabSize;
    this.embeddingDim = embeddingDim;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.cell = cell;
    this.dropout = p;
    this.padIndex = padIndex;
    this.useEmbedding = config.useEmbedding ?? true;
    this.attentionPlacement = placement;
    this.dtype = dtype;
    this.generator = config.generator;

    this.embedding = this.useEmbedding
      ? this.module('embedding', new Embedding(vocabSize, embeddingDim, { paddingIdx: padIndex, dtype }))
      : null;
    const contextSize = attention?.contextSize ?? 0;
    const tokenSize = this.useEmbedding ? embeddingDim : vocabSize;
    const inputSize = tokenSize + (placement === 'input' ? contextSize : 0);
    const rnnOptions = { inputSize, hiddenSize, numLayers, dropout: p, generator: config.generator, dtype };
    this.rnn = this.module('rnn', makeRecurrent(cell, rnnOptions));
    this.attention = attention && isModule(attention) ? this.module('attention', attention) : attention;
    const featureSize = hiddenSize + (placement === 'output' ? contextSize : 0);
    this.projection = this.module('projection', new Linear(featureSize, vocabSize, { dtype }));
  }

  /**
   * One step, for inference and scheduled sampling: prevTokens [B] int32, the state h (and c) [L, B, H], and
   * the memory to attend over (required with attention, else unused) → the next token's logits [B, V], the
   * new state and this step's attention weights [B, S] (null without attention).
   */
  step(prevTokens: Tensor, state: RecurrentState, memory: AttentionMemory | null = null): DecoderStep {
    checkTokens('seq2seqDecoder.step', 'prevTokens', prevTokens, 1, this.vocabSize);
    this.checkInputs('seq2seqDecoder.step', prevTokens.shape[0], state, memory);
    const x = this.inputFeatures(prevTokens.unsqueeze(1)); // [B, 1, E]
    return this.advance(x, state, memory);
  }

  /**
   * Teacher forcing: tgtIn [B, T] int32 (⟨sos⟩ y₁ … y_{T−1}, any padding after), the initial state h (and c)
   * [L, B, H] and the memory (required with attention) → logits [B, T, V], the final state and the attention
   * weights [B, T, S]. Equal to calling step with tgtIn[:, t] for t = 0 … T − 1; without attention, or with
   * 'output' placement, the RNN runs over all T steps in one call.
   */
  forward(tgtIn: Tensor, state: RecurrentState, memory: AttentionMemory | null = null): DecoderOutput {
    checkTokens('seq2seqDecoder', 'tgtIn', tgtIn, 2, this.vocabSize);
    this.checkInputs('seq2seqDecoder', tgtIn.shape[0], state, memory);
    const x = this.inputFeatures(tgtIn); // [B, T, E]
    if (this.attention && this.attentionPlacement === 'input') {
      const results: StepFeatures[] = [];
      let current = state;
      for (const xt of stepViews(x)) {
        const result = this.advanceFeatures(xt.unsqueeze(1), current, memory); // features [B, F]
        results.push(result);
        current = result.state;
      }
      // The logits do not feed back, so all steps share one projection: a [B·T, F] product instead of T of B
      // rows each, which ran at two thirds of the speed and made T weight-gradient products.
      const logits = this.project(stackSteps(results.map((r) => r.features))); // [B, T, V]
      const attention = stackSteps(results.map((r) => r.attention as Tensor)); // [B, T, S]
      return { logits, state: current, attention };
    }
    const [output, final] = runRecurrent(this.rnn, x, state); // [B, T, H]
    if (!this.attention) return { logits: this.project(output), state: final, attention: null }; // [B, T, V]
    const attended = stepViews(output).map((ot) => this.attend(ot, memory as AttentionMemory)); // T × ([B, C], [B, S])
    const context = stackSteps(attended.map(([c]) => c)); // [B, T, C]
    const attention = stackSteps(attended.map(([, w]) => w)); // [B, T, S]
    const logits = this.project(cat([output, context], -1)); // [B, T, V]
    return { logits, state: final, attention };
  }

  /** x [B, 1, E] (the previous token's features) and the state → the next token's logits [B, V], state, weights. */
  private advance(x: Tensor, state: RecurrentState, memory: AttentionMemory | null): DecoderStep {
    const { features, state: next, attention } = this.advanceFeatures(x, state, memory);
    return { logits: this.project(features), state: next, attention }; // [B, V]
  }

  /** One step up to the projection: x [B, 1, E] and the state → the projection's input [B, F], state, weights. */
  private advanceFeatures(x: Tensor, state: RecurrentState, memory: AttentionMemory | null): StepFeatures {
    let input = x; // [B, 1, E]
    let weights: Tensor | null = null;
    if (this.attention && this.attentionPlacement === 'input') {
      const query = state.hidden.select(0, this.numLayers - 1); // s_{t−1} [B, H]
      const [context, w] = this.attend(query, memory as AttentionMemory); // [B, C], [B, S]
      input = cat([x, context.unsqueeze(1)], -1); // [B, 1, E + C]
      weights = w;
    }
    const [output, next] = runRecurrent(this.rnn, input, state); // [B, 1, H]
    let features = output.squeeze(1); // [B, H]
    if (this.attention && this.attentionPlacement === 'output') {
      const [context, w] = this.attend(features, memory as AttentionMemory); // [B, C], [B, S]
      features = cat([features, context], -1); // [B, H + C]
      weights = w;
    }
    return { features, state: next, attention: weights }; // [B, F]
  }

  /** The attention hook, with its outputs' shapes checked: query [B, H] → context [B, C], weights [B, S]. */
  private attend(query: Tensor, memory: AttentionMemory): [Tensor, Tensor] {
    const attention = this.attention as DecoderAttention;
    const [batch, sourceSteps] = memory.keys.shape;
    const [context, weights] = attention.forward(query, memory.keys, memory.mask); // [B, C], [B, S]
    checkShape('seq2seqDecoder: attention', 'context', context, [batch, attention.contextSize]);
    checkShape('seq2seqDecoder: attention', 'weights', weights, [batch, sourceSteps]);
    return [context, weights];
  }

  /** Token ids [B, T] → the RNN's input features [B, T, E], with dropout in training. */
  private inputFeatures(tokens: Tensor): Tensor {
    const features = tokenFeatures(tokens, this.embedding, this.vocabSize, this.padIndex, this.dtype); // [B, T, E]
    return dropout(features, { p: this.dropout, training: this.training, generator: this.generator }); // [B, T, E]
  }

  /** features [..., F] → logits [..., V], with dropout in training. */
  private project(features: Tensor): Tensor {
    const dropped = dropout(features, {
      p: this.dropout,
      training: this.training,
      generator: this.generator,
    }); // [..., F]
    return this.projection.forward(dropped); // [..., V]
  }

  private checkInputs(
    op: string,
    batch: number,
    state: RecurrentState,
    memory: AttentionMemory | null,
  ): void {
    checkState(op, state, this.cell, [this.numLayers, batch, this.hiddenSize]);
    if (!this.attention) return;
    if (!memory)
      throw new TensorloomError(`${op}: a decoder with attention needs the memory (encoder outputs)`);
    const { keys, mask } = memory;
    if (keys.ndim !== 3 || keys.shape[0] !== batch) {
      throw new ShapeError(
        `${op}: memory.keys must be [B, S, ·] with B = ${batch} (got ${formatShape(keys.shape)})`,
      );
    }
    if (mask && mask.dtype !== 'bool')
      throw new DTypeError(`${op}: memory.mask must be bool (got ${mask.dtype})`);
    if (mask) checkShape(op, 'memory.mask', mask, [batch, keys.shape[1]]);
  }

  protected override extraRepr(): string {
    const parts = [`vocabSize=${this.vocabSize}`, `cell='${this.cell}'`];
    if (this.attention) parts.push(`attentionPlacement='${this.attentionPlacement}'`);
    if (!this.useEmbedding) parts.push('useEmbedding=false');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    return parts.join(', ');
  }
}

/** x [B, T, …] → T views [B, …] (autograd gathers their gradients into one tensor, linear in T). */
function stepViews(x: Tensor): Tensor[] {
  return Array.from({ length: x.shape[1] }, (_, t) => x.select(1, t));
}

/** T × [B, …] → [B, T, …]. */
function stackSteps(steps: Tensor[]): Tensor {
  return stack(steps, 1);
}
