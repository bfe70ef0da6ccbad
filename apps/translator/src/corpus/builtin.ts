/**
 * @file The built-in English → French-like corpus: random trees from the project's grammar, rendered on both
 * sides, as lowercase text with space-separated tokens ("the red car is fast ." → "la voiture rouge est
 * rapide ."). The mapping is deterministic, so a perfect model scores BLEU 100.
 */
import { Generator } from '@tensorloom/tensor';
import type { CorpusSplits, SentencePair } from '../data/pair.js';
import { englishSentence } from './english.js';
import { frenchSentence } from './french.js';
import { SentenceSampler } from './sample.js';

export interface BuiltinCorpusOptions {
  /** Same seed and size, same corpus. */
  seed: number;
  /** Distinct pairs over all three splits. */
  size: number;
  /** Shares of `size` held out for dev and test (default 0.1 each). */
  devFraction?: number;
  testFraction?: number;
  /** Both sides have between minLength and maxLength tokens, the final "." included (default 3 and 30). */
  minLength?: number;
  maxLength?: number;
  /**
   * Favours shorter sentences while keeping the whole length range (default 0: the grammar's own mix). A pair
   * whose longer side has n tokens is kept with probability ((maxLength − n + 1) / (maxLength − minLength + 1))^b.
   */
  lengthBias?: number;
}

/**
 * Distinct source sentences split at random into train, dev and test, so no held-out source is in train.
 * @example builtinCorpus({ seed: 1, size: 1000 }).train[0] // { src: 'he sleeps .', tgt: 'il dort .' }
 */
export function builtinCorpus(options: BuiltinCorpusOptions): CorpusSplits {
  const { seed, size, devFraction = 0.1, testFraction = 0.1, minLength = 3, maxLength = 30 } = options;
  const { lengthBias = 0 } = options;
  if (!(lengthBias >= 0)) throw new RangeError(`builtinCorpus: lengthBias must be ≥ 0 (got ${lengthBias})`);
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`builtinCorpus: size must be a positive integer (got ${size})`);
  }
  if (!(devFraction >= 0 && testFraction >= 0 && devFraction + testFraction < 1)) {
    throw new RangeError(
      `builtinCorpus: devFraction and testFraction must be ≥ 0 and sum to less than 1 (got ${devFraction} and ${testFraction})`,
    );
  }
  const random = new Generator(seed);
  const sampler = new SentenceSampler(random);
  // Only drawn from when biased, so the default corpus stays the same.
  const keep = (n: number) =>
    lengthBias === 0 || random.uniform() < ((maxLength - n + 1) / (maxLength - minLength + 1)) ** lengthBias;
  const pairs: SentencePair[] = [];
  const seen = new Set<string>();
  const maxDraws = 50 * size + 1000;
  for (let draws = 0; pairs.length < size; draws++) {
    if (draws >= maxDraws) {
      throw new Error(
        `builtinCorpus: found only ${pairs.length} distinct sentences of ${minLength}–${maxLength} tokens in ${maxDraws} draws (asked for ${size})`,
      );
    }
    const sentence = sampler.sentence();
    const src = englishSentence(sentence);
    const tgt = frenchSentence(sentence);
    const fits = (n: number) => n >= minLength && n <= maxLength;
    const key = src.join(' ');
    if (!fits(src.length) || !fits(tgt.length) || seen.has(key)) continue;
    if (!keep(Math.max(src.length, tgt.length))) continue;
    seen.add(key);
    pairs.push({ src: key, tgt: tgt.join(' ') });
  }
  // Pairs come out in random order already: the first ones are the test set, the next the dev set.
  const testSize = Math.round(size * testFraction);
  const devSize = Math.round(size * devFraction);
  return {
    test: pairs.slice(0, testSize),
    dev: pairs.slice(testSize, testSize + devSize),
    train: pairs.slice(testSize + devSize),
  };
}
