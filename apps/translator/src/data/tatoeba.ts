/**
 * @file Tatoeba / manythings.org pairs: one per line, `English<TAB>French[<TAB>attribution]`, UTF-8.
 */
import { type LoadOptions, type LoadResult, PairCollector } from './collect.js';
import { readNumberedLines } from './lines.js';
import type { SentencePair } from './pair.js';

/** A Tatoeba pair; newer manythings.org releases add a third, attribution column. */
export interface TatoebaPair extends SentencePair {
  attribution?: string;
}

/**
 * Reads a tab-separated pair file. Lines that are not valid UTF-8, have no tab, more than three fields or an
 * empty side are skipped and listed in `malformed` (or throw a MalformedLineError with `strict: true`).
 * @example const { pairs, malformed } = await loadTatoeba('fra.txt', { lowercase: true, splitPunctuation: true });
 */
export async function loadTatoeba(path: string, options: LoadOptions = {}): Promise<LoadResult<TatoebaPair>> {
  const collector = new PairCollector<TatoebaPair>(options);
  for (const { number, text } of await readNumberedLines(path)) {
    collector.result.lines++;
    const where = { file: path, line: number };
    if (text === null) {
      collector.malformed({ ...where, reason: 'invalid UTF-8' });
      continue;
    }
    const fields = text.split('\t');
    if (fields.length < 2) {
      collector.malformed({ ...where, reason: 'no tab (expected source<TAB>target)' });
      continue;
    }
    if (fields.length > 3) {
      collector.malformed({ ...where, reason: `expected 2 or 3 tab-separated fields, got ${fields.length}` });
      continue;
    }
    const [src, tgt, attribution] = fields;
    collector.add(attribution === undefined ? { src, tgt } : { src, tgt, attribution }, {
      src: where,
      tgt: where,
    });
  }
  return collector.result;
}
