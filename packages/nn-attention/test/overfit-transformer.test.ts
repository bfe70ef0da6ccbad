/**
 * @file A small Transformer (D = 24, 4 heads, 2 + 2 layers, feed-forward 48) learns to copy and to reverse
 * 24 sequences of 10 symbols, and to reverse 16 padded sequences of 10–20 symbols, to 100% exact match under
 * greedy decoding through the decoder's key/value cache: the Annotated Transformer's copy task. Full-batch Adam
 * (β₂ = 0.98) with a 10-step warmup. Alone, each run takes 3–6 s (80–150 steps) on either backend.
 */
import { manualSeed } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { makeBatch, randomSequences, Translator, train } from './translator.js';

// The budget leaves room for a machine busy with other work.
const budget = { timeout: 120_000 };
const config = { vocabSize: 13, dModel: 24, nhead: 4, numLayers: 2, dimFeedforward: 48, maxLength: 24 };
const schedule = { lr: 5e-3, warmup: 10, maxSteps: 400, every: 5 };

describe('Transformer overfits toy tasks to 100% exact match (greedy decoding with the KV cache)', () => {
  const fixed = randomSequences(24, { vocabSize: 13, minLength: 10, maxLength: 10, seed: 1 });

  it('copy: length 10', budget, () => {
    manualSeed(0);
    const result = train(new Translator(config), makeBatch(fixed, fixed), schedule);
    expect(result.accuracy).toBe(1);
  });

  it('reverse: length 10', budget, () => {
    manualSeed(0);
    const reversed = fixed.map((s) => [...s].reverse());
    const result = train(new Translator(config), makeBatch(fixed, reversed), schedule);
    expect(result.accuracy).toBe(1);
  });

  it('reverse: lengths 10–20, padded (source and memory padding masks)', budget, () => {
    manualSeed(0);
    const sources = randomSequences(16, { vocabSize: 13, minLength: 10, maxLength: 20, seed: 2 });
    const reversed = sources.map((s) => [...s].reverse());
    const batch = makeBatch(sources, reversed);
    expect(batch.srcPadding.dataSync().some((v) => v !== 0)).toBe(true);
    const result = train(new Translator(config), batch, schedule);
    expect(result.accuracy).toBe(1);
  });
});
