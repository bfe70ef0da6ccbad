/**
 * @file Batched greedy translation of encoded sources, in the caller's order: examples are bucketed by length
 * (less padding), decoded by Seq2Seq.greedyDecode under noGrad, and put back where they came from.
 */
import type { Seq2Seq } from '@tensorloom/nn-rnn';
import type { Tensor } from '@tensorloom/tensor';
import { collate, type EncodedPair, planBatches, type SpecialIds } from '../data/batches.js';

export interface TranslateOptions extends Partial<SpecialIds> {
  /** Sentences decoded together (default 128). */
  batchSize?: number;
  /** The most target tokens per sentence, `<eos>` included (default: 2 × source length + 10, per batch). */
  maxLength?: number;
}

export interface Translation {
  /** The produced target ids, without `<sos>` and `<eos>`. */
  ids: number[];
  /** [n, S]: the attention weights of each produced step (`<eos>` included), or null without attention. */
  attention: Tensor | null;
}

/** Greedy translations of `examples` (only their `src` is read), one per example, in order. */
export function translate(
  model: Seq2Seq,
  examples: readonly Pick<EncodedPair, 'src'>[],
  options: TranslateOptions = {},
): Translation[] {
  const { batchSize = 128, padId = 0, sosId = 1, eosId = 2 } = options;
  const pairs = examples.map((e) => ({ src: e.src, tgt: [] as number[] }));
  const out = new Array<Translation>(examples.length);
  const wasTraining = model.training;
  model.eval();
  try {
    for (const indices of planBatches(pairs, { batchSize, shuffle: false })) {
      const batch = collate(pairs, indices, { padId, sosId, eosId }); // src [B, S], longest first
      const longest = Math.max(...indices.map((i) => pairs[i].src.length));
      const maxLength = options.maxLength ?? 2 * longest + 10;
      const result = model.greedyDecode(batch.src, batch.srcLengths, {
        sosIndex: sosId,
        eosIndex: eosId,
        maxLength,
      });
      batch.indices.forEach((example, row) => {
        out[example] = { ids: result.tokens[row], attention: result.attention?.[row] ?? null }; // [n, S]
      });
    }
  } finally {
    if (wasTraining) model.train();
  }
  return out;
}
