import { describe, expect, it } from 'vitest';
import { normalizeText, splitPunctuation } from '../src/data/normalize.js';

describe('normalizeText', () => {
  it('composes to NFC and maps every space character to one plain space', () => {
    expect(normalizeText('e\u0301te\u0301')).toBe('\u00e9t\u00e9');
    expect(normalizeText('  a\u00a0b\u202fc\u2009d\t\te  ')).toBe('a b c d e');
  });

  it("maps typographic apostrophes to '", () => {
    expect(normalizeText('l\u2019homme, l\u2018autre, l\u02bcun')).toBe("l'homme, l'autre, l'un");
  });

  it('lowercases on request, staying NFC', () => {
    expect(normalizeText('ÉTÉ À Paris', { lowercase: true })).toBe('été à paris');
    expect(normalizeText('İ', { lowercase: true })).toBe('i\u0307');
  });
});

describe('splitPunctuation', () => {
  it('separates punctuation and symbols from words', () => {
    expect(normalizeText('Hello, world! (Really?) «Oui»…', { splitPunctuation: true })).toBe(
      'Hello , world ! ( Really ? ) « Oui » …',
    );
  });

  it('keeps apostrophes and hyphens inside words and separators inside numbers', () => {
    expect(
      normalizeText("Aujourd'hui, peut-être l'homme a 3,5 ans et 1.000 €.", { splitPunctuation: true }),
    ).toBe("Aujourd'hui , peut-être l'homme a 3,5 ans et 1.000 € .");
    expect(splitPunctuation("'quoted' -dash- end.").split(/ +/).filter(Boolean)).toEqual([
      "'",
      'quoted',
      "'",
      '-',
      'dash',
      '-',
      'end',
      '.',
    ]);
  });
});
