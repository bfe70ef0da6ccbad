import { describe, expect, it } from 'vitest';
import { bleuFromStatistics, bleuStatistics, corpusBleu, sentenceBleu } from '../src/eval/bleu.js';
import { bleuByLength } from '../src/eval/bleu-by-length.js';

// The example of sacreBLEU's README and test suite (test/test_bleu.py): two reference streams, so sentence i
// has references [refs1[i], refs2[i]]. Published scores: 48.530827 (defaults), 49.1919566 (tokenize='none').
const hypotheses = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const references = [
  ['The dog bit the man.', 'The dog had bit the man.'],
  ['It was not unexpected.', 'No one was surprised.'],
  ['The man bit him first.', 'The man had bitten the dog.'],
];

describe('corpusBleu against sacreBLEU', () => {
  it("reproduces sacreBLEU's published scores", () => {
    expect(corpusBleu(hypotheses, references).score).toBeCloseTo(48.530827, 6);
    expect(corpusBleu(hypotheses, references, { tokenize: '13a' }).score).toBeCloseTo(48.530827, 6);
    expect(corpusBleu(hypotheses, references, { smoothMethod: 'none' }).score).toBeCloseTo(48.530827, 6);
    expect(corpusBleu(hypotheses, references, { tokenize: 'none' }).score).toBeCloseTo(49.1919566, 6);
    expect(corpusBleu(['', '', ''], references).score).toBe(0);
  });

  it("reproduces sacreBLEU's n-gram statistics and compute_bleu cases", () => {
    const stats = bleuStatistics('am I am a character sequence', 'I am a symbol string sequence a a', {
      tokenize: 'none',
    });
    expect(stats.counts).toEqual([4, 2, 1, 0]);
    expect(stats.totals).toEqual([6, 5, 4, 3]);
    const score = bleuFromStatistics(
      { counts: [9, 7, 5, 3], totals: [10, 8, 6, 4], sysLen: 11, refLen: 11 },
      { smoothMethod: 'none' },
    );
    expect(score.score).toBeCloseTo(83.75922397, 7);
  });

  it("reproduces sacreBLEU's effective-order cases with floor smoothing 0.01", () => {
    const raw = { tokenize: 'none', smoothMethod: 'floor', smoothValue: 0.01, effectiveOrder: true } as const;
    expect(corpusBleu(['test'], ['a test'], raw).score).toBeCloseTo(36.787944117144, 9);
    expect(corpusBleu(['a test'], ['a test'], raw).score).toBeCloseTo(100, 9);
    expect(corpusBleu(['a little test'], ['a test'], raw).score).toBeCloseTo(3.218297948685433, 9);
  });
});

describe('corpusBleu, hand-computed', () => {
  it('is the geometric mean of clipped precisions: (5/6 · 3/5 · 2/4 · 1/3)^¼', () => {
    const result = corpusBleu(['the cat sat on a mat'], ['the cat sat on the mat']);
    expect(result.counts).toEqual([5, 3, 2, 1]);
    expect(result.totals).toEqual([6, 5, 4, 3]);
    expect(result.bp).toBe(1);
    expect(result.score).toBeCloseTo(100 * (1 / 12) ** 0.25, 10);
    expect(result.precisions).toEqual([(100 * 5) / 6, 60, 50, 100 / 3]);
  });

  it('smooths orders without matches as sacreBLEU does: exp (default), floor, none', () => {
    // unigrams 4/5, bigrams 2/4, trigrams 0/3, 4-grams 0/2.
    const hyp = ['a b c d e'];
    const ref = ['a b x d e'];
    const exp = corpusBleu(hyp, ref);
    expect(exp.precisions).toEqual([80, 50, 100 / (2 * 3), 100 / (4 * 2)]);
    expect(exp.score).toBeCloseTo((80 * 50 * (100 / 6) * 12.5) ** 0.25, 10);
    const floor = corpusBleu(hyp, ref, { smoothMethod: 'floor' });
    expect(floor.score).toBeCloseTo((80 * 50 * (10 / 3) * 5) ** 0.25, 10);
    expect(corpusBleu(hyp, ref, { smoothMethod: 'none' }).score).toBe(0);
    // add-k adds k to the counts and totals of orders 2 and up: (4/5 · 3/5 · 1/4 · 1/3)^¼.
    const addK = corpusBleu(hyp, ref, { smoothMethod: 'add-k' });
    expect(addK.score).toBeCloseTo(100 * ((4 / 5) * (3 / 5) * (1 / 4) * (1 / 3)) ** 0.25, 10);
  });

  it('applies the brevity penalty exp(1 − r/c) to short output', () => {
    const result = corpusBleu(['the cat sat on'], ['the cat sat on the mat']);
    expect(result.sysLen).toBe(4);
    expect(result.refLen).toBe(6);
    expect(result.bp).toBeCloseTo(Math.exp(1 - 6 / 4), 12);
    expect(result.score).toBeCloseTo(100 * Math.exp(1 - 6 / 4), 10);
    expect(result.ratio).toBeCloseTo(4 / 6, 12);
  });

  it('scores 0 when the corpus has no n-gram of some order (no effective order for corpus BLEU)', () => {
    // Only two tokens: no trigram at all, so sacreBLEU stops and the missing orders count log(0).
    expect(corpusBleu(['the cat'], ['the cat']).score).toBe(0);
    expect(sentenceBleu('the cat', 'the cat').score).toBeCloseTo(100, 10);
  });

  it('counts no n-grams for hypotheses shorter than n, unlike NLTK (which counts one)', () => {
    const result = corpusBleu(['a b c d e f', 'a b'], ['a b c d e f', 'a b']);
    expect(result.totals).toEqual([8, 6, 4, 3]);
    expect(result.score).toBeCloseTo(100, 10);
  });

  it('clips counts by the most generous reference and uses the closest reference length, ties to the shorter', () => {
    const stats = bleuStatistics('the the the cat sat', ['the cat', 'the the cat sat on it']);
    expect(stats.counts[0]).toBe(4); // 'the' clipped at 2, cat, sat
    expect(stats.refLen).toBe(6); // |5 − 2| = 3 > |5 − 6| = 1
    expect(bleuStatistics('a b c d e', ['a b c d', 'a b c d e f']).refLen).toBe(4); // tie: 4 and 6
    expect(bleuStatistics('a b c', ['', 'a b c d']).refLen).toBe(4); // empty references are skipped
  });

  it('tokenises with 13a and lowercases on request', () => {
    expect(corpusBleu(['The cat sat on the mat.'], ['The cat sat on the mat .']).score).toBeCloseTo(100, 10);
    expect(
      corpusBleu(['THE CAT SAT ON THE MAT'], ['the cat sat on the mat'], { lowercase: true }).score,
    ).toBeCloseTo(100, 10);
    expect(corpusBleu(['THE CAT SAT ON THE MAT'], ['the cat sat on the mat']).score).toBe(0);
  });

  it('rejects mismatched inputs and missing references', () => {
    expect(() => corpusBleu(['a'], [])).toThrow(
      'corpusBleu: need one reference entry per hypothesis (expected 1, got 0)',
    );
    expect(() => corpusBleu(['a'], [['', '']])).toThrow(/non-empty reference/);
  });
});

describe('bleuByLength', () => {
  it('scores each source-length bucket as a corpus of its own', () => {
    const sources = ['a b', 'a b c d e f g h i j k l', 'x y z'];
    const hyps = ['the cat sat on the mat', 'a dog ran to the red house', 'the cat sat on a mat'];
    const refs = ['the cat sat on the mat', 'a dog ran to the big house', 'the cat sat on the mat'];
    const buckets = bleuByLength(sources, hyps, refs, { upperBounds: [5, 10] });
    expect(buckets.map(({ from, to, sentences }) => [from, to, sentences])).toEqual([
      [0, 5, 2],
      [6, 10, 0],
      [11, Number.POSITIVE_INFINITY, 1],
    ]);
    expect(buckets[0].bleu).toBeCloseTo(corpusBleu([hyps[0], hyps[2]], [refs[0], refs[2]]).score, 10);
    expect(buckets[1].bleu).toBeNull();
    expect(buckets[2].bleu).toBeCloseTo(corpusBleu([hyps[1]], [refs[1]]).score, 10);
    expect(() => bleuByLength(sources, hyps, refs, { upperBounds: [10, 5] })).toThrow(/must increase/);
  });
});
