import { sequenceCrossEntropy } from '@tensorloom/losses';
import { Adam, clipGradNorm } from '@tensorloom/optim';
import { manualSeed } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { batches, type EncodedPair } from '../src/data/batches.js';
import { translate } from '../src/decode/translate.js';
import { buildModel } from '../src/models/build.js';
import type { ModelConfig } from '../src/models/config.js';
import { lcg } from './model-fixtures.js';

// Each kind learns a toy task in a few seconds (the Annotated Transformer's copy task): sequences of 2–5 ids
// from 4…11, the target the source copied (the attention-free LSTM, which reads the source reversed, so the
// first target word was read last; and the Transformer) or reversed (the recurrent attention models, which
// must look back across the source). The Transformer is the slowest learner at this size, as PyTorch's
// nn.Transformer is with the same setup (about 80% exact after 20 epochs of both); at a constant learning rate its
// exact match then swings between about 75% and 100% from epoch to epoch (seeds 1–4, epochs 40–80), so where
// float32 rounding leaves a run decides a fixed threshold. It gets the paper's Adam β₂ = 0.98 and 60 epochs, the
// last 10 at a tenth of the rate, which settles it at 98–100% on those four seeds.
function toyTask(count: number, seed: number, reverse: boolean): EncodedPair[] {
  const random = lcg(seed);
  return Array.from({ length: count }, () => {
    const src = Array.from({ length: 2 + Math.floor(random() * 4) }, () => 4 + Math.floor(random() * 8));
    return { src, tgt: reverse ? [...src].reverse() : [...src] };
  });
}

interface Schedule {
  reverse: boolean;
  epochs: number;
  lr: number;
  batchSize: number;
  beta2?: number;
  /** From this epoch on, the learning rate is a tenth of `lr`. */
  cooldownFrom?: number;
}

const tasks: [string, ModelConfig, Schedule][] = [
  [
    'lstm (copy)',
    { kind: 'lstm', srcVocabSize: 12, tgtVocabSize: 12, embeddingDim: 16, hiddenSize: 48 },
    { reverse: false, epochs: 30, lr: 0.01, batchSize: 32 },
  ],
  [
    'attention, bahdanau (reverse)',
    { kind: 'attention', srcVocabSize: 12, tgtVocabSize: 12, embeddingDim: 16, hiddenSize: 32 },
    { reverse: true, epochs: 20, lr: 0.01, batchSize: 32 },
  ],
  [
    'attention, luong-general (reverse)',
    {
      kind: 'attention',
      srcVocabSize: 12,
      tgtVocabSize: 12,
      embeddingDim: 16,
      hiddenSize: 32,
      attention: 'luong-general',
    },
    { reverse: true, epochs: 20, lr: 0.01, batchSize: 32 },
  ],
  [
    'transformer (copy)',
    {
      kind: 'transformer',
      srcVocabSize: 12,
      tgtVocabSize: 12,
      dModel: 32,
      nhead: 4,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 64,
      dropout: 0,
    },
    { reverse: false, epochs: 60, lr: 0.005, batchSize: 16, beta2: 0.98, cooldownFrom: 50 },
  ],
];

describe.each(tasks)(
  '%s',
  (_name, config, { reverse, epochs, lr, batchSize, beta2 = 0.999, cooldownFrom }) => {
    it('overfits a toy task to high exact match, with greedy and with beam search', () => {
      manualSeed(1);
      const pairs = toyTask(192, 3, reverse);
      const model = buildModel(config);
      const optimizer = new Adam(model.parameters(), { lr, betas: [0.9, beta2] });
      model.train();
      for (let epoch = 0; epoch < epochs; epoch++) {
        if (epoch === cooldownFrom) for (const group of optimizer.paramGroups) group.lr = lr / 10;
        for (const batch of batches(pairs, { batchSize, seed: epoch })) {
          const { logits } = model.forwardBatch(batch); // [B, T, V]
          const { loss } = sequenceCrossEntropy(logits, batch.target, { padIndex: 0 });
          optimizer.zeroGrad();
          loss.backward();
          clipGradNorm(model.parameters(), 1);
          optimizer.step();
        }
      }
      const probe = pairs.slice(0, 64);
      const exact = (found: { ids: number[] }[]) =>
        found.filter((t, i) => t.ids.join(' ') === probe[i].tgt.join(' ')).length / probe.length;
      const greedy = exact(translate(model, probe));
      const beam = exact(translate(model, probe, { beamSize: 3 }));
      expect(greedy).toBeGreaterThanOrEqual(0.9);
      expect(beam).toBeGreaterThanOrEqual(0.9);
    });
  },
);
