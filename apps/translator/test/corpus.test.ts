import { describe, expect, it } from 'vitest';
import { builtinCorpus } from '../src/corpus/builtin.js';
import { englishSentence } from '../src/corpus/english.js';
import { frenchSentence } from '../src/corpus/french.js';
import {
  adjectives,
  determiners,
  nouns,
  type PronounName,
  prepositions,
  verbs,
} from '../src/corpus/lexicon.js';
import type { Clause, NounPhrase, Predicate, RelativeClause, Subject } from '../src/corpus/syntax.js';

// Small builders for hand-made trees.
const noun = (en: string) => nouns.find((n) => n.en === en) ?? fail(`no noun ${en}`);
const adjective = (en: string) => adjectives.find((a) => a.en === en) ?? fail(`no adjective ${en}`);
const verb = (en: string) => verbs.find((v) => v.en === en) ?? fail(`no verb ${en}`);
const preposition = (en: string) => prepositions.find((p) => p.en === en) ?? fail(`no preposition ${en}`);
const determiner = (en: string) =>
  determiners.find((d) => d.en.singular === en || d.en.plural === en) ?? fail(`no determiner ${en}`);

function fail(message: string): never {
  throw new Error(message);
}

function np(
  det: string,
  head: string,
  options: { plural?: boolean; adjectives?: string[]; relative?: RelativeClause; near?: NounPhrase } = {},
): NounPhrase {
  const phrase: NounPhrase = {
    kind: 'noun',
    determiner: determiner(det),
    noun: noun(head),
    plural: !!options.plural,
  };
  for (const a of options.adjectives ?? []) phrase[adjective(a).position] = adjective(a);
  if (options.relative) phrase.relative = options.relative;
  if (options.near) phrase.modifier = { preposition: preposition('near'), object: options.near };
  return phrase;
}

const pronoun = (name: PronounName): Subject => ({ kind: 'pronoun', name });

function translate(subject: Subject, predicate: Predicate, negated = false): [string, string] {
  const clause: Clause = { subject, predicate, negated };
  const sentence = { clauses: [clause], conjunctions: [] };
  return [englishSentence(sentence).join(' '), frenchSentence(sentence).join(' ')];
}

describe('built-in grammar', () => {
  it('reorders adjectives: most follow the noun in French, a few precede it', () => {
    const red = translate(np('the', 'car', { adjectives: ['red'] }), {
      kind: 'copula',
      adjective: adjective('fast'),
    });
    expect(red).toEqual(['the red car is fast .', 'la voiture rouge est rapide .']);
    const both = translate(pronoun('i'), {
      kind: 'transitive',
      verb: verb('see'),
      object: np('the', 'car', { plural: true, adjectives: ['small', 'red'] }),
    });
    expect(both).toEqual(['i see the small red cars .', 'je vois les petites voitures rouges .']);
  });

  it('makes articles and adjectives agree with the noun in gender and number', () => {
    const cases: [NounPhrase, string][] = [
      [np('the', 'cat', { adjectives: ['white'] }), 'le chat blanc'],
      [np('the', 'cow', { adjectives: ['white'] }), 'la vache blanche'],
      [np('the', 'cat', { plural: true, adjectives: ['white'] }), 'les chats blancs'],
      [np('the', 'cow', { plural: true, adjectives: ['white'] }), 'les vaches blanches'],
      [np('a', 'queen', { adjectives: ['old'] }), 'une vieille reine'],
      [np('this', 'horse', { plural: true, adjectives: ['beautiful'] }), 'ces beaux chevaux'],
      [np('my', 'house', { adjectives: ['new'] }), 'ma nouvelle maison'],
      [np('his', 'sister', {}), 'sa sœur'],
      [np('her', 'brother', {}), 'son frère'],
    ];
    for (const [phrase, french] of cases) {
      const [, fr] = translate(phrase, { kind: 'intransitive', verb: verb('sleep') });
      expect(fr.startsWith(`${french} `)).toBe(true);
    }
  });

  it('makes verbs agree with the subject, and predicative adjectives with its gender and number', () => {
    const sleep: Predicate = { kind: 'intransitive', verb: verb('sleep') };
    expect(translate(pronoun('i'), sleep)).toEqual(['i sleep .', 'je dors .']);
    expect(translate(pronoun('he'), sleep)).toEqual(['he sleeps .', 'il dort .']);
    expect(translate(pronoun('we'), sleep)).toEqual(['we sleep .', 'nous dormons .']);
    expect(translate(np('the', 'cat', { plural: true }), sleep)).toEqual([
      'the cats sleep .',
      'les chats dorment .',
    ]);
    const tired: Predicate = { kind: 'copula', adjective: adjective('tired') };
    expect(translate(pronoun('she'), tired)).toEqual(['she is tired .', 'elle est fatiguée .']);
    // Coordinated subjects are plural, and feminine only if every part is.
    const white: Predicate = { kind: 'copula', adjective: adjective('white') };
    const mixed: Subject = { kind: 'and', parts: [np('the', 'car'), np('the', 'dog')] };
    const feminine: Subject = { kind: 'and', parts: [np('the', 'car'), np('the', 'house')] };
    expect(translate(mixed, white)[1]).toBe('la voiture et le chien sont blancs .');
    expect(translate(feminine, white)[1]).toBe('la voiture et la maison sont blanches .');
  });

  it('agrees inside relative clauses: "qui" with the head noun, "que" with its own subject', () => {
    const subjectRelative: RelativeClause = {
      kind: 'subject',
      predicate: { kind: 'copula', adjective: adjective('red') },
      negated: false,
    };
    const objectRelative: RelativeClause = {
      kind: 'object',
      subject: pronoun('she'),
      verb: verb('see'),
      negated: false,
    };
    const laugh: Predicate = { kind: 'intransitive', verb: verb('laugh') };
    expect(translate(np('the', 'cow', { plural: true, relative: subjectRelative }), laugh)).toEqual([
      'the cows that are red laugh .',
      'les vaches qui sont rouges rient .',
    ]);
    expect(translate(np('the', 'dog', { relative: objectRelative }), laugh)).toEqual([
      'the dog that she sees laughs .',
      "le chien qu'elle voit rit .",
    ]);
  });

  it('negates around the verb, contracts articles and elides before vowels', () => {
    const walk: Predicate = { kind: 'intransitive', verb: verb('walk') };
    expect(translate(pronoun('i'), walk, true)).toEqual(['i do not walk .', 'je ne marche pas .']);
    expect(translate(pronoun('he'), { kind: 'copula', adjective: adjective('happy') }, true)).toEqual([
      'he is not happy .',
      "il n'est pas heureux .",
    ]);
    expect(
      translate(pronoun('we'), { kind: 'motion', destination: np('the', 'park', { plural: true }) }, true),
    ).toEqual(['we do not go to the parks .', "nous n'allons pas aux parcs ."]);
    expect(translate(pronoun('she'), { kind: 'motion', destination: np('the', 'garden') })[1]).toBe(
      'elle va au jardin .',
    );
    const nearGarden = np('the', 'cat', { near: np('the', 'garden') });
    expect(translate(nearGarden, walk)[1]).toBe('le chat près du jardin marche .');
    const nearHouses = np('the', 'cat', { near: np('the', 'house', { plural: true }) });
    expect(translate(nearHouses, walk)[1]).toBe('le chat près des maisons marche .');
    const nearAHouse = np('the', 'cat', { near: np('a', 'house') });
    expect(translate(nearAHouse, walk)[1]).toBe("le chat près d'une maison marche .");
  });

  it('renders phrasal verbs and multi-word prepositions word for word into one French word', () => {
    const [en, fr] = translate(pronoun('he'), {
      kind: 'transitive',
      verb: verb('look for'),
      object: np('the', 'key'),
      modifier: { preposition: preposition('in front of'), object: np('the', 'door') },
    });
    expect(en).toBe('he looks for the key in front of the door .');
    expect(fr).toBe('il cherche la clé devant la porte .');
  });
});

describe('builtinCorpus', () => {
  const corpus = builtinCorpus({ seed: 7, size: 3000 });
  const all = [...corpus.train, ...corpus.dev, ...corpus.test];

  it('is deterministic for a seed and differs between seeds', () => {
    expect(builtinCorpus({ seed: 7, size: 3000 })).toEqual(corpus);
    expect(builtinCorpus({ seed: 8, size: 3000 }).train.slice(0, 20)).not.toEqual(corpus.train.slice(0, 20));
  });

  it('splits 80/10/10 into held-out sets whose sources never occur in train', () => {
    expect([corpus.train.length, corpus.dev.length, corpus.test.length]).toEqual([2400, 300, 300]);
    const trainSources = new Set(corpus.train.map((p) => p.src));
    expect(corpus.test.some((p) => trainSources.has(p.src))).toBe(false);
    expect(corpus.dev.some((p) => trainSources.has(p.src))).toBe(false);
    expect(new Set(all.map((p) => p.src)).size).toBe(all.length);
    const custom = builtinCorpus({ seed: 1, size: 100, devFraction: 0.2, testFraction: 0.05 });
    expect([custom.train.length, custom.dev.length, custom.test.length]).toEqual([75, 20, 5]);
  });

  it('has sentences of 3 to 30 tokens on both sides, short and long ones', () => {
    const lengths = all.flatMap((p) => [p.src.split(' ').length, p.tgt.split(' ').length]);
    expect(Math.min(...lengths)).toBe(3);
    expect(Math.max(...lengths)).toBe(30);
    const sourceLengths = all.map((p) => p.src.split(' ').length);
    expect(sourceLengths.filter((n) => n <= 6).length).toBeGreaterThan(300);
    expect(sourceLengths.filter((n) => n >= 20).length).toBeGreaterThan(300);
  });

  it('has a small vocabulary on each side', () => {
    const vocabulary = (side: 'src' | 'tgt') => new Set(all.flatMap((p) => p[side].split(' '))).size;
    expect(vocabulary('src')).toBeGreaterThanOrEqual(100);
    expect(vocabulary('src')).toBeLessThanOrEqual(300);
    expect(vocabulary('tgt')).toBeGreaterThanOrEqual(100);
    expect(vocabulary('tgt')).toBeLessThanOrEqual(300);
  });

  it('translates each source one way only, whatever the seed', () => {
    const seen = new Map<string, string>();
    for (const seed of [1, 2, 3]) {
      const { train, dev, test } = builtinCorpus({ seed, size: 2000 });
      for (const { src, tgt } of [...train, ...dev, ...test]) {
        expect(seen.get(src) ?? tgt).toBe(tgt);
        seen.set(src, tgt);
      }
    }
  });

  it('reorders and agrees in generated sentences too', () => {
    const withRedCar = all.filter(
      (p) => / red cars? /.test(p.src) && !/ (small|big|young|pretty|old|good|beautiful|new) red/.test(p.src),
    );
    expect(withRedCar.length).toBeGreaterThan(0);
    for (const { tgt } of withRedCar)
      expect(tgt).toMatch(
        /(la|une|cette|ma|sa) voiture rouge |(les|ces|mes|ses|deux|trois) voitures rouges /,
      );
  });

  it('rejects bad options', () => {
    expect(() => builtinCorpus({ seed: 1, size: 0 })).toThrow(/size must be a positive integer/);
    expect(() => builtinCorpus({ seed: 1, size: 10, devFraction: 0.6, testFraction: 0.5 })).toThrow(
      /sum to less than 1/,
    );
    expect(() => builtinCorpus({ seed: 1, size: 500, maxLength: 3 })).toThrow(
      /found only \d+ distinct sentences/,
    );
  });
});

describe('builtinCorpus lengthBias', () => {
  const all = (c: ReturnType<typeof builtinCorpus>) => [...c.train, ...c.dev, ...c.test];
  const meanLength = (c: ReturnType<typeof builtinCorpus>) => {
    const pairs = all(c);
    return pairs.reduce((sum, p) => sum + p.src.split(' ').length, 0) / pairs.length;
  };

  it('leaves the default corpus as it was at 0, and favours shorter sentences above it', () => {
    const plain = builtinCorpus({ seed: 3, size: 600 });
    expect(builtinCorpus({ seed: 3, size: 600, lengthBias: 0 })).toEqual(plain);
    const biased = builtinCorpus({ seed: 3, size: 600, lengthBias: 2 });
    expect(meanLength(biased)).toBeLessThan(meanLength(plain) - 2);
    for (const { src, tgt } of all(biased)) {
      for (const side of [src, tgt]) expect(side.split(' ').length).toBeLessThanOrEqual(30);
    }
    expect(() => builtinCorpus({ seed: 3, size: 10, lengthBias: -1 })).toThrow(/lengthBias must be ≥ 0/);
  });
});
