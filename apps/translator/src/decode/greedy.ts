/**
 * @file Batched greedy decoding over any model's DecodingState: every row starts from `<sos>` and is fed its own
 * argmax until it produces `<eos>` or maxLength tokens. Finished rows leave the state (`select`), so they cost
 * nothing further.
 */
import { noGrad, tensor } from '@tensorloom/tensor';
import type { DecodingState } from '../models/translator-model.js';
import {
  argmaxRow,
  type Hypothesis,
  resolveSearchOptions,
  type SearchOptions,
  StepAttention,
  stackRows,
} from './search.js';

/**
 * Greedy hypotheses of the `batchSize` sources a fresh `state` holds (model.startDecoding(batch)), in batch order.
 * @example
 * const hypotheses = noGrad(() => greedySearch(model.startDecoding(batch), batch.src.shape[0], { maxLength: 50 }));
 * hypotheses[0].ids; // [17, 5, 42]
 */
export function greedySearch(state: DecodingState, batchSize: number, options: SearchOptions): Hypothesis[] {
  const { sosId, eosId, maxLength } = resolveSearchOptions('greedySearch', options);
  return noGrad(() => {
    const ids: number[][] = Array.from({ length: batchSize }, () => []);
    const logProbs = new Array<number>(batchSize).fill(0);
    const finished = new Array<boolean>(batchSize).fill(false);
    const attention: Float32Array[][] = Array.from({ length: batchSize }, () => []);
    let sourceLength: number | null = null;
    let active = Array.from({ length: batchSize }, (_, b) => b); // the source of each live row
    let input = new Array<number>(batchSize).fill(sosId);
    for (let t = 0; t < maxLength && active.length > 0; t++) {
      const out = state.step(tensor(input, { dtype: 'int32' })); // logProbs [N, V], attention [N, S]
      const values = out.logProbs.dataSync();
      const vocabSize = out.logProbs.shape[1];
      const weights = StepAttention.of(out.attention);
      sourceLength = weights?.sourceLength ?? null;
      const keep: number[] = [];
      active.forEach((b, row) => {
        const best = argmaxRow(values, row * vocabSize, vocabSize);
        logProbs[b] += values[row * vocabSize + best];
        if (weights) attention[b].push(weights.row(row)); // [S]
        if (best === eosId) finished[b] = true;
        else {
          ids[b].push(best);
          keep.push(row);
        }
      });
      if (keep.length < active.length && keep.length > 0) state.select(keep);
      active = keep.map((row) => active[row]);
      input = active.map((b) => ids[b][ids[b].length - 1]);
    }
    return ids.map((tokens, b) => ({
      ids: tokens,
      finished: finished[b],
      logProb: logProbs[b],
      score: logProbs[b],
      attention: stackRows(attention[b], sourceLength), // [n, S]
    }));
  });
}
