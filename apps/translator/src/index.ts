/**
 * @tensorloom/translator: neural machine translation with Tensorloom: a built-in parallel corpus, loaders for
 * real data, tokenizers and vocabularies, batching, the LSTM + attention translator, its training loop and
 * greedy decoding, BLEU and chrF as sacreBLEU computes them, SVG plots, a progress bar, atomic file writes and
 * the demo. The Transformer comes next.
 */

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
export { loadMoses, mosesFiles, type ParallelFiles } from './data/moses.js';
export { type NormalizeOptions, normalizeText, splitPunctuation } from './data/normalize.js';
export type { CorpusSplits, SentencePair } from './data/pair.js';
export { loadTatoeba, type TatoebaPair } from './data/tatoeba.js';
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
  type AttentionModelConfig,
  attentionTranslator,
  type ResolvedAttentionModelConfig,
  resolveAttentionConfig,
} from './models/attention.js';
export { type LstmModelConfig, lstmTranslator } from './models/lstm.js';
export { type AttentionHeatmapOptions, attentionHeatmap } from './plots/attention-heatmap.js';
export { type DevLossPoint, type LossCurveOptions, type LossPoint, lossCurve } from './plots/loss-curve.js';
export { type BpeJson, type BpeOptions, BpeTokenizer } from './text/bpe.js';
export { EOS, PAD, SOS, specialTokens, UNK, Vocab, type VocabJson, type VocabOptions } from './text/vocab.js';
export { WordTokenizer, type WordTokenizerJson } from './text/word-tokenizer.js';
export { type TranslateOptions, type Translation, translate } from './train/decode.js';
export {
  type EpochReport,
  evaluateBleu,
  evaluateLoss,
  type TrainOptions,
  type TrainResult,
  train,
} from './train/train.js';
