/**
 * @file What every loader does with a candidate pair: skip it (or throw, under `strict`) when malformed,
 * normalise both sides, and drop it when a side is too short or too long. Nothing else is dropped.
 */
import { type MalformedLine, MalformedLineError } from './errors.js';
import { type NormalizeOptions, normalizeText } from './normalize.js';
import type { SentencePair } from './pair.js';

export interface LoadOptions extends NormalizeOptions {
  /** Throw a MalformedLineError at the first malformed line instead of skipping it (default false). */
  strict?: boolean;
  /** Keep pairs whose sides both have between minLength and maxLength tokens after normalisation. */
  minLength?: number;
  maxLength?: number;
}

export interface LoadResult<P extends SentencePair = SentencePair> {
  pairs: P[];
  /** Every line skipped as malformed, with file and line number. */
  malformed: MalformedLine[];
  /** Pairs dropped by the length filter. */
  filtered: number;
  /** Lines (pairs of lines, for parallel files) read. */
  lines: number;
}

/** Where a line is: file and 1-based line number. */
export type LineLocation = Omit<MalformedLine, 'reason'>;

export class PairCollector<P extends SentencePair = SentencePair> {
  readonly result: LoadResult<P>;

  constructor(private readonly options: LoadOptions) {
    this.result = { pairs: [], malformed: [], filtered: 0, lines: 0 };
  }

  malformed(line: MalformedLine): void {
    if (this.options.strict) throw new MalformedLineError(line);
    this.result.malformed.push(line);
  }

  /**
   * Normalises both sides and keeps the pair unless the length filter drops it; a side that is empty after
   * normalisation makes the pair malformed, reported at that side's file and line.
   */
  add(pair: P, where: { src: LineLocation; tgt: LineLocation }): void {
    const src = normalizeText(pair.src, this.options);
    const tgt = normalizeText(pair.tgt, this.options);
    if (src === '' || tgt === '') {
      const side = src === '' ? 'src' : 'tgt';
      this.malformed({ ...where[side], reason: side === 'src' ? 'empty source side' : 'empty target side' });
      return;
    }
    const { minLength = 1, maxLength = Number.POSITIVE_INFINITY } = this.options;
    const fits = (text: string) => {
      const n = text.split(' ').length;
      return n >= minLength && n <= maxLength;
    };
    if (fits(src) && fits(tgt)) this.result.pairs.push({ ...pair, src, tgt });
    else this.result.filtered++;
  }
}
