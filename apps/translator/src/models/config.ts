/**
 * @file The model configurations: plain JSON objects (a checkpoint saves the resolved one as config.json), one
 * per model kind, told apart by `kind`. Every field but `kind` and the vocabulary sizes has a default, filled in
 * by the kind's `resolve…Config` (models/lstm.ts, attention.ts, transformer.ts), which also validates.
 */

/** Fields every kind has. */
interface VocabularyConfig {
  /** Source vocabulary size (special tokens included). */
  srcVocabSize: number;
  /** Target vocabulary size (special tokens included). */
  tgtVocabSize: number;
  /** The padding id of both vocabularies (default 0, Vocab's `<pad>`). */
  padIndex?: number;
}

/**
 * `lstm`: the attention-free encoder-decoder of Sutskever, Vinyals & Le (2014). The encoder's final states,
 * through a bridge, are all the decoder knows of the source.
 */
export interface LstmConfig extends VocabularyConfig {
  kind: 'lstm';
  /** E, both sides (default 64). */
  embeddingDim?: number;
  /** H: the decoder's hidden size; also the encoder's, split H/2 per direction when bidirectional (default 128). */
  hiddenSize?: number;
  /** L, both sides (default 1). */
  numLayers?: number;
  /**
   * Reads the source both ways, H/2 per direction (H must be even); a linear tanh bridge maps both directions'
   * final states to the decoder's (default false: one direction, the states pass as they are).
   */
  bidirectional?: boolean;
  /** Feeds the source reversed, the paper's trick (default true). */
  reverseSource?: boolean;
  /** Dropout on the recurrent inputs, between layers and before the projection, training only (default 0). */
  dropout?: number;
  /** The probability that a training step is fed the true previous token (default 1; below 1: scheduled sampling). */
  teacherForcingRatio?: number;
}

/** The score of the `attention` model: Bahdanau's additive score, or one of Luong's three. */
export type AttentionScore = 'bahdanau' | 'luong-dot' | 'luong-general' | 'luong-concat';

/**
 * `attention`: the recurrent encoder-decoder with attention. A bidirectional encoder (H/2 per direction), a
 * linear tanh bridge, and a decoder of width H that attends over the encoder outputs. 'bahdanau' (Bahdanau et
 * al., 2015) scores with the previous decoder state and feeds the context to the LSTM beside the embedding;
 * the 'luong-*' scores (Luong et al., 2015) attend with the new decoder output and feed [output; context] to
 * the vocabulary projection (without Luong's input feeding or extra tanh layer).
 */
export interface AttentionConfig extends VocabularyConfig {
  kind: 'attention';
  /** E, both sides (default 64). */
  embeddingDim?: number;
  /** H: the decoder's hidden size and the encoder outputs' width, H/2 per direction, so even (default 64). */
  hiddenSize?: number;
  /** The score (default 'bahdanau'). */
  attention?: AttentionScore;
  /** A: the hidden width inside the 'bahdanau' and 'luong-concat' scores (default H; unused by the others). */
  attentionSize?: number;
  /** L, both sides (default 1). */
  numLayers?: number;
  /** Dropout, training only (default 0). */
  dropout?: number;
  /** As LstmConfig's (default 1). */
  teacherForcingRatio?: number;
}

/**
 * `transformer`: the encoder-decoder Transformer of Vaswani et al. (2017). Token embeddings are scaled by √D
 * and summed with positions; nn-attention's Transformer (post-norm by default, final LayerNorms on both stacks)
 * in between; a linear generator over the target vocabulary on top.
 */
export interface TransformerConfig extends VocabularyConfig {
  kind: 'transformer';
  /** D (default 64). */
  dModel?: number;
  /** Attention heads; D must be divisible by it (default 4). */
  nhead?: number;
  /** Encoder layers (default 2). */
  numEncoderLayers?: number;
  /** Decoder layers (default 2). */
  numDecoderLayers?: number;
  /** The feed-forward blocks' hidden width (default 4·D). */
  dimFeedforward?: number;
  /** Dropout on the embedded inputs, in attention, feed-forward and residual branches, training only (default 0.1). */
  dropout?: number;
  /** The feed-forward nonlinearity (default 'relu'). */
  activation?: 'relu' | 'gelu';
  /** Pre-norm layers, x + f(norm(x)) (default false: the paper's post-norm). */
  normFirst?: boolean;
  /** 'sinusoidal' (fixed, any length; the default) or 'learned' (one trained vector per position < maxLength). */
  positions?: 'sinusoidal' | 'learned';
  /** The most positions per sentence with learned positions, source and target alike (default 256). */
  maxLength?: number;
  /** The generator's weight is the target embedding matrix (Press & Wolf, 2017; default true). */
  tieOutput?: boolean;
  /**
   * One embedding matrix for source and target (Vaswani et al.'s shared source-target BPE). Only meaningful when
   * source and target ids name the same tokens, a joint vocabulary: the model cannot see that, so the caller
   * asserts it by setting this; it requires srcVocabSize = tgtVocabSize (default false).
   */
  shareEmbeddings?: boolean;
}

/** Any model's configuration; `kind` picks the model. */
export type ModelConfig = LstmConfig | AttentionConfig | TransformerConfig;

/** A configuration with every default filled in, as a model holds it (and a checkpoint saves it). */
export type Resolved<C extends ModelConfig> = Required<C>;

export type ResolvedModelConfig =
  | Resolved<LstmConfig>
  | Resolved<AttentionConfig>
  | Resolved<TransformerConfig>;

/** What a model's constructor, builder and resolver take: its config, `kind` optional (it is implied). */
export type ConfigInput<C extends ModelConfig> = Omit<C, 'kind'> & { kind?: C['kind'] };
