/**
 * @file The attention-free LSTM translator of Sutskever, Vinyals & Le (2014): the encoder reads the source
 * reversed, and its final states alone start the decoder. The baseline the attention model improves on.
 *
 * Shapes: B batch, S source length, T target length, V vocabulary, E embedding width, H hidden size, L layers.
 */
import { Seq2Seq } from '@tensorloom/nn-rnn';

/** One config object; every field but the vocabulary sizes has a default. */
export interface LstmModelConfig {
  srcVocabSize: number;
  tgtVocabSize: number;
  /** E, both sides (default 64). */
  embeddingDim?: number;
  /** H, both sides, so the encoder's final states pass to the decoder as they are (default 128). */
  hiddenSize?: number;
  /** L, both sides (default 1). */
  numLayers?: number;
  /** Training-only dropout (default 0). */
  dropout?: number;
  /** Feed the source reversed, the paper's trick (default true). */
  reverseSource?: boolean;
  /** The padding id of both vocabularies (default 0). */
  padIndex?: number;
}

/**
 * Encoder LSTM (states [L, B, H]) → identity bridge → decoder LSTM → logits [B, T, V].
 * @example
 * lstmTranslator({ srcVocabSize: 120, tgtVocabSize: 150 }).forward(src, srcLengths, tgtIn).logits; // [B, T, 150]
 */
export function lstmTranslator(config: LstmModelConfig): Seq2Seq {
  const { embeddingDim = 64, hiddenSize = 128, numLayers = 1, dropout = 0, padIndex = 0 } = config;
  const shared = { embeddingDim, hiddenSize, numLayers, dropout, padIndex };
  return new Seq2Seq({
    encoder: { vocabSize: config.srcVocabSize, ...shared, reverseSource: config.reverseSource ?? true },
    decoder: { vocabSize: config.tgtVocabSize, ...shared },
    bridge: 'identity',
  });
}
