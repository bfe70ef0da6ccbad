/**
 * @file Text clean-up shared by the loaders and the word tokenizer: Unicode NFC, one kind of space and
 * apostrophe, optional lowercasing, optional punctuation splitting.
 */

export interface NormalizeOptions {
  /** Lowercase (full Unicode lowercasing), default false. */
  lowercase?: boolean;
  /** Put spaces around punctuation and symbols ("Va-t'en!" → "Va-t'en !"), default false. */
  splitPunctuation?: boolean;
}

// Unicode space separators (U+00A0, U+202F, U+2009 in French typography…) and control whitespace.
const spaces = /[\p{Zs}\t\n\v\f\r\u0085\u2028\u2029]+/gu;
// Typographic apostrophes: ’ ‘ ʼ.
const apostrophes = /[\u2019\u2018\u02bc]/g;
const punctuation = /[\p{P}\p{S}]/u;
const wordCharacter = /[\p{L}\p{N}\p{M}]/u;
const digit = /\p{N}/u;

/**
 * NFC, every space character as one plain space, ’ as ', trimmed; then the options.
 * @example normalizeText('Il a dit\u202f: «\u00a0Non\u00a0!\u00a0»', { splitPunctuation: true }) // 'Il a dit : « Non ! »'
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  let out = text.normalize('NFC').replace(apostrophes, "'");
  if (options.lowercase) out = out.toLowerCase().normalize('NFC');
  if (options.splitPunctuation) out = splitPunctuation(out);
  return out.replace(spaces, ' ').trim();
}

/**
 * Spaces around every punctuation mark and symbol, except inside words and numbers: apostrophes and hyphens
 * between letters or digits (l'homme, peut-être) and '.' or ',' between digits (3.5, 1,000) stay.
 */
export function splitPunctuation(text: string): string {
  const chars = Array.from(text);
  let out = '';
  chars.forEach((c, i) => {
    if (!punctuation.test(c) || isWordInternal(c, chars[i - 1], chars[i + 1])) {
      out += c;
    } else {
      out += ` ${c} `;
    }
  });
  return out;
}

function isWordInternal(c: string, before: string | undefined, after: string | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  if (c === "'" || c === '-' || c === '\u2010')
    return wordCharacter.test(before) && wordCharacter.test(after);
  if (c === '.' || c === ',') return digit.test(before) && digit.test(after);
  return false;
}
