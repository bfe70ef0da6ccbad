/** @file Renders a sentence tree as English words: adjectives before the noun, "does not" for negation. */
import { agreementOf } from './agreement.js';
import { copula, motionVerb, pronouns, type Verb } from './lexicon.js';
import type {
  Agreement,
  NounPhrase,
  Predicate,
  PrepositionalPhrase,
  RelativeClause,
  Sentence,
  Subject,
} from './syntax.js';

export function englishSentence(sentence: Sentence): string[] {
  const words: string[] = [];
  sentence.clauses.forEach((clause, i) => {
    if (i > 0) words.push(sentence.conjunctions[i - 1]);
    words.push(...englishSubject(clause.subject));
    words.push(...englishPredicate(clause.predicate, agreementOf(clause.subject), clause.negated));
  });
  return [...words, '.'];
}

export function englishSubject(subject: Subject): string[] {
  switch (subject.kind) {
    case 'pronoun':
      return [pronouns[subject.name].en];
    case 'noun':
      return englishNounPhrase(subject);
    case 'and':
      return [...englishNounPhrase(subject.parts[0]), 'and', ...englishNounPhrase(subject.parts[1])];
  }
}

export function englishNounPhrase(phrase: NounPhrase): string[] {
  const determiner = phrase.plural ? phrase.determiner.en.plural : phrase.determiner.en.singular;
  if (determiner === null) {
    throw new Error(`englishNounPhrase: determiner has no ${phrase.plural ? 'plural' : 'singular'} form`);
  }
  const words = [determiner];
  if (phrase.before) words.push(phrase.before.en);
  if (phrase.after) words.push(phrase.after.en);
  words.push(phrase.plural ? phrase.noun.enPlural : phrase.noun.en);
  if (phrase.modifier) words.push(...englishPrepositionalPhrase(phrase.modifier));
  if (phrase.relative) {
    const head: Agreement = {
      person: phrase.plural ? '3pl' : '3sg',
      gender: phrase.noun.gender,
      plural: phrase.plural,
    };
    words.push(...englishRelative(phrase.relative, head));
  }
  return words;
}

function englishRelative(relative: RelativeClause, head: Agreement): string[] {
  if (relative.kind === 'subject')
    return ['that', ...englishPredicate(relative.predicate, head, relative.negated)];
  return [
    'that',
    ...englishSubject(relative.subject),
    ...englishVerb(relative.verb, agreementOf(relative.subject), relative.negated),
  ];
}

function englishPrepositionalPhrase(phrase: PrepositionalPhrase): string[] {
  return [...phrase.preposition.en.split(' '), ...englishNounPhrase(phrase.object)];
}

function englishPredicate(predicate: Predicate, subject: Agreement, negated: boolean): string[] {
  switch (predicate.kind) {
    case 'copula':
      return [copula.en[subject.person], ...(negated ? ['not'] : []), predicate.adjective.en];
    case 'intransitive':
      return [
        ...englishVerb(predicate.verb, subject, negated),
        ...(predicate.modifier ? englishPrepositionalPhrase(predicate.modifier) : []),
      ];
    case 'transitive':
      return [
        ...englishVerb(predicate.verb, subject, negated),
        ...englishNounPhrase(predicate.object),
        ...(predicate.modifier ? englishPrepositionalPhrase(predicate.modifier) : []),
      ];
    case 'motion':
      return [
        ...englishVerb(motionVerb, subject, negated),
        'to',
        ...englishNounPhrase(predicate.destination),
      ];
  }
}

/** "sleeps", "sleep", "does not sleep", "do not sleep". */
function englishVerb(verb: Verb, subject: Agreement, negated: boolean): string[] {
  const thirdSingular = subject.person === '3sg';
  if (negated) return [thirdSingular ? 'does' : 'do', 'not', ...verb.en.split(' ')];
  return (thirdSingular ? verb.en3sg : verb.en).split(' ');
}
