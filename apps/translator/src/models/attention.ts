/**
 * @file The LSTM + Bahdanau-attention translator (Bahdanau, Cho & Bengio, 2015, "Neural Machine Translation by
 * Jointly Learning to Align and Translate"), assembled from the packages: nn-rnn's Seq2Seq with nn-attention's
 * AdditiveAttention plugged into the decoder's attention hook. A bidirectional LSTM encoder reads the source;
 * at each step the decoder's previous state scores every source position, and the weighted sum of the encoder
 * outputs (the context) is fed to the decoder LSTM beside the previous token's embedding.
 *
 * Shapes: B batch, S source length, T target length, V vocabulary, E embedding width, H decoder hidden size
 * (= encoder output width, H/2 per direction), A attention width, L layers.
 */
import { AdditiveAttention } from '@tensorloom/nn-attention';
import { Seq2Seq } from '@tensorloom/nn-rnn';

/** One config object for the translator; every field but the vocabulary sizes has a default. */
export interface AttentionModelConfig {
  /** Source vocabulary size (including the special tokens). */
  srcVocabSize: number;
  /** Target vocabulary size (including the special tokens). */
  tgtVocabSize: number;
  /** E, for both sides' embeddings (default 64). */
  embeddingDim?: number;
  /**
   * H, the decoder's hidden size and the width of the encoder outputs: each encoder direction has H/2, so it
   * must be even (default 64).
   */
  hiddenSize?: number;
  /** A, the hidden width inside the additive score (default H). */
  attentionSize?: number;
  /** Stacked LSTM layers on each side (default 1). */
  numLayers?: number;
  /** Dropout in the encoder and decoder, training only (default 0: the built-in corpus does not need it). */
  dropout?: number;
  /** The padding id of both vocabularies (default 0, Vocab's `<pad>`). */
  padIndex?: number;
}

/** The config with every default filled in. */
export type ResolvedAttentionModelConfig = Required<AttentionModelConfig>;

export function resolveAttentionConfig(config: AttentionModelConfig): ResolvedAttentionModelConfig {
  const hiddenSize = config.hiddenSize ?? 64;
  if (!Number.isInteger(hiddenSize) || hiddenSize < 2 || hiddenSize % 2 !== 0) {
    throw new RangeError(`attentionTranslator: hiddenSize must be an even integer ≥ 2 (got ${hiddenSize})`);
  }
  return {
    srcVocabSize: config.srcVocabSize,
    tgtVocabSize: config.tgtVocabSize,
    embeddingDim: config.embeddingDim ?? 64,
    hiddenSize,
    attentionSize: config.attentionSize ?? hiddenSize,
    numLayers: config.numLayers ?? 1,
    dropout: config.dropout ?? 0,
    padIndex: config.padIndex ?? 0,
  };
}

/**
 * Builds the translator: a bidirectional LSTM encoder (outputs [B, S, H]), a linear tanh bridge from its final
 * states (both directions, [L·2, B, H/2]) to the decoder's ([L, B, H]), and an LSTM decoder of width H whose
 * input at each step is [embedding (E); context (H)], with the previous top-layer state as the query
 * (`attentionPlacement: 'input'`, Bahdanau's). `model.forward(src, srcLengths, decoderInput)` gives
 * `{ logits [B, T, V], attention [B, T, S] }`; `model.greedyDecode` gives tokens and per-step weights.
 * @example
 * const model = attentionTranslator({ srcVocabSize: 120, tgtVocabSize: 150 });
 * model.forward(batch.src, batch.srcLengths, batch.decoderInput).logits.shape; // [B, T, 150]
 */
export function attentionTranslator(config: AttentionModelConfig): Seq2Seq {
  const c = resolveAttentionConfig(config);
  const attention = new AdditiveAttention({
    querySize: c.hiddenSize, // s_{t−1}: [B, H]
    keySize: c.hiddenSize, // h_j: [B, S, H]; the context is [B, H]
    hiddenSize: c.attentionSize, // vᵀ tanh(W_s s + W_h h_j), W_s [A, H], W_h [A, H], v [1, A]
  });
  return new Seq2Seq({
    encoder: {
      vocabSize: c.srcVocabSize,
      embeddingDim: c.embeddingDim,
      hiddenSize: c.hiddenSize / 2, // outputs [B, S, H]: both directions' H/2 features
      numLayers: c.numLayers,
      bidirectional: true,
      dropout: c.dropout,
      padIndex: c.padIndex,
    },
    decoder: {
      vocabSize: c.tgtVocabSize,
      embeddingDim: c.embeddingDim,
      hiddenSize: c.hiddenSize, // states [L, B, H], logits [B, T, V]
      numLayers: c.numLayers,
      dropout: c.dropout,
      padIndex: c.padIndex,
      attention,
      attentionPlacement: 'input',
    },
    bridge: 'linear',
  });
}
