import { manualSeed, type Tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import type { EncodedPair } from '../src/data/batches.js';
import { buildModel } from '../src/models/build.js';
import type { ModelConfig } from '../src/models/config.js';
import { type TrainingCheckpoint, type TrainOptions, train } from '../src/train/train.js';

// Reverse task over ids 4…13: small enough to train in well under a second per epoch.
function reversePairs(count: number): EncodedPair[] {
  let state = 11;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const src = Array.from({ length: 2 + Math.floor(next() * 5) }, () => 4 + Math.floor(next() * 10));
    return { src, tgt: [...src].reverse() };
  });
}

const weights = (model: { stateDict(): Record<string, Tensor> }) =>
  Object.fromEntries(
    Object.entries(model.stateDict()).map(([name, t]) => [name, Array.from(t.contiguous().data)]),
  );

describe.each<ModelConfig>([
  { kind: 'attention', srcVocabSize: 14, tgtVocabSize: 14, embeddingDim: 8, hiddenSize: 8, dropout: 0.2 },
  { kind: 'transformer', srcVocabSize: 14, tgtVocabSize: 14, dModel: 16, nhead: 2, dimFeedforward: 32 },
])('resuming a $kind run interrupted mid-epoch', (config) => {
  it('ends with exactly the weights, optimizer state and history of the uninterrupted run', async () => {
    const pairs = reversePairs(80);
    const options: TrainOptions = {
      train: pairs,
      dev: pairs.slice(0, 16),
      epochs: 2,
      batchSize: 16,
      lr: 3e-3,
      lrDecay: 0.7,
      progress: false,
      seed: 4,
      ...(config.kind === 'transformer' ? { warmup: 4, labelSmoothing: 0.1 } : {}),
    };
    manualSeed(9);
    const whole = buildModel(config);
    const uninterrupted = await train(whole, options);

    manualSeed(9);
    const first = buildModel(config);
    const controller = new AbortController();
    let saved: TrainingCheckpoint | null = null;
    let savedWeights: Record<string, Tensor> = {};
    const interrupted = await train(first, {
      ...options,
      signal: controller.signal,
      onStep: (state) => {
        if (state.step === 3) controller.abort(); // step 3 of 5 in epoch 1
      },
      onCheckpoint: (checkpoint) => {
        saved = checkpoint;
        savedWeights = Object.fromEntries(Object.entries(first.stateDict()).map(([k, t]) => [k, t.clone()]));
      },
    });
    expect(interrupted.stopped).toBe('interrupted');
    expect(saved).not.toBeNull();
    const checkpoint = saved as unknown as TrainingCheckpoint;
    expect(checkpoint.trainer).toMatchObject({ epoch: 1, batchInEpoch: 3, step: 3 });

    manualSeed(123); // the resumed run must not depend on the global stream's state before it
    const second = buildModel(config);
    second.loadStateDict(savedWeights);
    const resumed = await train(second, { ...options, resume: checkpoint });
    expect(resumed.stopped).toBe('epochs');
    expect(resumed.steps).toBe(uninterrupted.steps);
    expect(resumed.history).toEqual(uninterrupted.history);
    expect(resumed.epochs.map((e) => e.devLoss)).toEqual(uninterrupted.epochs.map((e) => e.devLoss));
    expect(weights(second)).toEqual(weights(whole));
  });
});
