/**
 * @file The README's "bank" example (examples/bank-attention-core.mjs, printed by examples/bank-attention.mjs)
 * does what the README says, for a few seeds: one self-attention layer parts the two "bank"s that a static
 * embedding cannot tell apart, and each "bank" attends most to the word that gives its sense away.
 */
import { describe, expect, it } from 'vitest';
import { runBankExample } from '../../../examples/bank-attention-core.mjs';

describe('the "bank" example', () => {
  // Seeds 0–399 all end with a trained cosine below −0.86; in all but two (298 and 393, where one "bank" looks
  // at itself or at "flows") each "bank" weighs its sense word most, above 0.7 in seeds 0–99.
  it.each([0, 1, 2])('seed %i: the two banks part, each attending to money or river', (seed) => {
    const result = runBankExample({ seed });

    expect(Math.abs(result.staticCosine - 1)).toBeLessThan(1e-6);
    expect(result.contextualCosine).toBeLessThan(0);
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] / 4);

    const senseWords = ['money', 'river'];
    result.attention.forEach(({ words, weights }, i) => {
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const strongest = weights.indexOf(Math.max(...weights));
      expect(words[strongest]).toBe(senseWords[i]);
      expect(weights[strongest]).toBeGreaterThan(0.5);
    });
  });
});
