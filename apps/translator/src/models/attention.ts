/**
 * @file The `attention` model: the recurrent translator with attention, assembled from the packages: nn-rnn's
 * Seq2Seq with an nn-attention module in the decoder's attention hook. A bidirectional LSTM encoder reads the
 * source; at each step the decoder scores every source position and draws a context from the encoder outputs.
 * - 'bahdanau' (Bahdanau, Cho & Bengio, 2015): AdditiveAttention, vᵀ tanh(W_s s_{t−1} + W_h h_j), queried by
 *   the previous top-layer state; the context enters the LSTM beside the previous token's embedding
 *   (nn-rnn's attentionPlacement 'input').
 * - 'luong-dot' sᵀh_j, 'luong-general' sᵀW_a h_j, 'luong-concat' vᵀ tanh(W_a [s; h_j]) (Luong, Pham & Manning,
 *   2015): LuongAttention queried by the new top-layer output o_t; the projection reads [o_t; c_t] (placement
 *   'output'). Luong's input feeding and extra tanh layer are left out, as nn-rnn's decoder does.
 *
 * Shapes: B batch, S source length, T target length, V vocabulary, E embedding width, H decoder hidden size
 * (= encoder output width, H/2 per direction), A attention width, L layers.
 */
import { AdditiveAttention, LuongAttention } from '@tensorloom/nn-attention';
import {
  checkConfigKind,
  checkInteger,
  checkKnownFields,
  checkOneOf,
  checkProbability,
  checkVocabularies,
} from './checks.js';
import type { AttentionConfig, AttentionScore, ConfigInput, Resolved } from './config.js';
import { RecurrentTranslator } from './recurrent.js';

const scores: readonly AttentionScore[] = ['bahdanau', 'luong-dot', 'luong-general', 'luong-concat'];

/** The config with every default filled in, validated (RangeError naming the field). */
export function resolveAttentionConfig(config: ConfigInput<AttentionConfig>): Resolved<AttentionConfig> {
  const op = 'attention';
  const hiddenSize = config.hiddenSize ?? 64;
  const resolved: Resolved<AttentionConfig> = {
    kind: 'attention',
    srcVocabSize: config.srcVocabSize,
    tgtVocabSize: config.tgtVocabSize,
    embeddingDim: config.embeddingDim ?? 64,
    hiddenSize,
    attention: config.attention ?? 'bahdanau',
    attentionSize: config.attentionSize ?? hiddenSize,
    numLayers: config.numLayers ?? 1,
    dropout: config.dropout ?? 0,
    teacherForcingRatio: config.teacherForcingRatio ?? 1,
    padIndex: config.padIndex ?? 0,
  };
  checkConfigKind(op, config, op);
  checkKnownFields(op, config, Object.keys(resolved));
  checkVocabularies(op, resolved, resolved.padIndex);
  checkInteger(op, 'embeddingDim', resolved.embeddingDim, 1);
  checkInteger(op, 'hiddenSize', hiddenSize, 2);
  if (hiddenSize % 2 !== 0) {
    throw new RangeError(`${op}: hiddenSize must be even, H/2 per encoder direction (got ${hiddenSize})`);
  }
  checkOneOf(op, 'attention', resolved.attention, scores);
  checkInteger(op, 'attentionSize', resolved.attentionSize, 1);
  checkInteger(op, 'numLayers', resolved.numLayers, 1);
  checkProbability(op, 'dropout', resolved.dropout, true);
  checkProbability(op, 'teacherForcingRatio', resolved.teacherForcingRatio);
  return resolved;
}

/**
 * A bidirectional LSTM encoder (outputs [B, S, H]), a linear tanh bridge from its final states (both
 * directions, [L·2, B, H/2]) to the decoder's ([L, B, H]), and an LSTM decoder of width H with the chosen
 * attention. State-dict keys: Seq2Seq's, with the score's parameters under `decoder.attention.*`
 * (`query_proj.weight`, `key_proj.weight`, `v.weight` as the score has them).
 * @example
 * const model = new AttentionTranslator({ kind: 'attention', srcVocabSize: 120, tgtVocabSize: 150, attention: 'luong-general' });
 * model.forwardBatch(batch).attention?.shape; // [B, T, S]
 */
export class AttentionTranslator extends RecurrentTranslator {
  readonly kind = 'attention';
  readonly config: Resolved<AttentionConfig>;

  constructor(config: ConfigInput<AttentionConfig>) {
    const c = resolveAttentionConfig(config);
    const bahdanau = c.attention === 'bahdanau';
    const sizes = { querySize: c.hiddenSize, keySize: c.hiddenSize }; // s or o: [B, H]; h_j: [B, S, H]
    const attention = bahdanau
      ? new AdditiveAttention({ ...sizes, hiddenSize: c.attentionSize })
      : new LuongAttention({
          ...sizes,
          score: c.attention.slice('luong-'.length) as 'dot' | 'general' | 'concat',
          hiddenSize: c.attentionSize,
        });
    const shared = {
      embeddingDim: c.embeddingDim,
      numLayers: c.numLayers,
      dropout: c.dropout,
      padIndex: c.padIndex,
    };
    super({
      encoder: { vocabSize: c.srcVocabSize, ...shared, hiddenSize: c.hiddenSize / 2, bidirectional: true }, // [B, S, H]
      decoder: {
        vocabSize: c.tgtVocabSize,
        ...shared,
        hiddenSize: c.hiddenSize, // states [L, B, H], logits [B, T, V]
        attention,
        attentionPlacement: bahdanau ? 'input' : 'output',
      },
      bridge: 'linear',
    });
    this.config = c;
  }
}

/**
 * The `attention` model from a config without `kind` (the convenience builder; defaults: E = H = A = 64,
 * Bahdanau's score).
 * @example
 * const model = attentionTranslator({ srcVocabSize: 120, tgtVocabSize: 150 });
 * model.forwardBatch(batch).logits.shape; // [B, T, 150]
 */
export function attentionTranslator(config: ConfigInput<AttentionConfig>): AttentionTranslator {
  return new AttentionTranslator(config);
}

/** The builder's input, as it was called before the model kinds: an AttentionConfig without `kind`. */
export type AttentionModelConfig = ConfigInput<AttentionConfig>;
