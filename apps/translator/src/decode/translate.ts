/**
 * @file Batched translation of encoded sources in the caller's order: examples are bucketed by length (less
 * padding), each batch is encoded once and searched (greedy, or beam search with beamSize > 1) under noGrad in
 * eval mode, and the results are put back where they came from.
 */
import { noGrad, type Tensor } from '@tensorloom/tensor';
import { collate, type EncodedPair, planBatches, type SpecialIds } from '../data/batches.js';
import type { TranslatorModel } from '../models/translator-model.js';
import { beamSearch } from './beam.js';
import { greedySearch } from './greedy.js';
import type { Hypothesis } from './search.js';

export interface TranslateOptions extends Partial<SpecialIds> {
  /** Sentences decoded together (default 128). */
  batchSize?: number;
  /** The most target tokens per sentence, `<eos>` included (default: 2 × the batch's longest source + 10). */
  maxLength?: number;
  /** Beams per sentence; 1 (default) is greedy search. */
  beamSize?: number;
  /** α of beam search's GNMT length penalty ((5 + |Y|) / 6)^α (default 0.6; unused by greedy search). */
  lengthPenalty?: number;
}

export interface Translation {
  /** The produced target ids, without `<sos>` and `<eos>`. */
  ids: number[];
  /** [n, S]: each produced step's attention (`<eos>` included) over the sentence's own S source tokens, or null. */
  attention: Tensor | null;
  /** The search's score: the log-probability (greedy) or the length-normalised one (beam search). */
  score: number;
}

/**
 * Translations of `examples` (only their `src` is read), one per example, in order. A model with learned
 * positions decodes at most its `maxLength` positions.
 * @example
 * translate(model, test, { beamSize: 5 })[0]; // { ids: [17, 5, 42], attention: Tensor [4, S], score: -1.3 }
 */
export function translate(
  model: TranslatorModel,
  examples: readonly Pick<EncodedPair, 'src'>[],
  options: TranslateOptions = {},
): Translation[] {
  const { batchSize = 128, padId = 0, sosId = 1, eosId = 2, beamSize = 1, lengthPenalty = 0.6 } = options;
  const pairs = examples.map((e) => ({ src: e.src, tgt: [] as number[] }));
  const out = new Array<Translation>(examples.length);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const indices of planBatches(pairs, { batchSize, shuffle: false })) {
        const batch = collate(pairs, indices, { padId, sosId, eosId }); // src [B, S], longest first
        const longest = Math.max(...indices.map((i) => pairs[i].src.length));
        const maxLength = Math.min(options.maxLength ?? 2 * longest + 10, positionLimit(model));
        const state = model.startDecoding(batch);
        const search = { sosId, eosId, maxLength };
        const found: Hypothesis[] =
          beamSize === 1
            ? greedySearch(state, indices.length, search)
            : beamSearch(state, indices.length, { ...search, beamSize, lengthPenalty }).map(([best]) => best);
        batch.indices.forEach((example, row) => {
          const { ids, attention, score } = found[row];
          const own = pairs[example].src.length;
          out[example] = { ids, attention: attention ? attention.narrow(1, 0, own) : null, score }; // [n, S_b]
        });
      }
    });
  } finally {
    if (wasTraining) model.train();
  }
  return out;
}

/** The most target positions the model can embed: a learned position table's length, else unlimited. */
function positionLimit(model: TranslatorModel): number {
  const c = model.config;
  return c.kind === 'transformer' && c.positions === 'learned' ? c.maxLength : Number.POSITIVE_INFINITY;
}
