/**
 * @file The encoder-decoder of "Sequence to Sequence Learning with Neural Networks" (Sutskever, Vinyals & Le,
 * 2014): the encoder reads the source into its final states, which (through a bridge) start the decoder.
 */
import { Module } from '@tensorloom/nn';
import {
  defaultGenerator,
  type Generator,
  noGrad,
  ShapeError,
  stack,
  type Tensor,
  TensorloomError,
  tensor,
} from '@tensorloom/tensor';
import { checkInteger, formatShape } from '../checks.js';
import type { Lengths } from '../layers/lengths.js';
import { type BridgeMode, Seq2SeqBridge } from './bridge.js';
import { Seq2SeqDecoder, type Seq2SeqDecoderConfig } from './decoder.js';
import { Seq2SeqEncoder, type Seq2SeqEncoderConfig } from './encoder.js';
import type { AttentionMemory, RecurrentState } from './state.js';
import { checkProbability, checkTokenIndex, checkTokens } from './tokens.js';

/** The model's configuration: one object per side, and how the states cross over. */
export interface Seq2SeqConfig {
  encoder: Seq2SeqEncoderConfig;
  decoder: Seq2SeqDecoderConfig;
  /** Encoder final states → decoder initial states (default 'auto'); see BridgeMode. */
  bridge?: BridgeMode;
}

export interface Seq2SeqForwardOptions {
  /**
   * The probability that a step is fed the true previous token (default 1: pure teacher forcing). Below 1,
   * each step t ≥ 1 of each sequence is fed the model's own argmax prediction with probability 1 − ratio
   * (scheduled sampling, Bengio et al., 2015); no gradient flows through that choice.
   */
  teacherForcingRatio?: number;
  /** Draws the scheduled-sampling coin flips (default: the global stream seeded by manualSeed). */
  generator?: Generator;
}

export interface Seq2SeqOutput {
  /** [B, T, V]: the scores of each next target token. */
  logits: Tensor;
  /** [B, T, S]: the decoder's attention weights at every step, or null without attention. */
  attention: Tensor | null;
}

export interface GreedyDecodeOptions {
  /** The start token fed at the first step. */
  sosIndex: number;
  /** The end token: a sequence is finished once it produces it. */
  eosIndex: number;
  /** The most tokens to produce per sequence (⟨eos⟩ included). */
  maxLength: number;
}

export interface GreedyDecodeResult {
  /** Per sequence, the produced ids without ⟨sos⟩ and ⟨eos⟩. */
  tokens: number[][];
  /** [B, N] int32: the same ids, padded with the decoder's padIndex (N = the longest, at least 1). */
  ids: Tensor;
  /** Per sequence, whether it produced ⟨eos⟩ (false: cut off at maxLength). */
  finished: boolean[];
  /**
   * Per sequence, [n_b, S]: the attention weights of each step that produced a token (the ⟨eos⟩ step
   * included, so n_b = tokens[b].length + 1 when finished), or null without attention.
   */
  attention: Tensor[] | null;
}

/**
 * An encoder-decoder: Seq2SeqEncoder → Seq2SeqBridge → Seq2SeqDecoder, with teacher forcing, scheduled sampling
 * and greedy decoding. State-dict keys: `encoder.*`, `bridge.*`, `decoder.*`.
 * @example
 * const model = new Seq2Seq({
 *   encoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 32, reverseSource: true },
 *   decoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 32 },
 * });
 * const { logits } = model.forward(src, srcLengths, tgtIn); // [B, T, 10]
 * model.greedyDecode(src, srcLengths, { sosIndex: 1, eosIndex: 2, maxLength: 20 }).tokens; // number[][]
 */
export class Seq2Seq extends Module {
  readonly encoder: Seq2SeqEncoder;
  readonly bridge: Seq2SeqBridge;
  readonly decoder: Seq2SeqDecoder;

  constructor(config: Seq2SeqConfig) {
    super();
    const encoder = new Seq2SeqEncoder(config.encoder);
    const decoder = new Seq2SeqDecoder(config.decoder);
    if (encoder.dtype !== decoder.dtype) {
      throw new TensorloomError(
        `seq2seq: encoder and decoder must share a dtype (encoder '${encoder.dtype}', decoder '${decoder.dtype}')`,
      );
    }
    const source = {
      cell: encoder.cell,
      stacked: encoder.numLayers * encoder.numDirections,
      hiddenSize: encoder.hiddenSize,
    };
    const target = { cell: decoder.cell, stacked: decoder.numLayers, hiddenSize: decoder.hiddenSize };
    this.encoder = this.module('encoder', encoder);
    this.bridge = this.module('bridge', new Seq2SeqBridge(source, target, config.bridge, encoder.dtype));
    this.decoder = this.module('decoder', decoder);
  }

  /** src [B, S] and its lengths → the decoder's initial state [L, B, H] and the memory to attend over. */
  encode(src: Tensor, srcLengths?: Lengths | null): { state: RecurrentState; memory: AttentionMemory } {
    const { outputs, state, mask } = this.encoder.forward(src, srcLengths); // [B, S, D·H], [L·D, B, H]
    return { state: this.bridge.forward(state), memory: { keys: outputs, mask } }; // [L, B, H]
  }

  /**
   * Training pass: src [B, S] int32 with its lengths, and tgtIn [B, T] int32 (⟨sos⟩ y₁ … y_{T−1}) → the logits
   * [B, T, V] of y₁ … y_T. With teacherForcingRatio 1 every step reads tgtIn (without attention, the decoder RNN
   * runs over all T steps in one call); below 1, scheduled sampling step by step.
   */
  forward(
    src: Tensor,
    srcLengths: Lengths | null,
    tgtIn: Tensor,
    options: Seq2SeqForwardOptions = {},
  ): Seq2SeqOutput {
    const op = 'seq2seq';
    const { teacherForcingRatio: ratio = 1, generator = defaultGenerator } = options;
    checkProbability(op, 'teacherForcingRatio', ratio);
    checkTokens(op, 'tgtIn', tgtIn, 2, this.decoder.vocabSize);
    if (src.shape[0] !== tgtIn.shape[0]) {
      throw new ShapeError(
        `${op}: src and tgtIn must have the same batch size (src ${formatShape(src.shape)}, tgtIn ${formatShape(tgtIn.shape)})`,
      );
    }
    const { state, memory } = this.encode(src, srcLengths); // [L, B, H], [B, S, D·H]
    if (ratio === 1) {
      const { logits, attention } = this.decoder.forward(tgtIn, state, memory); // [B, T, V], [B, T, S]
      return { logits, attention };
    }
    const [batch, steps] = tgtIn.shape;
    const truth = tgtIn.dataSync();
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    let current = state;
    let tokens = tgtIn.select(1, 0); // [B], ⟨sos⟩
    for (let t = 0; t < steps; t++) {
      const step = this.decoder.step(tokens, current, memory); // logits [B, V]
      logits.push(step.logits);
      if (step.attention) weights.push(step.attention); // [B, S]
      current = step.state;
      if (t + 1 === steps) break;
      const predicted = step.logits.detach().argmax(-1).dataSync(); // [B]
      const next = Array.from({ length: batch }, (_, b) =>
        ratio > 0 && generator.uniform() < ratio ? truth[b * steps + t + 1] : predicted[b],
      );
      tokens = tensor(next, { dtype: 'int32' }); // [B]
    }
    return {
      logits: stack(logits, 1), // [B, T, V]
      attention: weights.length > 0 ? stack(weights, 1) : null, // [B, T, S]
    };
  }

  /**
   * Batched greedy decoding under noGrad: starts every sequence from ⟨sos⟩ and feeds back each step's argmax
   * until every sequence has produced ⟨eos⟩ or maxLength tokens. Finished sequences leave the batch (their
   * states and memory rows are dropped), so they cost nothing further. Call `model.eval()` first if the model
   * has dropout.
   */
  greedyDecode(src: Tensor, srcLengths: Lengths | null, options: GreedyDecodeOptions): GreedyDecodeResult {
    const op = 'seq2seq.greedyDecode';
    const { sosIndex, eosIndex, maxLength } = options;
    const { vocabSize, padIndex } = this.decoder;
    checkTokenIndex(op, 'sosIndex', sosIndex, vocabSize);
    checkTokenIndex(op, 'eosIndex', eosIndex, vocabSize);
    checkInteger(op, 'maxLength', maxLength, 1);
    return noGrad(() => {
      const encoded = this.encode(src, srcLengths);
      const batch = src.shape[0];
      const tokens: number[][] = Array.from({ length: batch }, () => []);
      const finished = new Array<boolean>(batch).fill(false);
      const weights: Tensor[][] = Array.from({ length: batch }, () => []);
      let state = encoded.state; // [L, B', H] over the B' active sequences
      let memory = encoded.memory; // [B', S, D·H]
      let active = Array.from({ length: batch }, (_, b) => b); // the original index of each active row
      let input = tensor(new Array<number>(batch).fill(sosIndex), { dtype: 'int32' }); // [B']
      for (let t = 0; t < maxLength && active.length > 0; t++) {
        const step = this.decoder.step(input, state, memory); // logits [B', V]
        const predicted = step.logits.argmax(-1).dataSync(); // [B']
        const keep: number[] = []; // rows that continue
        active.forEach((b, row) => {
          if (step.attention) weights[b].push(step.attention.select(0, row)); // [S]
          if (predicted[row] === eosIndex) finished[b] = true;
          else {
            tokens[b].push(predicted[row]);
            keep.push(row);
          }
        });
        if (keep.length === 0) break;
        state = step.state;
        if (keep.length < active.length) {
          const rows = tensor(keep, { dtype: 'int32' }); // [B'']
          state = {
            hidden: state.hidden.indexSelect(1, rows), // [L, B'', H]
            cell: state.cell ? state.cell.indexSelect(1, rows) : null, // [L, B'', H]
          };
          memory = {
            keys: memory.keys.indexSelect(0, rows), // [B'', S, D·H]
            mask: memory.mask ? memory.mask.indexSelect(0, rows) : null, // [B'', S]
          };
        }
        active = keep.map((row) => active[row]);
        input = tensor(
          keep.map((row) => predicted[row]),
          { dtype: 'int32' },
        ); // [B'']
      }
      const longest = Math.max(1, ...tokens.map((ids) => ids.length));
      const padded = tokens.flatMap((ids) => [
        ...ids,
        ...new Array<number>(longest - ids.length).fill(padIndex),
      ]);
      return {
        tokens,
        ids: tensor(padded, { shape: [batch, longest], dtype: 'int32' }), // [B, N]
        finished,
        attention: this.decoder.attention ? weights.map((rows) => stack(rows, 0)) : null, // B × [n_b, S]
      };
    });
  }
}
