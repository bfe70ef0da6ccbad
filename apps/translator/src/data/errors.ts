/** @file Typed loader errors: they name the file and the line. */

/** A line a loader skipped (or, under `strict`, refused). Lines are numbered from 1. */
export interface MalformedLine {
  file: string;
  line: number;
  reason: string;
}

/** Thrown under `strict: true` for the first malformed line. */
export class MalformedLineError extends Error {
  override readonly name = 'MalformedLineError';
  readonly file: string;
  readonly line: number;
  readonly reason: string;

  constructor({ file, line, reason }: MalformedLine) {
    super(`${file}:${line}: ${reason}`);
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** Moses-style files whose line counts differ cannot be paired at all, strict or not. */
export class LineCountMismatchError extends Error {
  override readonly name = 'LineCountMismatchError';

  constructor(
    readonly sourceFile: string,
    readonly sourceLines: number,
    readonly targetFile: string,
    readonly targetLines: number,
  ) {
    super(
      `loadMoses: ${sourceFile} and ${targetFile} must have the same number of lines (got ${sourceLines} and ${targetLines})`,
    );
  }
}

/**
 * A short report of skipped lines, at most `limit` of them listed.
 * @example describeMalformed(result.malformed) // '2 malformed lines skipped:\n  fra.txt:4: no tab\n  …'
 */
export function describeMalformed(malformed: readonly MalformedLine[], limit = 10): string {
  if (malformed.length === 0) return 'no malformed lines';
  const noun = malformed.length === 1 ? 'line' : 'lines';
  const listed = malformed.slice(0, limit).map((m) => `  ${m.file}:${m.line}: ${m.reason}`);
  const more = malformed.length > limit ? [`  … and ${malformed.length - limit} more`] : [];
  return [`${malformed.length} malformed ${noun} skipped:`, ...listed, ...more].join('\n');
}
