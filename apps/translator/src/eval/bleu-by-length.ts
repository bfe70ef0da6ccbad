/**
 * @file BLEU per source-length bucket: how quality falls with sentence length (the plot of Bahdanau et al.,
 * 2015, where attention keeps long sentences from collapsing). Each bucket is a corpus BLEU of its own
 * sentences.
 */
import {
  addStatistics,
  type BleuOptions,
  bleuFromStatistics,
  bleuStatistics,
  emptyStatistics,
  type References,
} from './bleu.js';
import { pythonSplit } from './python-text.js';

export interface LengthBucket {
  /** Source lengths in [from, to]. */
  from: number;
  to: number;
  sentences: number;
  /** Corpus BLEU of the bucket, or null when it has no sentences. */
  bleu: number | null;
}

export interface BleuByLengthOptions extends BleuOptions {
  /** Upper ends of the buckets, ascending: [10, 20, 30] gives 1–10, 11–20, 21–30 and 31+ (default). */
  upperBounds?: readonly number[];
  /** Source length in tokens (default: whitespace-separated words). */
  sourceLength?: (source: string) => number;
}

/**
 * @example bleuByLength(sources, hypotheses, references, { upperBounds: [10, 20] })
 * // [{ from: 0, to: 10, sentences: 412, bleu: 61.2 }, { from: 11, to: 20, … }, { from: 21, to: Infinity, … }]
 */
export function bleuByLength(
  sources: readonly string[],
  hypotheses: readonly string[],
  references: References,
  options: BleuByLengthOptions = {},
): LengthBucket[] {
  if (sources.length !== hypotheses.length || references.length !== hypotheses.length) {
    throw new RangeError(
      `bleuByLength: need as many sources, hypotheses and references (got ${sources.length}, ${hypotheses.length}, ${references.length})`,
    );
  }
  const { upperBounds = [10, 20, 30], sourceLength = (s: string) => pythonSplit(s).length } = options;
  upperBounds.forEach((bound, i) => {
    if (i > 0 && !(bound > upperBounds[i - 1])) {
      throw new RangeError(`bleuByLength: upperBounds must increase (got [${upperBounds.join(', ')}])`);
    }
  });
  const order = options.maxNgramOrder ?? 4;
  const ranges = [...upperBounds, Number.POSITIVE_INFINITY].map((to, i) => ({
    from: i === 0 ? 0 : upperBounds[i - 1] + 1,
    to,
    sentences: 0,
    stats: emptyStatistics(order),
  }));
  sources.forEach((source, i) => {
    const length = sourceLength(source);
    const bucket = ranges.find((r) => length <= r.to) ?? ranges[ranges.length - 1];
    bucket.sentences++;
    addStatistics(bucket.stats, bleuStatistics(hypotheses[i], references[i], options));
  });
  return ranges.map(({ from, to, sentences, stats }) => ({
    from,
    to,
    sentences,
    bleu: sentences === 0 ? null : bleuFromStatistics(stats, options).score,
  }));
}
