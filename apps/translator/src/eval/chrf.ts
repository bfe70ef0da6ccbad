/**
 * @file chrF (Popović, 2015) as sacreBLEU 2.x computes it by default: character n-grams of orders 1–6 with
 * whitespace removed, no word n-grams (word order 2 gives chrF++), β = 2. Per sentence, the reference with
 * the best F counts; counts are summed over the corpus; precision and recall are averaged over the orders
 * that both sides have n-grams of, then F_β = (1 + β²)·P·R / (β²·P + R), on a 0–100 scale.
 * Reference: https://github.com/mjpost/sacrebleu (sacrebleu/metrics/chrf.py).
 */
import type { References } from './bleu.js';
import { codePoints, pythonSplit } from './python-text.js';

export interface ChrfOptions {
  charOrder?: number;
  /** Word n-gram orders to add: 0 for chrF (default), 2 for chrF++. */
  wordOrder?: number;
  beta?: number;
  lowercase?: boolean;
  /** Keep spaces inside character n-grams (default false). */
  whitespace?: boolean;
  /** chrF++.py / NLTK style: average per-order F scores with ε for empty orders (default false). */
  epsSmoothing?: boolean;
}

export interface ChrfScore {
  score: number;
  /** [hypothesis n-grams, reference n-grams, matches] per order: char orders first, then word orders. */
  statistics: number[];
}

// Python's string.punctuation, which chrF++ separates from word starts and ends.
const punctuation = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * chrF of a whole test set.
 * @example corpusChrf(['the cat sat'], [['the cat sat']]).score // 100
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: References,
  options: ChrfOptions = {},
): ChrfScore {
  if (hypotheses.length !== references.length) {
    throw new RangeError(
      `corpusChrf: need one reference entry per hypothesis (expected ${hypotheses.length}, got ${references.length})`,
    );
  }
  const { charOrder = 6, wordOrder = 0 } = options;
  const total = new Array<number>(3 * (charOrder + wordOrder)).fill(0);
  hypotheses.forEach((hypothesis, i) => {
    chrfStatistics(hypothesis, references[i], options).forEach((v, j) => {
      total[j] += v;
    });
  });
  return { score: chrfFromStatistics(total, options), statistics: total };
}

export function sentenceChrf(
  hypothesis: string,
  references: string | readonly string[],
  options: ChrfOptions = {},
): ChrfScore {
  return corpusChrf([hypothesis], [references], options);
}

/** The statistics of one hypothesis against the reference that gives it the best F. */
export function chrfStatistics(
  hypothesis: string,
  references: string | readonly string[],
  options: ChrfOptions = {},
): number[] {
  const refs = (typeof references === 'string' ? [references] : references).filter((r) => r !== '');
  if (refs.length === 0) throw new RangeError('chrfStatistics: every hypothesis needs a non-empty reference');
  const hypNgrams = allNgrams(hypothesis, options);
  let best: number[] = [];
  let bestScore = -1;
  for (const ref of refs) {
    const refNgrams = allNgrams(ref, options);
    const stats = hypNgrams.flatMap((hyp, i) => matchStatistics(hyp, refNgrams[i]));
    const score = chrfFromStatistics(stats, options);
    if (score > bestScore) {
      bestScore = score;
      best = stats;
    }
  }
  return best;
}

/** The score from (summed) statistics. */
export function chrfFromStatistics(stats: readonly number[], options: ChrfOptions = {}): number {
  const { beta = 2, epsSmoothing = false } = options;
  const factor = beta ** 2;
  const eps = 1e-16;
  const orders = stats.length / 3;
  let epsScore = 0;
  let precision = 0;
  let recall = 0;
  let effectiveOrder = 0;
  for (let i = 0; i < orders; i++) {
    const [hyp, ref, match] = stats.slice(3 * i, 3 * i + 3);
    const p = hyp > 0 ? match / hyp : eps;
    const r = ref > 0 ? match / ref : eps;
    const denominator = factor * p + r;
    epsScore += denominator > 0 ? ((1 + factor) * p * r) / denominator : eps;
    if (hyp > 0 && ref > 0) {
      precision += p;
      recall += r;
      effectiveOrder++;
    }
  }
  if (epsSmoothing) return (100 * epsScore) / orders;
  if (effectiveOrder === 0) return 0;
  precision /= effectiveOrder;
  recall /= effectiveOrder;
  if (precision + recall === 0) return 0;
  return (100 * (1 + factor) * precision * recall) / (factor * precision + recall);
}

/** Character n-gram counts for orders 1…charOrder, then word n-gram counts for orders 1…wordOrder. */
function allNgrams(sentence: string, options: ChrfOptions): Map<string, number>[] {
  const { charOrder = 6, wordOrder = 0, lowercase = false, whitespace = false } = options;
  const text = lowercase ? sentence.toLowerCase() : sentence;
  const chars = codePoints(whitespace ? text : pythonSplit(text).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= charOrder; n++) out.push(countNgrams(chars, n, ''));
  if (wordOrder > 0) {
    const words = separatePunctuation(text);
    for (let n = 1; n <= wordOrder; n++) out.push(countNgrams(words, n, ' '));
  }
  return out;
}

function countNgrams(units: readonly string[], n: number, separator: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= units.length; i++) {
    const ngram = units.slice(i, i + n).join(separator);
    counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  }
  return counts;
}

/** [hypothesis n-grams (0 when the reference has none of this order), reference n-grams, clipped matches]. */
function matchStatistics(hyp: Map<string, number>, ref: Map<string, number>): number[] {
  let hypCount = 0;
  let matches = 0;
  for (const [ngram, count] of hyp) {
    hypCount += count;
    matches += Math.min(count, ref.get(ngram) ?? 0);
  }
  let refCount = 0;
  for (const count of ref.values()) refCount += count;
  return [ref.size > 0 ? hypCount : 0, refCount, matches];
}

/** chrF++'s word split: one punctuation mark split off the end of a word, or else off its start. */
function separatePunctuation(sentence: string): string[] {
  const out: string[] = [];
  for (const word of pythonSplit(sentence)) {
    const chars = codePoints(word);
    if (chars.length === 1) out.push(word);
    else if (punctuation.has(chars[chars.length - 1]))
      out.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    else if (punctuation.has(chars[0])) out.push(chars[0], chars.slice(1).join(''));
    else out.push(word);
  }
  return out;
}
