/**
 * @file Corpus BLEU against NLTK's corpus_bleu on the same tokens (fixture made by
 * tools/reference/generate_bleu.py). Unsmoothed BLEU must agree; NLTK's smoothing method3 is the NIST
 * geometric smoothing that sacreBLEU calls "exp", so it must agree with our default smoothing too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../src/eval/bleu.js';

interface Fixture {
  nltk: string;
  cases: { name: string; hypotheses: string[]; references: string[][]; bleu: number; bleuMethod3: number }[];
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('./fixtures/bleu-nltk.json', import.meta.url), 'utf8'),
);

describe(`corpusBleu agrees with NLTK ${fixture.nltk} corpus_bleu`, () => {
  it('has cases', () => {
    expect(fixture.cases.length).toBeGreaterThan(10);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const unsmoothed = corpusBleu(c.hypotheses, c.references, { tokenize: 'none', smoothMethod: 'none' });
      // NLTK puts ~1e-77 where sacreBLEU puts 0 (an order without matches): equal to 12 decimals.
      expect(unsmoothed.score / 100).toBeCloseTo(c.bleu, 12);
      const smoothed = corpusBleu(c.hypotheses, c.references, { tokenize: 'none' });
      expect(smoothed.score / 100).toBeCloseTo(c.bleuMethod3, 12);
    });
  }
});
