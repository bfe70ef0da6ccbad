/**
 * @file The sentence trees of the built-in corpus. One tree is rendered twice, as English and as French, so
 * every English sentence has exactly one translation.
 */
import type { Adjective, Determiner, Gender, Noun, Preposition, PronounName, Verb } from './lexicon.js';

export interface NounPhrase {
  kind: 'noun';
  determiner: Determiner;
  noun: Noun;
  plural: boolean;
  /** At most one adjective of each French position: "the small red car" → "la petite voiture rouge". */
  before?: Adjective;
  after?: Adjective;
  modifier?: PrepositionalPhrase;
  relative?: RelativeClause;
}

export interface PronounPhrase {
  kind: 'pronoun';
  name: PronounName;
}

/** "the cat and the dog": plural, and feminine only if every part is. */
export interface Coordination {
  kind: 'and';
  parts: readonly [NounPhrase, NounPhrase];
}

export type Subject = NounPhrase | PronounPhrase | Coordination;

export interface PrepositionalPhrase {
  preposition: Preposition;
  object: NounPhrase;
}

export type Predicate =
  | { kind: 'intransitive'; verb: Verb; modifier?: PrepositionalPhrase }
  | { kind: 'transitive'; verb: Verb; object: NounPhrase; modifier?: PrepositionalPhrase }
  | { kind: 'copula'; adjective: Adjective }
  | { kind: 'motion'; destination: NounPhrase };

export interface Clause {
  subject: Subject;
  predicate: Predicate;
  negated: boolean;
}

/** "that sleeps" (qui dort: the head noun is the subject) or "that the dog sees" (que le chien voit). */
export type RelativeClause =
  | { kind: 'subject'; predicate: Predicate; negated: boolean }
  | { kind: 'object'; subject: Subject; verb: Verb; negated: boolean };

/** Clauses joined by "and" / "but". */
export interface Sentence {
  clauses: readonly Clause[];
  conjunctions: readonly ('and' | 'but')[];
}

/** Person, number and gender: what verbs and adjectives agree with. */
export interface Agreement {
  person: '1sg' | '3sg' | '1pl' | '3pl';
  gender: Gender;
  plural: boolean;
}
