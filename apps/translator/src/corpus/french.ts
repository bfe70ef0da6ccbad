/**
 * @file Renders a sentence tree in the French-like target language: most adjectives follow the noun, articles
 * and adjectives agree with their noun, verbs with their subject, negation wraps the verb (ne … pas), and
 * articles contract (de + le = du, à + les = aux) and elide (ne → n', de → d', que → qu') as in French.
 */
import { agreeingForm, agreementOf } from './agreement.js';
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

const conjunctions = { and: 'et', but: 'mais' } as const;

export function frenchSentence(sentence: Sentence): string[] {
  const words: string[] = [];
  sentence.clauses.forEach((clause, i) => {
    if (i > 0) words.push(conjunctions[sentence.conjunctions[i - 1]]);
    words.push(...frenchSubject(clause.subject));
    words.push(...frenchPredicate(clause.predicate, agreementOf(clause.subject), clause.negated));
  });
  return elide(contract([...words, '.']));
}

function frenchSubject(subject: Subject): string[] {
  switch (subject.kind) {
    case 'pronoun':
      return [pronouns[subject.name].fr];
    case 'noun':
      return frenchNounPhrase(subject);
    case 'and':
      return [...frenchNounPhrase(subject.parts[0]), 'et', ...frenchNounPhrase(subject.parts[1])];
  }
}

function frenchNounPhrase(phrase: NounPhrase): string[] {
  const agreement: Agreement = {
    person: phrase.plural ? '3pl' : '3sg',
    gender: phrase.noun.gender,
    plural: phrase.plural,
  };
  const { fr } = phrase.determiner;
  const words = [phrase.plural ? fr.plural : fr[phrase.noun.gender]];
  if (phrase.before) words.push(agreeingForm(phrase.before.fr, agreement));
  words.push(phrase.plural ? phrase.noun.frPlural : phrase.noun.fr);
  if (phrase.after) words.push(agreeingForm(phrase.after.fr, agreement));
  if (phrase.modifier) words.push(...frenchPrepositionalPhrase(phrase.modifier));
  if (phrase.relative) words.push(...frenchRelative(phrase.relative, agreement));
  return words;
}

function frenchRelative(relative: RelativeClause, head: Agreement): string[] {
  if (relative.kind === 'subject')
    return ['qui', ...frenchPredicate(relative.predicate, head, relative.negated)];
  return [
    'que',
    ...frenchSubject(relative.subject),
    ...frenchVerb(relative.verb, agreementOf(relative.subject), relative.negated),
  ];
}

function frenchPrepositionalPhrase(phrase: PrepositionalPhrase): string[] {
  return [...phrase.preposition.fr.split(' '), ...frenchNounPhrase(phrase.object)];
}

function frenchPredicate(predicate: Predicate, subject: Agreement, negated: boolean): string[] {
  switch (predicate.kind) {
    case 'copula':
      return [...negate(copula.fr[subject.person], negated), agreeingForm(predicate.adjective.fr, subject)];
    case 'intransitive':
      return [
        ...frenchVerb(predicate.verb, subject, negated),
        ...(predicate.modifier ? frenchPrepositionalPhrase(predicate.modifier) : []),
      ];
    case 'transitive':
      return [
        ...frenchVerb(predicate.verb, subject, negated),
        ...frenchNounPhrase(predicate.object),
        ...(predicate.modifier ? frenchPrepositionalPhrase(predicate.modifier) : []),
      ];
    case 'motion':
      return [...frenchVerb(motionVerb, subject, negated), 'à', ...frenchNounPhrase(predicate.destination)];
  }
}

function frenchVerb(verb: Verb, subject: Agreement, negated: boolean): string[] {
  return negate(verb.fr[subject.person], negated);
}

function negate(verbForm: string, negated: boolean): string[] {
  return negated ? ['ne', verbForm, 'pas'] : [verbForm];
}

const contractions: Record<string, string> = { 'de le': 'du', 'de les': 'des', 'à le': 'au', 'à les': 'aux' };

/** de + le → du, de + les → des, à + le → au, à + les → aux. */
export function contract(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const merged = i + 1 < words.length ? contractions[`${words[i]} ${words[i + 1]}`] : undefined;
    if (merged) {
      out.push(merged);
      i++;
    } else {
      out.push(words[i]);
    }
  }
  return out;
}

const elidable = new Set(['ne', 'de', 'que', 'je', 'le', 'la']);
const startsWithVowel = /^[aeiouyàâéèêîôû]/;

/** ne + est → n'est, de + un → d'un, que + il → qu'il: one token, as French writes it. */
export function elide(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const next = words[i + 1];
    if (elidable.has(words[i]) && next !== undefined && startsWithVowel.test(next)) {
      out.push(`${words[i].slice(0, -1)}'${next}`);
      i++;
    } else {
      out.push(words[i]);
    }
  }
  return out;
}
