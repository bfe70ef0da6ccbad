/**
 * @file Float64 finite-difference checks of a whole Seq2Seq loss with respect to every parameter (built with
 * dtype 'float64', so gradcheck perturbs the registered parameters in place): the summed sequenceCrossEntropy
 * of real target tokens, through the decoder, the bridge and the encoder with lengths.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import { Seq2Seq } from '@tensorloom/nn-rnn';
import { gradcheck, manualSeed } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { DotAttention, makeBatch, PAD } from './seq2seq-helpers.js';

const data = makeBatch(
  [
    [3, 4, 5],
    [5, 3],
  ],
  [[4, 3], [5]],
);

function check(model: Seq2Seq): void {
  const params = model.parameters();
  expect(params.every((p) => p.dtype === 'float64')).toBe(true);
  const loss = () => {
    const { logits } = model.forward(data.src, data.lengths, data.tgtIn); // [B, T, V]
    return sequenceCrossEntropy(logits, data.tgtOut, { padIndex: PAD, reduction: 'sum' }).loss;
  };
  expect(gradcheck(loss, params)).toBe(true);
  for (const [name, p] of model.namedParameters()) expect(p.grad, `${name} got a gradient`).not.toBeNull();
}

// About 0.5–1.5 s each alone; the budget leaves room for a busy machine.
describe('gradcheck (float64): Seq2Seq loss w.r.t. every parameter', { timeout: 30_000 }, () => {
  it('LSTM: bidirectional encoder reading the source reversed, linear bridge', () => {
    manualSeed(0);
    const model = new Seq2Seq({
      encoder: {
        vocabSize: 6,
        embeddingDim: 2,
        hiddenSize: 3,
        bidirectional: true,
        reverseSource: true,
        dtype: 'float64',
      },
      decoder: { vocabSize: 6, embeddingDim: 2, hiddenSize: 3, dtype: 'float64' },
    });
    expect(model.bridge.mode).toBe('linear');
    check(model);
  });

  it.each(['input', 'output'] as const)(
    'GRU with one-hot source input and attention at the %s',
    (placement) => {
      manualSeed(1);
      const model = new Seq2Seq({
        encoder: { vocabSize: 6, hiddenSize: 3, cell: 'gru', useEmbedding: false, dtype: 'float64' },
        decoder: {
          vocabSize: 6,
          embeddingDim: 2,
          hiddenSize: 3,
          cell: 'gru',
          attention: new DotAttention(3, { querySize: 3, dtype: 'float64' }),
          attentionPlacement: placement,
          dtype: 'float64',
        },
      });
      check(model);
    },
  );
});
