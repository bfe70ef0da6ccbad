/**
 * @tensorloom/translator: neural machine translation with Tensorloom: a built-in parallel corpus, loaders for
 * real data, tokenizers and vocabularies, batching, three translators (LSTM, LSTM + attention, Transformer)
 * behind one interface, their training loop, greedy and beam-search decoding, BLEU and chrF as sacreBLEU
 * computes them, SVG plots, a progress bar, atomic file writes and the demo.
 */

export { type CheckpointConfig, checkCheckpointConfig } from './checkpoint/config.js';
export {
  type CheckpointContents,
  findCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint/files.js';
export { type CliIo, runCli } from './cli/main.js';
export {
  ProgressBar,
  type ProgressOptions,
  type ProgressStream,
  type ProgressUpdate,
} from './cli/progress.js';
export { type BuiltinCorpusOptions, builtinCorpus } from './corpus/builtin.js';
export {
  type Batch,
  type BatchOptions,
  batches,
  collate,
  type EncodedPair,
  planBatches,
  type SpecialIds,
} from './data/batches.js';
export type { LoadOptions, LoadResult } from './data/collect.js';
export {
  describeMalformed,
  LineCountMismatchError,
  type MalformedLine,
  MalformedLineError,
} from './data/errors.js';
export { type LoadedCorpus, loadCorpus } from './data/load-corpus.js';
export { loadMoses, mosesFiles, type ParallelFiles } from './data/moses.js';
export { type NormalizeOptions, normalizeText, splitPunctuation } from './data/normalize.js';
export type { CorpusSplits, SentencePair } from './data/pair.js';
export { loadTatoeba, type TatoebaPair } from './data/tatoeba.js';
export {
  type BeamSearchOptions,
  beamSearch,
  greedySearch,
  type Hypothesis,
  lengthPenalty,
  type SearchOptions,
  type TranslateOptions,
  type Translation,
  translate,
} from './decode/index.js';
export { type DemoOptions, type DemoResult, runDemo } from './demo.js';
export {
  type BleuOptions,
  type BleuScore,
  type BleuStatistics,
  bleuFromStatistics,
  bleuStatistics,
  corpusBleu,
  type References,
  type SmoothMethod,
  sentenceBleu,
} from './eval/bleu.js';
export { type BleuByLengthOptions, bleuByLength, type LengthBucket } from './eval/bleu-by-length.js';
export { type ChrfOptions, type ChrfScore, corpusChrf, sentenceChrf } from './eval/chrf.js';
export { tokenize13a } from './eval/tokenizer-13a.js';
export { readJson, writeFileAtomic, writeJsonAtomic } from './io/atomic.js';
export {
  type AttentionConfig,
  type AttentionModelConfig,
  type AttentionScore,
  AttentionTranslator,
  attentionTranslator,
  buildModel,
  type DecodingState,
  type LstmConfig,
  LstmTranslator,
  lstmTranslator,
  type ModelConfig,
  type ModelKind,
  RecurrentTranslator,
  type Resolved,
  type ResolvedModelConfig,
  resolveAttentionConfig,
  resolveLstmConfig,
  resolveModelConfig,
  resolveTransformerConfig,
  type SourceBatch,
  type StepOutput,
  type TeacherForcedBatch,
  type TeacherForcedOutput,
  type TransformerConfig,
  TransformerTranslator,
  type TranslatorModel,
} from './models/index.js';
export { type AttentionHeatmapOptions, attentionHeatmap } from './plots/attention-heatmap.js';
export { type DevLossPoint, type LossCurveOptions, type LossPoint, lossCurve } from './plots/loss-curve.js';
export { type BpeJson, type BpeOptions, BpeTokenizer } from './text/bpe.js';
export {
  TextCodec,
  type TextCodecJson,
  type TokenizerPairJson,
  type TokenizerSettings,
  tokenizersFromJson,
  tokenizersToJson,
} from './text/text-codec.js';
export { EOS, PAD, SOS, specialTokens, UNK, Vocab, type VocabJson, type VocabOptions } from './text/vocab.js';
export { WordTokenizer, type WordTokenizerJson } from './text/word-tokenizer.js';
export {
  type EpochReport,
  evaluateBleu,
  evaluateLoss,
  type ResumeState,
  type TrainerState,
  type TrainingCheckpoint,
  type TrainOptions,
  type TrainResult,
  train,
} from './train/train.js';
export {
  type TextTranslation,
  type TranslateTextOptions,
  Translator,
  type TranslatorParts,
} from './translator.js';
