/**
 * @file Beam search over any model's DecodingState, batched over sources: the live beams of every source are
 * the rows of one state, reordered with `select` after each step.
 *
 * Each step, every live beam of a source proposes its best 2K next tokens; of the source's candidates, ranked
 * by log P(prefix + token), the `<eos>` ones among the top K become finished hypotheses, and the best K others
 * become the next beams (fairseq's rule; 2K candidates always leave K that continue). A source is done once it
 * has K finished hypotheses, or at maxLength. Finished hypotheses are ranked by the GNMT score (Wu et al., 2016,
 * §7): s(Y) = log P(Y | X) / lp(Y), lp(Y) = ((5 + |Y|) / 6)^α, where |Y| counts the produced tokens, `<eos>`
 * included. α = 0 ranks by log-probability alone (which favours short outputs); larger α favours longer ones.
 * Live beams always share a length, so the penalty only matters between finished hypotheses. With K = 1 this is
 * greedy search, exactly.
 *
 * Shapes: N live rows (Σ beams over the unfinished sources), V target vocabulary, S source length.
 */
import { noGrad, tensor } from '@tensorloom/tensor';
import type { DecodingState } from '../models/translator-model.js';
import {
  type Hypothesis,
  resolveSearchOptions,
  type SearchOptions,
  StepAttention,
  stackRows,
} from './search.js';

export interface BeamSearchOptions extends SearchOptions {
  /** K: beams per source (default 4). */
  beamSize?: number;
  /** α of the GNMT length penalty (default 0.6). */
  lengthPenalty?: number;
  /** Hypotheses returned per source, best first (default 1; at most K). */
  nBest?: number;
}

/** GNMT's length penalty lp(Y) = ((5 + |Y|) / 6)^α (Wu et al., 2016, eq. 14). */
export function lengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

interface Beam {
  ids: number[];
  logProb: number;
  attention: Float32Array[]; // one [S] row per step
}

interface Candidate {
  beam: Beam;
  row: number;
  token: number;
  logProb: number;
}

/**
 * For each of the `batchSize` sources a fresh `state` holds (model.startDecoding(batch)), its `nBest` best
 * hypotheses, best first: finished ones by score, then (only when fewer than nBest finished by maxLength) the
 * unfinished beams by score.
 * @example
 * const [best] = noGrad(() => beamSearch(model.startDecoding(batch), 1, { maxLength: 50, beamSize: 5 }))[0];
 * best.ids; // [17, 5, 42]; best.score = best.logProb / ((5 + 4) / 6) ** 0.6
 */
export function beamSearch(
  state: DecodingState,
  batchSize: number,
  options: BeamSearchOptions,
): Hypothesis[][] {
  const op = 'beamSearch';
  const { sosId, eosId, maxLength } = resolveSearchOptions(op, options);
  const { beamSize = 4, lengthPenalty: alpha = 0.6 } = options;
  const nBest = options.nBest ?? 1;
  if (!Number.isInteger(beamSize) || beamSize < 1)
    throw new RangeError(`${op}: beamSize must be an integer ≥ 1 (got ${beamSize})`);
  if (!(alpha >= 0)) throw new RangeError(`${op}: lengthPenalty must be ≥ 0 (got ${alpha})`);
  if (!Number.isInteger(nBest) || nBest < 1 || nBest > beamSize) {
    throw new RangeError(`${op}: nBest must be an integer in [1, beamSize = ${beamSize}] (got ${nBest})`);
  }
  const score = (logProb: number, length: number) => logProb / lengthPenalty(length, alpha);
  return noGrad(() => {
    const finished: Hypothesis[][] = Array.from({ length: batchSize }, () => []);
    let sourceLength: number | null = null;
    const hypothesis = (beam: Beam, ended: boolean): Hypothesis => ({
      ids: beam.ids,
      finished: ended,
      logProb: beam.logProb,
      score: score(beam.logProb, beam.ids.length + (ended ? 1 : 0)),
      attention: stackRows(beam.attention, sourceLength), // [n, S]
    });
    // The live beams of each source; their rows in the state follow source order, then beam order.
    let live: Beam[][] = Array.from({ length: batchSize }, () => [{ ids: [], logProb: 0, attention: [] }]);
    let input = new Array<number>(batchSize).fill(sosId);
    for (let t = 0; t < maxLength && input.length > 0; t++) {
      const out = state.step(tensor(input, { dtype: 'int32' })); // logProbs [N, V], attention [N, S]
      const values = out.logProbs.dataSync();
      const vocabSize = out.logProbs.shape[1];
      const weights = StepAttention.of(out.attention);
      sourceLength = weights?.sourceLength ?? null;
      const keepRows: number[] = [];
      let firstRow = 0;
      live = live.map((beams, source) => {
        const rows = beams.map((_, i) => firstRow + i);
        firstRow += beams.length;
        if (beams.length === 0) return beams;
        const { next, nextRows, ended } = advance(beams, rows, {
          values,
          vocabSize,
          weights,
          beamSize,
          eosId,
        });
        finished[source].push(...ended.map((beam) => hypothesis(beam, true)));
        if (finished[source].length >= beamSize) return []; // done: its rows leave the state
        keepRows.push(...nextRows);
        return next;
      });
      if (keepRows.length === 0) break;
      if (keepRows.length !== firstRow || keepRows.some((row, i) => row !== i)) state.select(keepRows);
      input = live.flatMap((beams) => beams.map((beam) => beam.ids[beam.ids.length - 1]));
    }
    return finished.map((done, source) => {
      const ranked = [...done].sort((a, b) => b.score - a.score);
      if (ranked.length < nBest) {
        const cut = live[source].map((beam) => hypothesis(beam, false)).sort((a, b) => b.score - a.score);
        ranked.push(...cut);
      }
      return ranked.slice(0, nBest);
    });
  });
}

interface StepScores {
  values: ArrayLike<number>; // log-probabilities [N, V], flat
  vocabSize: number;
  weights: StepAttention | null;
  beamSize: number;
  eosId: number;
}

/**
 * One source's step: its beams (in state rows `rows`) → the next beams with the rows they grow from, and the
 * beams that ended with `<eos>` among the top K candidates (fairseq's rule).
 */
function advance(
  beams: readonly Beam[],
  rows: readonly number[],
  step: StepScores,
): { next: Beam[]; nextRows: number[]; ended: Beam[] } {
  const { values, vocabSize, weights, beamSize, eosId } = step;
  const candidates = rows
    .flatMap((row, i) =>
      topTokens(values, row * vocabSize, vocabSize, 2 * beamSize).map((token) => ({
        beam: beams[i],
        row,
        token,
        logProb: beams[i].logProb + values[row * vocabSize + token],
      })),
    )
    .sort(byLogProb)
    .slice(0, 2 * beamSize);
  const next: Beam[] = [];
  const nextRows: number[] = [];
  const ended: Beam[] = [];
  candidates.forEach((c, rank) => {
    const grown = extend(c, weights);
    if (c.token === eosId) {
      if (rank < beamSize) ended.push(grown);
    } else if (next.length < beamSize) {
      next.push({ ...grown, ids: [...grown.ids, c.token] });
      nextRows.push(c.row);
    }
  });
  return { next, nextRows, ended };
}

/** The beam with the candidate's step appended (its log-probability and attention row; the token is the caller's). */
function extend(c: Candidate, weights: StepAttention | null): Beam {
  return {
    ids: c.beam.ids,
    logProb: c.logProb,
    attention: weights ? [...c.beam.attention, weights.row(c.row)] : c.beam.attention,
  };
}

/** Best first; ties go to the earlier row, then the lower token id (what greedy's argmax picks). */
function byLogProb(a: Candidate, b: Candidate): number {
  return b.logProb - a.logProb || a.row - b.row || a.token - b.token;
}

/** The ids of the k largest of values[offset … offset + count), largest first, lower id first among equals. */
function topTokens(values: ArrayLike<number>, offset: number, count: number, k: number): number[] {
  const best: number[] = [];
  for (let v = 0; v < count; v++) {
    const x = values[offset + v];
    if (best.length === k && x <= values[offset + best[k - 1]]) continue;
    let at = best.length;
    while (at > 0 && x > values[offset + best[at - 1]]) at--;
    best.splice(at, 0, v);
    if (best.length > k) best.pop();
  }
  return best;
}
