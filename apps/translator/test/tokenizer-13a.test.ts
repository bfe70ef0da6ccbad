import { describe, expect, it } from 'vitest';
import { pythonSplit } from '../src/eval/python-text.js';
import { tokenize13a } from '../src/eval/tokenizer-13a.js';

// Expected outputs worked out by hand from mteval-v13a's rules, as sacreBLEU's Tokenizer13a applies them.
describe('tokenize13a', () => {
  it('splits ASCII punctuation and symbols except apostrophes, hyphens, periods and commas', () => {
    expect(tokenize13a('Hello, world!')).toBe('Hello , world !');
    expect(tokenize13a('(a) [b] {c} "d" #e $f %g &h *i +j /k :l ;m <n =o >p ?q @r \\s ^t _u `v |w ~x')).toBe(
      '( a ) [ b ] { c } " d " # e $ f % g & h * i + j / k : l ; m < n = o > p ? q @ r \\ s ^ t _ u ` v | w ~ x',
    );
    expect(tokenize13a("don't well-known")).toBe("don't well-known");
  });

  it('keeps periods and commas between digits, splits them elsewhere', () => {
    expect(tokenize13a('It costs $3.50, or 1,000 yen.')).toBe('It costs $ 3.50 , or 1,000 yen .');
    expect(tokenize13a('U.S.A.')).toBe('U . S . A .');
    expect(tokenize13a('3.5.')).toBe('3.5 .');
    // "x." is split before the period-before-digit rule runs, so "x.5" loses its period too.
    expect(tokenize13a('x.5')).toBe('x . 5');
    expect(tokenize13a('5.x')).toBe('5 . x');
  });

  it('splits a dash only after a digit', () => {
    expect(tokenize13a('1990-2000 and well-known and -5')).toBe('1990 - 2000 and well-known and -5');
  });

  it('unescapes the four entities, drops <skipped> and joins hyphenated line breaks', () => {
    expect(tokenize13a('&quot;Tom &amp; Jerry&quot; &lt;b&gt;')).toBe('" Tom & Jerry " < b >');
    expect(tokenize13a('&apos;kept&apos;')).toBe('& apos ; kept & apos ;');
    expect(tokenize13a('a<skipped> b')).toBe('a b');
    expect(tokenize13a('line-\nbreak two\nlines')).toBe('linebreak two lines');
  });

  it('leaves non-ASCII punctuation alone', () => {
    expect(tokenize13a('«Bonjour», dit-il… ¿Qué?')).toBe('«Bonjour» , dit-il… ¿Qué ?');
  });

  it("splits at Python's whitespace, not JavaScript's", () => {
    expect(tokenize13a('a\u00a0b\u202fc\u3000d')).toBe('a b c d');
    expect(tokenize13a('a\x1cb\x85c')).toBe('a b c');
    expect(tokenize13a('a\ufeffb')).toBe('a\ufeffb');
    expect(pythonSplit('  a \t b\n')).toEqual(['a', 'b']);
    expect(tokenize13a('   ')).toBe('');
  });
});
