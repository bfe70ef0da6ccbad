/** @file The encoder of Sutskever et al. (2014): token ids → embedding (or one-hot) → stacked LSTM or GRU. */
import { Embedding, Module } from '@tensorloom/nn';
import { dropout, type FloatDType, type Generator, type Tensor } from '@tensorloom/tensor';
import { checkFloatDType, checkInteger } from '../checks.js';
import type { GRU } from '../layers/gru.js';
import { checkLengths, type Lengths } from '../layers/lengths.js';
import type { LSTM } from '../layers/lstm.js';
import { type CellType, checkCell, makeRecurrent, type RecurrentState, runRecurrent } from './state.js';
import {
  checkProbability,
  checkTokenIndex,
  checkTokens,
  lengthMask,
  reversalIndex,
  tokenFeatures,
} from './tokens.js';

/** The encoder's configuration. Sutskever et al. used 4 LSTM layers of 1000 cells over 1000-dim embeddings. */
export interface Seq2SeqEncoderConfig {
  /** Source vocabulary size V. */
  vocabSize: number;
  /** Embedding width E (default 256; unused when `useEmbedding` is false). */
  embeddingDim?: number;
  /** Hidden size H of each layer and direction (default 512). */
  hiddenSize?: number;
  /** Stacked recurrent layers L (default 1). */
  numLayers?: number;
  /** 'lstm' (default, as in the paper) or 'gru'. */
  cell?: CellType;
  /** Reads the source both ways; outputs are [forward, backward] per position, D = 2 (default false). */
  bidirectional?: boolean;
  /** Dropout on the RNN's input features and between layers, in training mode only (default 0). */
  dropout?: number;
  /** The padding id: its embedding row is zero and gets no gradient (default 0). */
  padIndex?: number;
  /**
   * Feeds each source sentence reversed within its length, padding kept at the end (default false). The paper's
   * trick: the first source words end up next to the first target words, which eases optimisation.
   */
  reverseSource?: boolean;
  /** Embeds the ids (default true); false feeds one-hot vectors of size V (padIndex → the zero vector). */
  useEmbedding?: boolean;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
  /** Parameter dtype (default 'float32'). */
  dtype?: FloatDType;
}

export interface EncoderOutput {
  /** [B, S, D·H]: the top layer's outputs in source order (position s reads src[b, s]), zeros at padding. */
  outputs: Tensor;
  /** The final states after each sequence's last real token, h (and c) [L·D, B, H]. */
  state: RecurrentState;
  /** [B, S] bool: true at real source tokens. */
  mask: Tensor;
  /** The source lengths, one per batch element. */
  lengths: number[];
}

/**
 * Reads a padded batch of source sentences into per-position outputs and final states.
 * @example
 * const encoder = new Seq2SeqEncoder({ vocabSize: 100, hiddenSize: 64, reverseSource: true });
 * const { outputs, state } = encoder.forward(src, [5, 3]); // src [2, 5] int32 → outputs [2, 5, 64], state.hidden [1, 2, 64]
 */
export class Seq2SeqEncoder extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly cell: CellType;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly padIndex: number;
  readonly reverseSource: boolean;
  readonly useEmbedding: boolean;
  readonly dtype: FloatDType;
  readonly embedding: Embedding | null;
  readonly rnn: LSTM | GRU;
  private readonly generator: Generator | undefined;

  constructor(config: Seq2SeqEncoderConfig) {
    super();
    const op = 'seq2seqEncoder';
    const { vocabSize, embeddingDim = 256, hiddenSize = 512, numLayers = 1, cell = 'lstm' } = config;
    const { dropout: p = 0, padIndex = 0, dtype = 'float32' } = config;
    checkInteger(op, 'vocabSize', vocabSize, 1);
    checkInteger(op, 'embeddingDim', embeddingDim, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    checkInteger(op, 'numLayers', numLayers, 1);
    checkCell(op, cell);
    checkProbability(op, 'dropout', p);
    checkTokenIndex(op, 'padIndex', padIndex, vocabSize);
    checkFloatDType(op, dtype);
    this.vocabSize = vocabSize;
    this.embeddingDim = embeddingDim;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.cell = cell;
    this.padIndex = padIndex;
    this.dtype = dtype;
    this.bidirectional = config.bidirectional ?? false;
    this.dropout = p;
    this.reverseSource = config.reverseSource ?? false;
    this.useEmbedding = config.useEmbedding ?? true;
    this.generator = config.generator;
    this.embedding = this.useEmbedding
      ? this.module('embedding', new Embedding(vocabSize, embeddingDim, { paddingIdx: padIndex, dtype }))
      : null;
    const inputSize = this.useEmbedding ? embeddingDim : vocabSize;
    const { bidirectional, generator } = this;
    const rnnOptions = { inputSize, hiddenSize, numLayers, bidirectional, dropout: p, generator, dtype };
    this.rnn = this.module('rnn', makeRecurrent(cell, rnnOptions));
  }

  /** D: 2 when bidirectional, else 1. */
  get numDirections(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** D·H: the width of each output position. */
  get outputSize(): number {
    return this.numDirections * this.hiddenSize;
  }

  /**
   * src [B, S] int32 and the source lengths (int32 [B] or numbers, each in [1, S]; default: all S) →
   * outputs [B, S, D·H], final states [L·D, B, H], the [B, S] mask of real tokens and the lengths.
   */
  forward(src: Tensor, lengths?: Lengths | null): EncoderOutput {
    const op = 'seq2seqEncoder';
    checkTokens(op, 'src', src, 2, this.vocabSize);
    const [batch, steps] = src.shape;
    const lens =
      lengths == null ? new Array<number>(batch).fill(steps) : checkLengths(op, lengths, steps, batch);
    const order = this.reverseSource ? reversalIndex(lens, steps) : null; // [B, S]
    const tokens = order ? src.gather(1, order) : src; // [B, S], each sequence reversed within its length
    const features = tokenFeatures(tokens, this.embedding, this.vocabSize, this.padIndex, this.dtype); // [B, S, E]
    const x = dropout(features, { p: this.dropout, training: this.training, generator: this.generator }); // [B, S, E]
    const [read, state] = runRecurrent(this.rnn, x, null, lens); // [B, S, D·H], [L·D, B, H]
    if (!order) return { outputs: read, state, mask: lengthMask(lens, steps), lengths: lens };
    // Back to source order, so that attention weights line up with src as given (the index is an involution).
    const outputs = read.gather(1, order.unsqueeze(-1).expand(read.shape)); // [B, S, D·H]
    return { outputs, state, mask: lengthMask(lens, steps), lengths: lens };
  }

  protected override extraRepr(): string {
    const parts = [`vocabSize=${this.vocabSize}`, `cell='${this.cell}'`];
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.reverseSource) parts.push('reverseSource=true');
    if (!this.useEmbedding) parts.push('useEmbedding=false');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    return parts.join(', ');
  }
}
