/** @file The unit every loader and the built-in corpus produce. */

/** One source sentence and its translation. */
export interface SentencePair {
  src: string;
  tgt: string;
}

/** Training, development and test pairs; no test or dev source sentence appears in train. */
export interface CorpusSplits {
  train: SentencePair[];
  dev: SentencePair[];
  test: SentencePair[];
}
