import { describe, expect, it } from 'vitest';
import { corpusChrf, sentenceChrf } from '../src/eval/chrf.js';

describe('corpusChrf against published sacreBLEU values', () => {
  // The examples of the Hugging Face chrF metric card, which wraps sacreBLEU's CHRF.
  const hypotheses = [
    'The relationship between cats and dogs is not exactly friendly.',
    'a good bookshop is just a genteel black hole that knows how to read.',
  ];
  const references = [
    ['The relationship between dogs and cats is not exactly friendly.'],
    ['A good bookshop is just a genteel Black Hole that knows how to read.'],
  ];

  it('chrF with the defaults (char order 6, word order 0, β = 2)', () => {
    expect(corpusChrf(hypotheses, references).score).toBeCloseTo(84.64214891738334, 10);
    expect(
      corpusChrf(
        ['The relationship between Obama and Netanyahu is not exactly friendly.'],
        [['The ties between Obama and Netanyahu are not particularly friendly.']],
      ).score,
    ).toBeCloseTo(61.576379378113785, 10);
  });

  it('chrF++ (word order 2), case-sensitive and lowercased', () => {
    expect(corpusChrf(hypotheses, references, { wordOrder: 2 }).score).toBeCloseTo(82.87263732906315, 10);
    expect(corpusChrf(hypotheses, references, { wordOrder: 2, lowercase: true }).score).toBeCloseTo(
      92.12853119829202,
      10,
    );
  });

  // sacreBLEU's test/test_chrf.py, which runs these with β = 3.
  it('effective-order averaging (the default) on tiny cases', () => {
    const cases: [string[], string[], number][] = [
      [['a'], ['a'], 100],
      [[''], ['reference'], 0],
      [['a b c'], ['a b c'], 100],
      [['a b c'], ['abc'], 100],
      [[''], ['c'], 0],
      [['a', 'b'], ['a', 'c'], 50],
      [['aa'], ['ab'], 25],
    ];
    for (const [hyps, refs, expected] of cases) {
      expect(corpusChrf(hyps, refs, { beta: 3 }).score).toBeCloseTo(expected, 4);
    }
  });

  it('epsilon smoothing (chrF++.py / NLTK style) on tiny and real cases', () => {
    const cases: [string[], string[], number][] = [
      [['abcdefg'], ['hijklmnop'], 0],
      [['a'], ['b'], 0],
      [[''], ['b'], 0],
      [['aa'], ['ab'], 8.3333],
      [['a', 'b'], ['a', 'c'], 8.3333],
      [['a'], ['a'], 16.6667],
      [['a b c'], ['a b c'], 50],
      [['a b c'], ['abc'], 50],
      [
        [
          ' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
        ],
        [
          'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .',
        ],
        63.36173,
      ],
      [
        [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
        ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
        64.1302698,
      ],
      [
        ['Niemand hat die Absicht, eine Mauer zu errichten'],
        ['Niemand hat die Absicht, eine Mauer zu errichten'],
        100,
      ],
    ];
    for (const [hyps, refs, expected] of cases) {
      expect(corpusChrf(hyps, refs, { beta: 3, epsSmoothing: true }).score).toBeCloseTo(expected, 4);
    }
  });

  it('sentence-level chrF with epsilon smoothing on Czech (sacreBLEU test values)', () => {
    const cases: [string, string, number][] = [
      [
        'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
        'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.',
        39.14078509,
      ],
      [
        'Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
        'A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.',
        31.22557079,
      ],
      [
        'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
        'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.',
        57.15704367,
      ],
    ];
    for (const [hyp, ref, expected] of cases) {
      expect(sentenceChrf(hyp, [ref], { epsSmoothing: true }).score).toBeCloseTo(expected, 6);
    }
  });
});

describe('corpusChrf, hand-computed', () => {
  it('averages precision and recall over the orders both sides have, then takes F_β', () => {
    // "ab" vs "abc": orders 1, 2 exist on both sides (P = 1, 1; R = 2/3, 1/2), order 3 only in the reference.
    const { score, statistics } = corpusChrf(['ab'], ['abc']);
    expect(statistics.slice(0, 9)).toEqual([2, 3, 2, 1, 2, 1, 0, 1, 0]);
    const p = 1;
    const r = (2 / 3 + 1 / 2) / 2;
    expect(score).toBeCloseTo((100 * 5 * p * r) / (4 * p + r), 10);
  });

  it('counts characters as code points and ignores whitespace by default', () => {
    expect(corpusChrf(['😀 x'], ['😀x']).score).toBeCloseTo(100, 10);
    expect(corpusChrf(['a b'], ['ab'], { whitespace: true }).score).toBeLessThan(100);
  });

  it('takes the reference with the best F for each sentence', () => {
    const best = corpusChrf(['the cat'], [['a dog', 'the cat']]).score;
    expect(best).toBeCloseTo(100, 10);
    expect(() => corpusChrf(['a'], [])).toThrow(/one reference entry per hypothesis/);
  });
});
