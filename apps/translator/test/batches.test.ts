import { describe, expect, it } from 'vitest';
import { batches, collate, type EncodedPair, planBatches } from '../src/data/batches.js';

const examples: EncodedPair[] = [
  { src: [10, 11], tgt: [20] },
  { src: [12, 13, 14, 15], tgt: [21, 22, 23] },
  { src: [16], tgt: [24, 25] },
];

describe('collate', () => {
  it('pads into int32 tensors, longest source first, with <sos>/<eos> around the target', () => {
    const batch = collate(examples, [0, 1, 2]);
    expect(batch.indices).toEqual([1, 0, 2]);
    expect(batch.src.dtype).toBe('int32');
    expect(batch.src.shape).toEqual([3, 4]);
    expect(batch.src.toArray()).toEqual([
      [12, 13, 14, 15],
      [10, 11, 0, 0],
      [16, 0, 0, 0],
    ]);
    expect(batch.srcLengths.toArray()).toEqual([4, 2, 1]);
    expect(batch.decoderInput.toArray()).toEqual([
      [1, 21, 22, 23],
      [1, 20, 0, 0],
      [1, 24, 25, 0],
    ]);
    expect(batch.target.toArray()).toEqual([
      [21, 22, 23, 2],
      [20, 2, 0, 0],
      [24, 25, 2, 0],
    ]);
    expect(batch.tgtLengths.toArray()).toEqual([4, 2, 3]);
    expect(batch.numTargetTokens).toBe(9);
  });

  it('marks padding with true in bool masks (PyTorch key_padding_mask convention)', () => {
    const batch = collate(examples, [0, 2]);
    expect(batch.srcPaddingMask.dtype).toBe('bool');
    expect(batch.srcPaddingMask.toArray()).toEqual([
      [false, false],
      [false, true],
    ]);
    expect(batch.tgtPaddingMask.toArray()).toEqual([
      [false, false, true],
      [false, false, false],
    ]);
  });

  it('takes other special ids and rejects empty batches and sources', () => {
    const batch = collate(examples, [0], { padId: 9, sosId: 7, eosId: 8 });
    expect(batch.decoderInput.toArray()).toEqual([[7, 20]]);
    expect(batch.target.toArray()).toEqual([[20, 8]]);
    expect(() => collate(examples, [])).toThrow(/at least one example/);
    expect(() => collate([{ src: [], tgt: [1] }], [0])).toThrow('collate: example 0 has an empty source');
    expect(() => collate(examples, [5])).toThrow('collate: no example 5 (there are 3)');
  });
});

describe('planBatches', () => {
  const many: EncodedPair[] = Array.from({ length: 100 }, (_, i) => ({
    src: Array.from({ length: 1 + ((i * 37) % 23) }, () => 5),
    tgt: Array.from({ length: 1 + ((i * 11) % 7) }, () => 6),
  }));

  it('uses every example exactly once', () => {
    const plan = planBatches(many, { batchSize: 8, seed: 1 });
    expect(plan.flat().sort((a, b) => a - b)).toEqual(many.map((_, i) => i));
    expect(plan.every((b) => b.length <= 8)).toBe(true);
  });

  it('is reproducible for a seed and shuffles differently for another', () => {
    expect(planBatches(many, { batchSize: 8, seed: 1 })).toEqual(
      planBatches(many, { batchSize: 8, seed: 1 }),
    );
    expect(planBatches(many, { batchSize: 8, seed: 2 })).not.toEqual(
      planBatches(many, { batchSize: 8, seed: 1 }),
    );
  });

  it('buckets by length: far less padding than random batches', () => {
    const padding = (plan: number[][]) =>
      plan.reduce((sum, b) => {
        const lengths = b.map((i) => many[i].src.length);
        return sum + lengths.reduce((s, n) => s + Math.max(...lengths) - n, 0);
      }, 0);
    const bucketed = padding(planBatches(many, { batchSize: 8, seed: 3 }));
    const random = padding(planBatches(many, { batchSize: 8, seed: 3, bucketByLength: false }));
    expect(bucketed).toBeLessThan(random / 4);
  });

  it('keeps the input order without shuffling or bucketing', () => {
    expect(planBatches(examples, { batchSize: 2, shuffle: false, bucketByLength: false })).toEqual([
      [0, 1],
      [2],
    ]);
    expect(() => planBatches(examples, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it('yields collated batches lazily', () => {
    const all = [...batches(examples, { batchSize: 2, shuffle: false })];
    expect(all.map((b) => b.indices)).toEqual([[0, 2], [1]]);
    expect(all[1].src.shape).toEqual([1, 4]);
  });
});
