/**
 * @file What greedy and beam search share: their options, the hypothesis they return, and the bookkeeping of
 * per-step attention rows (kept as plain arrays while searching, one tensor per hypothesis at the end).
 *
 * Shapes: N live decoding rows, V target vocabulary, S source length (padded, per batch), n produced steps.
 */
import { type Tensor, tensor } from '@tensorloom/tensor';

export interface SearchOptions {
  /** The token fed at the first step (default 1, Vocab's `<sos>`). */
  sosId?: number;
  /** A hypothesis is finished once it produces this token (default 2, Vocab's `<eos>`). */
  eosId?: number;
  /** The most tokens to produce per hypothesis, `<eos>` included. */
  maxLength: number;
}

/** One decoded target sentence. */
export interface Hypothesis {
  /** The produced ids, without `<sos>` and `<eos>`. */
  ids: number[];
  /** Whether it ended with `<eos>` (false: cut off at maxLength). */
  finished: boolean;
  /** log P(ids, `<eos>` if finished | source): the sum of each step's log-probability. */
  logProb: number;
  /** What the search ranked it by: logProb for greedy search, logProb / lp(|Y|) for beam search. */
  score: number;
  /** [n, S]: each step's attention over the source (the `<eos>` step included), or null without attention. */
  attention: Tensor | null;
}

export function resolveSearchOptions(op: string, options: SearchOptions): Required<SearchOptions> {
  const { sosId = 1, eosId = 2, maxLength } = options;
  for (const [name, value] of [
    ['sosId', sosId],
    ['eosId', eosId],
  ] as const) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${op}: ${name} must be a token id ≥ 0 (got ${value})`);
  }
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`${op}: maxLength must be an integer ≥ 1 (got ${maxLength})`);
  }
  return { sosId, eosId, maxLength };
}

/** One step's attention [N, S] as a copy of its values, sliced per row; null without attention. */
export class StepAttention {
  private constructor(
    private readonly values: Float32Array,
    readonly sourceLength: number,
  ) {}

  static of(attention: Tensor | null): StepAttention | null {
    if (!attention) return null;
    return new StepAttention(Float32Array.from(attention.dataSync()), attention.shape[1]); // [N, S]
  }

  /** Row `row`'s weights [S] (a view of the copy). */
  row(row: number): Float32Array {
    return this.values.subarray(row * this.sourceLength, (row + 1) * this.sourceLength);
  }
}

/** n rows [S] → one tensor [n, S]; null when the model has no attention. */
export function stackRows(rows: readonly Float32Array[], sourceLength: number | null): Tensor | null {
  if (sourceLength === null) return null;
  const values = new Float32Array(rows.length * sourceLength);
  rows.forEach((row, i) => {
    values.set(row, i * sourceLength);
  });
  return tensor(values, { shape: [rows.length, sourceLength], dtype: 'float32' }); // [n, S]
}

/** The first index of the largest of values[offset … offset + count) (the lowest id wins a tie). */
export function argmaxRow(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let v = 1; v < count; v++) if (values[offset + v] > values[offset + best]) best = v;
  return best;
}
