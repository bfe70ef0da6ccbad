/**
 * @file The one interface the app's training loop, decoders, checkpoints and server see, whatever the model:
 * `lstm` (Sutskever et al.), `attention` (Bahdanau/Luong) or `transformer` (Vaswani et al.).
 *
 * Shapes: B batch, S source length, T target length, V target vocabulary, N live decoding rows (B × beams).
 */
import type { Module } from '@tensorloom/nn';
import type { Tensor } from '@tensorloom/tensor';
import type { ResolvedModelConfig } from './config.js';

export type ModelKind = 'lstm' | 'attention' | 'transformer';

/** What every model needs of a batch of sources (see data/batches.ts). */
export interface SourceBatch {
  src: Tensor; // int32 [B, S], padded with <pad>
  srcLengths: Tensor; // int32 [B]
  srcPaddingMask: Tensor; // bool [B, S], true at padding
}

/** A source batch with its teacher-forced decoder input `<sos> y1 … yn`. */
export interface TeacherForcedBatch extends SourceBatch {
  decoderInput: Tensor; // int32 [B, T]
  tgtPaddingMask: Tensor; // bool [B, T], true at padding
}

export interface TeacherForcedOutput {
  logits: Tensor; // [B, T, V]
  /** [B, T, S] source-attention weights (a Transformer's: its last decoder layer, averaged over heads), or null. */
  attention: Tensor | null;
}

/** One decoding step's result for the N live rows. */
export interface StepOutput {
  logProbs: Tensor; // [N, V], log-softmax of the next token
  attention: Tensor | null; // [N, S]
}

/**
 * Incremental decoding of one source batch: the encoder ran once, and each `step` costs one target position
 * (a Transformer keeps a key/value cache). Rows start as the B sources in batch order.
 */
export interface DecodingState {
  /** Feeds each live row its previous token (int32 [N]) and returns the next token's distribution. */
  step(prevTokens: Tensor): StepOutput;
  /**
   * Row i of the state becomes old row `rows[i]`: drops finished rows, reorders and duplicates beams.
   * Applies to every cached tensor, the encoder memory and its mask included.
   */
  select(rows: readonly number[]): void;
}

export interface TranslatorModel extends Module {
  readonly kind: ModelKind;
  /** The resolved configuration the model was built from (every default filled in; plain JSON). */
  readonly config: ResolvedModelConfig;
  /** Teacher-forced logits of a batch, for the loss. */
  forwardBatch(batch: TeacherForcedBatch): TeacherForcedOutput;
  /** Encodes the sources and returns a state ready for the first step (fed `<sos>`). Call under noGrad. */
  startDecoding(batch: SourceBatch): DecodingState;
}
