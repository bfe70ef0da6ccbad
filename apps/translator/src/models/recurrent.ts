/**
 * @file What the two recurrent translators (`lstm`, `attention`) share: nn-rnn's Seq2Seq as a TranslatorModel.
 * The class *is* a Seq2Seq (a subclass), so its state-dict keys are Seq2Seq's: `encoder.*`, `bridge.*`,
 * `decoder.*` (the attention module under `decoder.attention.*`).
 *
 * Shapes: B batch, S source length, T target length, V target vocabulary, N live decoding rows, L layers,
 * H decoder hidden size.
 */
import {
  type AttentionMemory,
  type RecurrentState,
  Seq2Seq,
  type Seq2SeqConfig,
  type Seq2SeqDecoder,
} from '@tensorloom/nn-rnn';
import { type Tensor, tensor } from '@tensorloom/tensor';
import type { AttentionConfig, LstmConfig, Resolved } from './config.js';
import type {
  DecodingState,
  SourceBatch,
  StepOutput,
  TeacherForcedBatch,
  TeacherForcedOutput,
  TranslatorModel,
} from './translator-model.js';

/**
 * A Seq2Seq with the TranslatorModel interface. In training mode `forwardBatch` feeds each step its true
 * previous token with probability `teacherForcingRatio` and the model's own argmax otherwise (scheduled
 * sampling, Seq2Seq.forward's option); in eval mode it always teacher-forces, so the dev loss is comparable.
 */
export abstract class RecurrentTranslator extends Seq2Seq implements TranslatorModel {
  abstract readonly kind: 'lstm' | 'attention';
  abstract readonly config: Resolved<LstmConfig> | Resolved<AttentionConfig>;

  constructor(seq2seq: Seq2SeqConfig) {
    super(seq2seq);
  }

  forwardBatch(batch: TeacherForcedBatch): TeacherForcedOutput {
    const teacherForcingRatio = this.training ? this.config.teacherForcingRatio : 1;
    return this.forward(batch.src, batch.srcLengths, batch.decoderInput, { teacherForcingRatio }); // [B, T, V], [B, T, S]
  }

  startDecoding(batch: SourceBatch): DecodingState {
    const { state, memory } = this.encode(batch.src, batch.srcLengths); // [L, B, H], keys [B, S, H]
    return new RecurrentDecodingState(this.decoder, state, memory);
  }
}

/** The recurrent state [L, N, H] and the attention memory [N, S, ·] of the N live rows. */
class RecurrentDecodingState implements DecodingState {
  constructor(
    private readonly decoder: Seq2SeqDecoder,
    private state: RecurrentState,
    private memory: AttentionMemory,
  ) {}

  step(prevTokens: Tensor): StepOutput {
    const out = this.decoder.step(prevTokens, this.state, this.memory); // logits [N, V], attention [N, S]
    this.state = out.state; // [L, N, H]
    return { logProbs: out.logits.logSoftmax(-1), attention: out.attention }; // [N, V], [N, S]
  }

  select(rows: readonly number[]): void {
    const index = tensor([...rows], { dtype: 'int32' }); // [N']
    const { hidden, cell } = this.state;
    this.state = { hidden: hidden.indexSelect(1, index), cell: cell ? cell.indexSelect(1, index) : null }; // [L, N', H]
    const { keys, mask } = this.memory;
    this.memory = { keys: keys.indexSelect(0, index), mask: mask ? mask.indexSelect(0, index) : null }; // [N', S, ·]
  }
}
