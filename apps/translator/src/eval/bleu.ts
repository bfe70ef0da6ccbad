/**
 * @file Corpus BLEU (Papineni et al., 2002) computed as sacreBLEU 2.x computes it by default, so scores are
 * comparable with published ones: 13a tokenisation, case kept, n-grams up to 4, clipped counts summed over
 * the corpus, each hypothesis measured against its closest reference length (ties to the shorter), brevity
 * penalty exp(1 − r/c) when c < r, and "exp" smoothing: the k-th order with no match counts
 * 1 / (2^k · total) instead of 0. Scores are on sacreBLEU's 0–100 scale.
 * Reference: https://github.com/mjpost/sacrebleu (sacrebleu/metrics/bleu.py).
 */
import { pythonRstrip, pythonSplit } from './python-text.js';
import { tokenize13a } from './tokenizer-13a.js';

export type SmoothMethod = 'exp' | 'none' | 'floor' | 'add-k';

export interface BleuOptions {
  /** '13a' (default) or 'none' (split at whitespace only: for text that is already tokenised). */
  tokenize?: '13a' | 'none';
  lowercase?: boolean;
  smoothMethod?: SmoothMethod;
  /** The `floor` value (default 0.1) or the `add-k` k (default 1). */
  smoothValue?: number;
  maxNgramOrder?: number;
  /** Average only over the orders the hypotheses have n-grams of (sacreBLEU's default for sentence BLEU). */
  effectiveOrder?: boolean;
}

/** Sufficient statistics of one or more segments: they add up. */
export interface BleuStatistics {
  sysLen: number;
  refLen: number;
  /** Clipped n-gram matches, index n − 1 for order n. */
  counts: number[];
  /** Hypothesis n-grams, index n − 1 for order n. */
  totals: number[];
}

export interface BleuScore extends BleuStatistics {
  score: number;
  /** Per-order precisions in percent, after smoothing. */
  precisions: number[];
  bp: number;
  /** sysLen / refLen. */
  ratio: number;
}

/** One entry per hypothesis: its reference, or several. */
export type References = readonly (string | readonly string[])[];

const defaultSmoothValues: Record<SmoothMethod, number> = { exp: 0, none: 0, floor: 0.1, 'add-k': 1 };
// sacreBLEU takes log(0) as this, so a zero precision gives a score of exactly 0.
const logOfZero = -9999999999;

/**
 * BLEU of a whole test set.
 * @example corpusBleu(['The cat sat on the mat.'], [['The cat sat on the mat.']]).score // 100
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: References,
  options: BleuOptions = {},
): BleuScore {
  if (hypotheses.length !== references.length) {
    throw new RangeError(
      `corpusBleu: need one reference entry per hypothesis (expected ${hypotheses.length}, got ${references.length})`,
    );
  }
  const order = options.maxNgramOrder ?? 4;
  const total = emptyStatistics(order);
  hypotheses.forEach((hypothesis, i) => {
    addStatistics(total, bleuStatistics(hypothesis, references[i], options));
  });
  return bleuFromStatistics(total, options);
}

/** Sentence BLEU as sacreBLEU's `sentence_bleu`: effective order on unless switched off. */
export function sentenceBleu(
  hypothesis: string,
  references: string | readonly string[],
  options: BleuOptions = {},
): BleuScore {
  return corpusBleu([hypothesis], [references], { effectiveOrder: true, ...options });
}

/** The statistics of one hypothesis against its references (empty references are ignored, as sacreBLEU does). */
export function bleuStatistics(
  hypothesis: string,
  references: string | readonly string[],
  options: BleuOptions = {},
): BleuStatistics {
  const order = options.maxNgramOrder ?? 4;
  const refs = (typeof references === 'string' ? [references] : references).filter((r) => r !== '');
  if (refs.length === 0) throw new RangeError('bleuStatistics: every hypothesis needs a non-empty reference');
  const hypTokens = tokens(hypothesis, options);
  const refMaxCounts = new Map<string, number>();
  const refLengths: number[] = [];
  for (const ref of refs) {
    const refTokens = tokens(ref, options);
    refLengths.push(refTokens.length);
    for (const counts of ngramCounts(refTokens, order)) {
      for (const [ngram, count] of counts)
        refMaxCounts.set(ngram, Math.max(refMaxCounts.get(ngram) ?? 0, count));
    }
  }
  const stats = emptyStatistics(order);
  stats.sysLen = hypTokens.length;
  stats.refLen = closestReferenceLength(hypTokens.length, refLengths);
  ngramCounts(hypTokens, order).forEach((counts, i) => {
    for (const [ngram, count] of counts) {
      stats.totals[i] += count;
      stats.counts[i] += Math.min(count, refMaxCounts.get(ngram) ?? 0);
    }
  });
  return stats;
}

/** sacreBLEU's `compute_bleu`: the score from (summed) statistics. */
export function bleuFromStatistics(stats: BleuStatistics, options: BleuOptions = {}): BleuScore {
  const { smoothMethod = 'exp', effectiveOrder = false } = options;
  const smoothValue = options.smoothValue ?? defaultSmoothValues[smoothMethod];
  const order = stats.counts.length;
  const { sysLen, refLen } = stats;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(order).fill(0);
  const result = (score: number): BleuScore => ({
    ...stats,
    counts: [...stats.counts],
    totals: [...stats.totals],
    score,
    precisions,
    bp,
    ratio: refLen > 0 ? sysLen / refLen : 0,
  });
  if (stats.counts.every((c) => c === 0)) return result(0);

  let smoothing = 1;
  let usedOrders = order;
  for (let n = 1; n <= order; n++) {
    let correct = stats.counts[n - 1];
    let total = stats.totals[n - 1];
    if (smoothMethod === 'add-k' && n > 1) {
      correct += smoothValue;
      total += smoothValue;
    }
    if (total === 0) break;
    if (effectiveOrder) usedOrders = n;
    if (correct === 0) {
      if (smoothMethod === 'exp') {
        smoothing *= 2;
        precisions[n - 1] = 100 / (smoothing * total);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total;
      }
    } else {
      precisions[n - 1] = (100 * correct) / total;
    }
  }
  let logSum = 0;
  for (const p of precisions.slice(0, usedOrders)) logSum += p === 0 ? logOfZero : Math.log(p);
  return result(bp * Math.exp(logSum / usedOrders));
}

export function emptyStatistics(order: number): BleuStatistics {
  return { sysLen: 0, refLen: 0, counts: new Array(order).fill(0), totals: new Array(order).fill(0) };
}

/** Adds `more` into `into`. */
export function addStatistics(into: BleuStatistics, more: BleuStatistics): void {
  into.sysLen += more.sysLen;
  into.refLen += more.refLen;
  more.counts.forEach((c, i) => {
    into.counts[i] += c;
  });
  more.totals.forEach((t, i) => {
    into.totals[i] += t;
  });
}

/** The tokens BLEU counts: optional lowercasing, then the tokenizer on the right-stripped line. */
function tokens(line: string, options: BleuOptions): string[] {
  const cased = options.lowercase ? line.toLowerCase() : line;
  const stripped = pythonRstrip(cased);
  return pythonSplit(options.tokenize === 'none' ? stripped : tokenize13a(stripped));
}

/** Counts of n-grams by order: element n − 1 holds the n-grams, keyed by their words joined with spaces. */
function ngramCounts(words: readonly string[], maxOrder: number): Map<string, number>[] {
  const byOrder: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= words.length; i++) {
      const ngram = words.slice(i, i + n).join(' ');
      counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
    }
    byOrder.push(counts);
  }
  return byOrder;
}

/** The reference length closest to the hypothesis length; ties go to the shorter reference. */
function closestReferenceLength(hypLength: number, refLengths: readonly number[]): number {
  let best = refLengths[0];
  for (const length of refLengths) {
    const diff = Math.abs(hypLength - length);
    const bestDiff = Math.abs(hypLength - best);
    if (diff < bestDiff || (diff === bestDiff && length < best)) best = length;
  }
  return best;
}
