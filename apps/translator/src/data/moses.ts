/**
 * @file Moses-style parallel files: `train.en` and `train.fr`, line i of one translating line i of the other.
 */
import { type LoadOptions, type LoadResult, PairCollector } from './collect.js';
import { LineCountMismatchError } from './errors.js';
import { readNumberedLines } from './lines.js';

export interface ParallelFiles {
  source: string;
  target: string;
}

/** `${prefix}.${sourceLang}` and `${prefix}.${targetLang}`: mosesFiles('data/train', 'en', 'fr'). */
export function mosesFiles(prefix: string, sourceLang: string, targetLang: string): ParallelFiles {
  return { source: `${prefix}.${sourceLang}`, target: `${prefix}.${targetLang}` };
}

/**
 * Reads two line-aligned files. A pair with invalid UTF-8 or an empty side is skipped and listed in
 * `malformed` at the offending file and line (or throws a MalformedLineError with `strict: true`); files of
 * different lengths throw a LineCountMismatchError.
 * @example const { pairs } = await loadMoses(mosesFiles('multi30k/train', 'en', 'de'), { lowercase: true });
 */
export async function loadMoses(files: ParallelFiles, options: LoadOptions = {}): Promise<LoadResult> {
  const [sourceLines, targetLines] = await Promise.all([
    readNumberedLines(files.source),
    readNumberedLines(files.target),
  ]);
  if (sourceLines.length !== targetLines.length) {
    throw new LineCountMismatchError(files.source, sourceLines.length, files.target, targetLines.length);
  }
  const collector = new PairCollector(options);
  for (let i = 0; i < sourceLines.length; i++) {
    const [sourceLine, targetLine] = [sourceLines[i], targetLines[i]];
    collector.result.lines++;
    const where = {
      src: { file: files.source, line: sourceLine.number },
      tgt: { file: files.target, line: targetLine.number },
    };
    if (sourceLine.text === null) collector.malformed({ ...where.src, reason: 'invalid UTF-8' });
    else if (targetLine.text === null) collector.malformed({ ...where.tgt, reason: 'invalid UTF-8' });
    else collector.add({ src: sourceLine.text, tgt: targetLine.text }, where);
  }
  return collector.result;
}
