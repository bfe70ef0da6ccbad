import { describe, expect, it } from 'vitest';
import { builtinCorpus } from '../src/corpus/builtin.js';
import { BpeTokenizer } from '../src/text/bpe.js';
import { learnMerges } from '../src/text/bpe-train.js';

describe('learnMerges', () => {
  it('merges the most frequent pair first (the example of Sennrich et al.)', () => {
    // low ×5, lower ×2, newest ×6, widest ×3. (e, s) and (s, t</w>) both occur 9 times: 'e' sorts first.
    const counts = new Map([
      ['low', 5],
      ['lower', 2],
      ['newest', 6],
      ['widest', 3],
    ]);
    const { alphabet, merges } = learnMerges(counts, 100);
    expect(alphabet).toEqual(['d', 'e', 'i', 'l', 'n', 'o', 'r</w>', 's', 't</w>', 'w', 'w</w>']);
    expect(merges.slice(0, 4)).toEqual([
      ['e', 's'],
      ['es', 't</w>'],
      ['l', 'o'],
      ['e', 'w'],
    ]);
  });

  it('breaks ties between equally frequent pairs by their strings, whatever the input order', () => {
    const forward = learnMerges(
      new Map([
        ['ab', 1],
        ['cd', 1],
      ]),
      100,
      1,
    );
    const backward = learnMerges(
      new Map([
        ['cd', 1],
        ['ab', 1],
      ]),
      100,
      1,
    );
    expect(forward.merges).toEqual([
      ['a', 'b</w>'],
      ['c', 'd</w>'],
    ]);
    expect(backward).toEqual({ alphabet: forward.alphabet, merges: forward.merges });
  });

  it('stops at the vocabulary size and at the minimum frequency', () => {
    const counts = new Map([
      ['aaaa', 10],
      ['abab', 1],
    ]);
    const { alphabet, merges } = learnMerges(counts, 5);
    expect(alphabet).toEqual(['a', 'a</w>', 'b', 'b</w>']);
    expect(merges).toEqual([['a', 'a']]);
    // After (a, a) (20 times), the best pairs occur 10 times: below a minimum of 11.
    expect(learnMerges(counts, 100, 11).merges).toEqual([['a', 'a']]);
    expect(learnMerges(counts, 100, 21).merges).toEqual([]);
  });
});

describe('BpeTokenizer', () => {
  const corpus = builtinCorpus({ seed: 3, size: 2000 });
  const texts = corpus.train.map((p) => p.tgt);
  const bpe = BpeTokenizer.train(texts, { vocabSize: 200 });

  it('learns up to vocabSize symbols and encodes words it saw into fewer pieces than characters', () => {
    expect(bpe.vocabulary().length).toBeLessThanOrEqual(200);
    expect(bpe.vocabulary().length).toBeGreaterThan(150);
    const sentence = corpus.test[0].tgt;
    const pieces = bpe.encode(sentence);
    expect(pieces.length).toBeLessThan(Array.from(sentence.replace(/ /g, '')).length);
    expect(pieces.every((p) => bpe.vocabulary().includes(p))).toBe(true);
  });

  it('marks word ends with </w>, so decoding restores the spaces exactly', () => {
    for (const { tgt } of corpus.test.slice(0, 50)) expect(bpe.decode(bpe.encode(tgt))).toBe(tgt);
    const pieces = bpe.encode('les chats');
    expect(pieces.filter((p) => p.endsWith('</w>'))).toHaveLength(2);
    expect(pieces[pieces.length - 1].endsWith('</w>')).toBe(true);
  });

  it('round-trips unseen words and characters (as single-character pieces)', () => {
    const text = 'Zoë würde 42 × schreiben !';
    expect(bpe.decode(bpe.encode(text))).toBe(text);
    expect(bpe.encode('ž')).toEqual(['ž</w>']);
  });

  it('normalises as configured: punctuation split off by default, lowercasing on request', () => {
    expect(bpe.decode(bpe.encode('le chat, dort.'))).toBe('le chat , dort .');
    const lower = BpeTokenizer.train(['The Cat'], { vocabSize: 30, lowercase: true });
    expect(lower.decode(lower.encode('THE CAT'))).toBe('the cat');
  });

  it('is deterministic and survives a JSON round trip', () => {
    const again = BpeTokenizer.train(texts, { vocabSize: 200 });
    expect(again.toJSON()).toEqual(bpe.toJSON());
    const restored = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(bpe)));
    expect(restored.toJSON()).toEqual(bpe.toJSON());
    for (const { src } of corpus.dev.slice(0, 20)) expect(restored.encode(src)).toEqual(bpe.encode(src));
    expect(() => BpeTokenizer.fromJSON({ type: 'vocab' } as never)).toThrow(/expected \{ type: 'bpe'/);
  });

  it('trains fast on a larger corpus', () => {
    const big = builtinCorpus({ seed: 4, size: 20000 }).train.flatMap((p) => [p.src, p.tgt]);
    const start = performance.now();
    const large = BpeTokenizer.train(big, { vocabSize: 1000 });
    expect(performance.now() - start).toBeLessThan(5000);
    expect(large.merges.length).toBeGreaterThan(300);
  });

  it('rejects a bad vocabulary size', () => {
    expect(() => BpeTokenizer.train(['a'], { vocabSize: 0 })).toThrow(/vocabSize must be a positive integer/);
  });
});
