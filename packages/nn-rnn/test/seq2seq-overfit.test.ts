/**
 * @file The encoder-decoder learns toy tasks to 100% exact match under greedy decoding (the Annotated
 * Transformer's copy task): copy and reverse 48 random sequences of 3–6 symbols (vocabulary 10 with pad, sos and
 * eos), full-batch Adam. Each run takes 1–3 s on the JS backend (25–60 steps).
 */
import { Seq2Seq } from '@tensorloom/nn-rnn';
import { manualSeed } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { DotAttention, makeBatch, randomSequences, train } from './seq2seq-helpers.js';

// Alone each run takes 1–2 s; the budget leaves room for a machine busy with other work.
const budget = { timeout: 30_000 };

const sources = randomSequences(48, { vocabSize: 10, minLength: 3, maxLength: 6, seed: 1 });
const reversed = sources.map((s) => [...s].reverse());

describe('seq2seq overfits toy tasks to 100% exact match (greedy decoding)', () => {
  it('copy: LSTM, source reversed (Sutskever et al.)', budget, () => {
    manualSeed(0);
    const model = new Seq2Seq({
      encoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64, reverseSource: true },
      decoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64 },
    });
    const result = train(model, makeBatch(sources, sources));
    expect(result.accuracy).toBe(1);
  });

  it('reverse: LSTM, source as given', budget, () => {
    manualSeed(0);
    const model = new Seq2Seq({
      encoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64 },
      decoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64 },
    });
    const result = train(model, makeBatch(sources, reversed));
    expect(result.accuracy).toBe(1);
  });

  it('reverse: GRU with one-hot source input (useEmbedding: false)', budget, () => {
    manualSeed(0);
    const model = new Seq2Seq({
      encoder: { vocabSize: 10, hiddenSize: 64, cell: 'gru', useEmbedding: false },
      decoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64, cell: 'gru' },
    });
    const result = train(model, makeBatch(sources, reversed));
    expect(result.accuracy).toBe(1);
  });

  it('copy: bidirectional 2-layer GRU encoder, linear bridge, attention through the hook', budget, () => {
    manualSeed(0);
    const model = new Seq2Seq({
      encoder: {
        vocabSize: 10,
        embeddingDim: 16,
        hiddenSize: 24,
        numLayers: 2,
        cell: 'gru',
        bidirectional: true,
      },
      decoder: {
        vocabSize: 10,
        embeddingDim: 16,
        hiddenSize: 48,
        cell: 'gru',
        attention: new DotAttention(48, { querySize: 48 }),
      },
    });
    expect(model.bridge.mode).toBe('linear');
    const result = train(model, makeBatch(sources, sources));
    expect(result.accuracy).toBe(1);
  });
});
