/**
 * @file sacreBLEU's default BLEU tokenizer, "13a", the tokenisation of mteval-v13a.pl (WMT's official BLEU
 * script). Rules, in order:
 * 1. remove `<skipped>`, join lines broken with "-\n", turn other newlines into spaces;
 * 2. unescape `&quot;` `&amp;` `&lt;` `&gt;`;
 * 3. put spaces around every ASCII symbol and punctuation mark except `'` `,` `-` `.` (that is, around
 *    space–&, (–+, /, :–@, [–`, {–~);
 * 4. split off a period or comma unless it lies between digits ("3.5" and "1,000" stay whole):
 *    "x." / "x," not after a digit get spaces, then "." / "," not before a digit;
 * 5. split off a dash that follows a digit ("1990-2000" → "1990 - 2000");
 * 6. split at whitespace (Python's) and join with single spaces.
 * Each regex pass replaces non-overlapping matches left to right, as Python's re.sub does.
 */
import { pythonSplit } from './python-text.js';

const symbols = /([\x20-\x26\x28-\x2b\x2f\x3a-\x40\x5b-\x60\x7b-\x7e])/gu;
const periodCommaAfterNonDigit = /([^0-9])([.,])/gu;
const periodCommaBeforeNonDigit = /([.,])([^0-9])/gu;
const dashAfterDigit = /([0-9])(-)/gu;

/**
 * A line as sacreBLEU's 13a tokenizer returns it: tokens joined by single spaces.
 * @example tokenize13a('Hello, world! It costs $3.50.') // 'Hello , world ! It costs $ 3.50 .'
 */
export function tokenize13a(line: string): string {
  let out = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (out.includes('&')) {
    out = out
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  out = ` ${out} `
    .replace(symbols, ' $1 ')
    .replace(periodCommaAfterNonDigit, '$1 $2 ')
    .replace(periodCommaBeforeNonDigit, ' $1 $2')
    .replace(dashAfterDigit, '$1 $2 ');
  return pythonSplit(out).join(' ');
}
