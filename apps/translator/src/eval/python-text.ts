/**
 * @file Python's string semantics where sacreBLEU relies on them: `str.split()` with no argument and
 * `str.rstrip()` use Python's whitespace (str.isspace), which differs from JavaScript's `\s` (Python adds
 * U+001C–U+001F and U+0085; JavaScript adds U+FEFF).
 */

const pythonWhitespace =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const whitespaceRun = new RegExp(`[${pythonWhitespace}]+`, 'u');
const trailingWhitespace = new RegExp(`[${pythonWhitespace}]+$`, 'u');

/** Python's `s.split()`: split at runs of whitespace, no empty strings. */
export function pythonSplit(s: string): string[] {
  return s.split(whitespaceRun).filter((part) => part !== '');
}

/** Python's `s.rstrip()`. */
export function pythonRstrip(s: string): string {
  return s.replace(trailingWhitespace, '');
}

/** The code points of a string: Python indexes strings by code point, JavaScript by UTF-16 unit. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}
