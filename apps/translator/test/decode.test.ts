import { manualSeed, noGrad, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { collate } from '../src/data/batches.js';
import { beamSearch, lengthPenalty } from '../src/decode/beam.js';
import { greedySearch } from '../src/decode/greedy.js';
import type { Hypothesis } from '../src/decode/search.js';
import { translate } from '../src/decode/translate.js';
import { buildModel } from '../src/models/build.js';
import type { DecodingState, StepOutput, TranslatorModel } from '../src/models/translator-model.js';
import { translate as translateFromTrain } from '../src/train/decode.js';
import { lcg, smallConfigs } from './model-fixtures.js';

// A hand-built model: ids 0 <pad>, 1 <sos>, 2 <eos>, 3 A, 4 B, 5 C; each row's next-token distribution is a
// table lookup on its prefix. Source 0 reads the table as written, source 1 with A and B swapped, so beams of
// different sources must not mix; source 2 wanders on forever. Attention rows are [source, step], so their order
// can be checked.
const [EOS, A, B, C] = [2, 3, 4, 5];
const table: Record<string, Record<number, number>> = {
  '': { [A]: 0.5, [B]: 0.45, [C]: 0.05 }, // greedy takes A …
  [`${B}`]: { [EOS]: 0.95, [A]: 0.02, [B]: 0.02, [C]: 0.01 }, // … but B <eos> is likelier than any A path
  [`${A}`]: { [A]: 0.9, [EOS]: 0.01, [B]: 0.04, [C]: 0.05 },
  [`${A},${A}`]: { [A]: 0.9, [EOS]: 0.01, [B]: 0.04, [C]: 0.05 },
  [`${A},${A},${A}`]: { [EOS]: 0.95, [A]: 0.02, [B]: 0.02, [C]: 0.01 },
};
const junk = { [C]: 0.97, [EOS]: 0.01, [A]: 0.01, [B]: 0.01 }; // any other prefix wanders on

function distribution(source: number, prefix: readonly number[]): number[] {
  const swap = (id: number) => (source === 1 && (id === A || id === B) ? A + B - id : id);
  const probs = source === 2 ? junk : (table[prefix.map(swap).join(',')] ?? junk);
  return Array.from({ length: 6 }, (_, id) => probs[swap(id)] ?? 1e-9);
}

class TableState implements DecodingState {
  prefixes: number[][];
  sources: number[];
  steps = 0;
  readonly selections: number[][] = [];

  constructor(batch: number) {
    this.prefixes = Array.from({ length: batch }, () => []);
    this.sources = Array.from({ length: batch }, (_, b) => b);
  }

  step(prevTokens: Tensor): StepOutput {
    const fed = Array.from(prevTokens.dataSync());
    expect(fed).toHaveLength(this.prefixes.length);
    if (this.steps++ > 0) {
      fed.forEach((id, row) => {
        this.prefixes[row].push(id);
      });
    }
    const rows = this.prefixes.map((prefix, row) => distribution(this.sources[row], prefix).map(Math.log));
    const attention = this.prefixes.map((prefix, row) => [this.sources[row], prefix.length]);
    return {
      logProbs: tensor(rows.flat(), { shape: [rows.length, 6] }), // [N, V]
      attention: tensor(attention.flat(), { shape: [rows.length, 2] }), // [N, S = 2]
    };
  }

  select(rows: readonly number[]): void {
    this.selections.push([...rows]);
    this.prefixes = rows.map((r) => [...this.prefixes[r]]);
    this.sources = rows.map((r) => this.sources[r]);
  }
}

/** log P(ids, then eosId unless null | src) by the teacher-forced pass. */
function teacherForcedLogProb(
  model: TranslatorModel,
  src: readonly number[],
  ids: number[],
  eosId: number | null,
): number {
  const batch = collate([{ src, tgt: ids }], [0]);
  return noGrad(() => {
    const logProbs = model.eval().forwardBatch(batch).logits.logSoftmax(-1).select(0, 0); // [T, V]
    const targets = eosId === null ? ids : [...ids, eosId];
    return targets.reduce((sum, id, t) => sum + logProbs.select(0, t).select(0, id).item(), 0);
  });
}

const logOf = (...probs: number[]) => probs.reduce((sum, p) => sum + Math.log(p), 0);

describe('greedySearch', () => {
  it('follows the argmax of each row until <eos>, dropping finished rows', () => {
    const state = new TableState(3);
    const [first, second, third] = greedySearch(state, 3, { maxLength: 10 });
    expect(first.ids).toEqual([A, A, A]);
    expect(first.finished).toBe(true);
    expect(first.logProb).toBeCloseTo(logOf(0.5, 0.9, 0.9, 0.95), 6);
    expect(first.score).toBe(first.logProb);
    expect(second.ids).toEqual([B, B, B]); // source 1 reads A and B swapped
    expect(first.attention?.toArray()).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    expect(third).toMatchObject({ ids: new Array(10).fill(C), finished: false });
    expect(third.attention?.shape).toEqual([10, 2]);
    expect(state.selections).toEqual([[2]]); // sources 0 and 1 end at step 4; source 2 goes on alone
  });

  it('stops at maxLength with unfinished hypotheses', () => {
    const [first] = greedySearch(new TableState(1), 1, { maxLength: 2 });
    expect(first).toMatchObject({ ids: [A, A], finished: false });
    expect(first.attention?.shape).toEqual([2, 2]);
    expect(() => greedySearch(new TableState(1), 1, { maxLength: 0 })).toThrow(
      /greedySearch: maxLength must be/,
    );
  });
});

describe('beamSearch', () => {
  it('finds a likelier translation than greedy search where greedy is myopic', () => {
    const greedy = greedySearch(new TableState(2), 2, { maxLength: 10 });
    const beams = beamSearch(new TableState(2), 2, { maxLength: 10, beamSize: 2, lengthPenalty: 0 });
    expect(beams.map(([best]) => best.ids)).toEqual([[B], [A]]);
    beams.forEach(([best], source) => {
      expect(best.finished).toBe(true);
      expect(best.logProb).toBeCloseTo(logOf(0.45, 0.95), 6);
      expect(best.logProb).toBeGreaterThan(greedy[source].logProb);
      expect(best.attention?.toArray()).toEqual([
        [source, 0],
        [source, 1],
      ]);
    });
  });

  it('weighs length by the GNMT penalty: α = 0 keeps the short translation, α = 1 prefers the long one', () => {
    const short = logOf(0.45, 0.95); // B <eos>, |Y| = 2
    const long = logOf(0.5, 0.9, 0.9, 0.95); // A A A <eos>, |Y| = 4
    const search = (alpha: number) =>
      beamSearch(new TableState(1), 1, { maxLength: 10, beamSize: 2, lengthPenalty: alpha, nBest: 2 })[0];
    const [zeroBest, zeroNext] = search(0);
    expect(zeroBest.ids).toEqual([B]);
    expect(zeroNext.ids).toEqual([A, A, A]);
    expect(zeroBest.score).toBeCloseTo(short, 6);
    const [oneBest, oneNext] = search(1);
    expect(oneBest.ids).toEqual([A, A, A]);
    expect(oneBest.score).toBeCloseTo(long / ((5 + 4) / 6), 6);
    expect(oneNext.score).toBeCloseTo(short / ((5 + 2) / 6), 6);
    expect(oneBest.attention?.shape).toEqual([4, 2]);
    expect(lengthPenalty(4, 0.6)).toBeCloseTo(1.5 ** 0.6, 12);
  });

  it('returns the best unfinished beams when nothing finished by maxLength', () => {
    const [[best]] = beamSearch(new TableState(1), 1, { maxLength: 1, beamSize: 3 });
    expect(best).toMatchObject({ ids: [A], finished: false });
    expect(best.score).toBeCloseTo(Math.log(0.5) / (6 / 6) ** 0.6, 6);
  });

  it('checks its options', () => {
    const state = new TableState(1);
    expect(() => beamSearch(state, 1, { maxLength: 5, beamSize: 0 })).toThrow(/beamSearch: beamSize must be/);
    expect(() => beamSearch(state, 1, { maxLength: 5, beamSize: 2, nBest: 3 })).toThrow(
      /nBest must be an integer in \[1, beamSize = 2\]/,
    );
    expect(() => beamSearch(state, 1, { maxLength: 5, lengthPenalty: -1 })).toThrow(
      /lengthPenalty must be ≥ 0/,
    );
  });

  it('with K = 1 is greedy search exactly, on the table and on every model kind', () => {
    const same = (a: Hypothesis, b: Hypothesis) => {
      expect(a.ids).toEqual(b.ids);
      expect(a.finished).toBe(b.finished);
      expect(a.logProb).toBe(b.logProb);
      if (b.attention) expect(a.attention?.toArray()).toEqual(b.attention.toArray());
      else expect(a.attention).toBeNull();
    };
    const greedy = greedySearch(new TableState(2), 2, { maxLength: 10 });
    for (const [b, [h]] of beamSearch(new TableState(2), 2, { maxLength: 10, beamSize: 1 }).entries()) {
      same(h, greedy[b]);
    }

    const random = lcg(17);
    const pairs = Array.from({ length: 6 }, () => ({
      src: Array.from({ length: 2 + Math.floor(random() * 6) }, () => 4 + Math.floor(random() * 10)),
      tgt: [],
    }));
    const batch = collate(pairs, [0, 1, 2, 3, 4, 5]);
    for (const config of Object.values(smallConfigs)) {
      manualSeed(7);
      const model = buildModel(config).eval();
      noGrad(() => {
        const options = { maxLength: 9, eosId: 4 }; // an untrained model: make <eos> a likely-enough id
        const g = greedySearch(model.startDecoding(batch), 6, options);
        const k1 = beamSearch(model.startDecoding(batch), 6, { ...options, beamSize: 1 });
        for (const [b, h] of g.entries()) same(k1[b][0], h);
        // Every n-best hypothesis carries its own log-probability, through all the reordering of beams.
        const wide = beamSearch(model.startDecoding(batch), 6, {
          ...options,
          beamSize: 3,
          nBest: 3,
          lengthPenalty: 0,
        });
        for (const [b, hypotheses] of wide.entries()) {
          const src = pairs[batch.indices[b]].src;
          for (const h of hypotheses) {
            expect(h.score).toBe(h.logProb);
            expect(h.logProb).toBeCloseTo(teacherForcedLogProb(model, src, h.ids, h.finished ? 4 : null), 4);
          }
          expect(hypotheses.map((h) => h.score)).toEqual(
            [...hypotheses.map((h) => h.score)].sort((x, y) => y - x),
          );
        }
      });
    }
  });
});

describe('translate', () => {
  const pairs = [{ src: [4, 5, 6] }, { src: [7, 8, 9, 10, 11, 12] }, { src: [13] }, { src: [6, 6] }];

  it('returns one translation per example in the caller order, attention over its own source', () => {
    for (const name of ['bahdanau', 'transformer', 'lstm']) {
      manualSeed(3);
      const model = buildModel(smallConfigs[name]);
      model.train();
      const all = translate(model, pairs, { maxLength: 5, batchSize: 3 });
      expect(model.training).toBe(true); // restored
      expect(all).toHaveLength(4);
      all.forEach((t, i) => {
        const alone = translate(model, [pairs[i]], { maxLength: 5 })[0];
        expect(t.ids).toEqual(alone.ids);
        expect(t.score).toBeCloseTo(alone.score, 4);
        if (name === 'lstm') expect(t.attention).toBeNull();
        else expect(t.attention?.shape).toEqual([Math.min(t.ids.length + 1, 5), pairs[i].src.length]);
      });
    }
  });

  it('decodes with beam search when beamSize > 1, and stays importable from train/decode', () => {
    manualSeed(4);
    const model = buildModel(smallConfigs.bahdanau);
    const greedy = translateFromTrain(model, pairs, { maxLength: 6 });
    const beam = translate(model, pairs, { maxLength: 6, beamSize: 3, lengthPenalty: 0 });
    beam.forEach((t, i) => {
      const finished = t.ids.length < 6;
      expect(t.score).toBeCloseTo(teacherForcedLogProb(model, pairs[i].src, t.ids, finished ? 2 : null), 4);
      expect(t.attention?.shape).toEqual([t.ids.length + (finished ? 1 : 0), pairs[i].src.length]);
    });
    expect(greedy.map((t) => t.ids)).toEqual(
      translate(model, pairs, { maxLength: 6, beamSize: 1 }).map((t) => t.ids),
    );
  });

  it('never decodes past a learned position table', () => {
    manualSeed(5);
    const model = buildModel({ ...smallConfigs['transformer-learned-prenorm'] }); // maxLength 20
    const [t] = translate(model, [{ src: [4, 5, 6, 7, 8, 9, 10, 11, 12] }]); // default 2·9 + 10 = 28 steps
    expect(t.ids.length).toBeLessThanOrEqual(20);
  });
});
