/**
 * @file The `lstm` model: the attention-free translator of Sutskever, Vinyals & Le (2014). The encoder reads the
 * source (reversed, by default), and its final states alone start the decoder. The baseline attention improves on.
 *
 * Shapes: B batch, S source length, T target length, V vocabulary, E embedding width, H hidden size, L layers.
 */
import {
  checkBoolean,
  checkConfigKind,
  checkInteger,
  checkKnownFields,
  checkProbability,
  checkVocabularies,
} from './checks.js';
import type { ConfigInput, LstmConfig, Resolved } from './config.js';
import { RecurrentTranslator } from './recurrent.js';

/** The config with every default filled in, validated (RangeError naming the field). */
export function resolveLstmConfig(config: ConfigInput<LstmConfig>): Resolved<LstmConfig> {
  const op = 'lstm';
  const resolved: Resolved<LstmConfig> = {
    kind: 'lstm',
    srcVocabSize: config.srcVocabSize,
    tgtVocabSize: config.tgtVocabSize,
    embeddingDim: config.embeddingDim ?? 64,
    hiddenSize: config.hiddenSize ?? 128,
    numLayers: config.numLayers ?? 1,
    bidirectional: config.bidirectional ?? false,
    reverseSource: config.reverseSource ?? true,
    dropout: config.dropout ?? 0,
    teacherForcingRatio: config.teacherForcingRatio ?? 1,
    padIndex: config.padIndex ?? 0,
  };
  checkConfigKind(op, config, op);
  checkKnownFields(op, config, Object.keys(resolved));
  checkVocabularies(op, resolved, resolved.padIndex);
  checkInteger(op, 'embeddingDim', resolved.embeddingDim, 1);
  checkInteger(op, 'hiddenSize', resolved.hiddenSize, 1);
  checkInteger(op, 'numLayers', resolved.numLayers, 1);
  checkBoolean(op, 'bidirectional', resolved.bidirectional);
  checkBoolean(op, 'reverseSource', resolved.reverseSource);
  checkProbability(op, 'dropout', resolved.dropout, true);
  checkProbability(op, 'teacherForcingRatio', resolved.teacherForcingRatio);
  if (resolved.bidirectional && resolved.hiddenSize % 2 !== 0) {
    throw new RangeError(
      `${op}: a bidirectional encoder splits hiddenSize in two, so it must be even (got ${resolved.hiddenSize})`,
    );
  }
  return resolved;
}

/**
 * Encoder LSTM (final states [L·D, B, H/D]) → bridge (identity, or linear tanh when bidirectional) → decoder
 * LSTM [L, B, H] → logits [B, T, V]. State-dict keys: `encoder.embedding.weight`, `encoder.rnn.weight_ih_l0`, …,
 * `bridge.hidden.weight` (bidirectional only), `decoder.embedding.weight`, `decoder.rnn.*`, `decoder.projection.*`.
 * @example
 * const model = new LstmTranslator({ kind: 'lstm', srcVocabSize: 120, tgtVocabSize: 150 });
 * model.forwardBatch(batch).logits.shape; // [B, T, 150]
 */
export class LstmTranslator extends RecurrentTranslator {
  readonly kind = 'lstm';
  readonly config: Resolved<LstmConfig>;

  constructor(config: ConfigInput<LstmConfig>) {
    const c = resolveLstmConfig(config);
    const directions = c.bidirectional ? 2 : 1;
    const shared = {
      embeddingDim: c.embeddingDim,
      numLayers: c.numLayers,
      dropout: c.dropout,
      padIndex: c.padIndex,
    };
    super({
      encoder: {
        vocabSize: c.srcVocabSize,
        ...shared,
        hiddenSize: c.hiddenSize / directions, // outputs [B, S, H]
        bidirectional: c.bidirectional,
        reverseSource: c.reverseSource,
      },
      decoder: { vocabSize: c.tgtVocabSize, ...shared, hiddenSize: c.hiddenSize },
      bridge: c.bidirectional ? 'linear' : 'identity',
    });
    this.config = c;
  }
}

/**
 * The `lstm` model from a config without `kind` (the convenience builder).
 * @example
 * lstmTranslator({ srcVocabSize: 120, tgtVocabSize: 150 }).forwardBatch(batch).logits; // [B, T, 150]
 */
export function lstmTranslator(config: ConfigInput<LstmConfig>): LstmTranslator {
  return new LstmTranslator(config);
}
