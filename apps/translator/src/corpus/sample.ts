/**
 * @file Random sentence trees from the built-in grammar. A per-sentence "richness" in [0, 1) scales the
 * chance of every optional part (adjectives, prepositional phrases, relative clauses, coordination), so one
 * stream mixes three-word sentences with thirty-word ones.
 */
import type { Generator } from '@tensorloom/tensor';
import {
  adjectives,
  determiners,
  type Noun,
  nouns,
  type PronounName,
  prepositions,
  verbs,
} from './lexicon.js';
import type {
  Clause,
  NounPhrase,
  Predicate,
  PrepositionalPhrase,
  RelativeClause,
  Sentence,
  Subject,
} from './syntax.js';

/** Prepositional phrases and relative clauses nest at most this deep. */
const maxDepth = 2;

const animateNouns = nouns.filter((n) => n.animate);
const placeNouns = nouns.filter((n) => n.place);
const transitiveVerbs = verbs.filter((v) => v.transitive);
const intransitiveVerbs = verbs.filter((v) => !v.transitive);
const singularDeterminers = determiners.filter((d) => d.en.singular !== null);
const pluralDeterminers = determiners.filter((d) => d.en.plural !== null);

export class SentenceSampler {
  private richness = 0;

  constructor(private readonly random: Generator) {}

  sentence(): Sentence {
    this.richness = this.random.uniform();
    const clauses: Clause[] = [this.clause()];
    const conjunctions: ('and' | 'but')[] = [];
    while (clauses.length < 3 && this.chance(0.6 * this.richness)) {
      conjunctions.push(this.chance(0.7) ? 'and' : 'but');
      clauses.push(this.clause());
    }
    return { clauses, conjunctions };
  }

  private clause(): Clause {
    const kind = this.weighted({ intransitive: 3, transitive: 4, copula: 1.5, motion: 1.5 });
    const subject = kind === 'copula' ? this.subject(false) : this.subject(true);
    return { subject, predicate: this.predicate(kind, 0), negated: this.chance(0.2) };
  }

  /** A pronoun, a noun phrase or two coordinated ones; `animate` for subjects of verbs. */
  private subject(animate: boolean): Subject {
    if (this.chance(0.25)) {
      // Adjectives after "i"/"we" would need the speaker's gender: only he/she take a copula.
      const names: PronounName[] = animate ? ['i', 'he', 'she', 'we'] : ['he', 'she'];
      return { kind: 'pronoun', name: this.pick(names) };
    }
    const heads = animate ? animateNouns : nouns;
    if (this.chance(0.3 * this.richness)) {
      return { kind: 'and', parts: [this.nounPhrase(heads, 1), this.nounPhrase(heads, 1)] };
    }
    return this.nounPhrase(heads, 0);
  }

  private predicate(kind: Predicate['kind'], depth: number): Predicate {
    switch (kind) {
      case 'copula':
        return { kind, adjective: this.pick(adjectives) };
      case 'intransitive':
        return { kind, verb: this.pick(intransitiveVerbs), modifier: this.maybeModifier(depth, 0.4) };
      case 'transitive':
        return {
          kind,
          verb: this.pick(transitiveVerbs),
          object: this.nounPhrase(nouns, depth + 1),
          modifier: this.maybeModifier(depth, 0.3),
        };
      case 'motion':
        return { kind, destination: this.nounPhrase(placeNouns, depth + 1) };
    }
  }

  private nounPhrase(heads: readonly Noun[], depth: number): NounPhrase {
    const noun = this.pick(heads);
    const plural = this.chance(0.4);
    const adjective = (position: 'before' | 'after', p: number) =>
      this.chance(p) ? this.pick(adjectives.filter((a) => a.position === position)) : undefined;
    const phrase: NounPhrase = {
      kind: 'noun',
      determiner: this.pick(plural ? pluralDeterminers : singularDeterminers),
      noun,
      plural,
      before: adjective('before', 0.1 + 0.3 * this.richness),
      after: adjective('after', 0.15 + 0.4 * this.richness),
    };
    if (depth < maxDepth && this.chance(0.35 * this.richness)) {
      phrase.relative = this.relative(noun.animate, depth);
    } else {
      phrase.modifier = this.maybeModifier(depth, 0.3);
    }
    return phrase;
  }

  private relative(animateHead: boolean, depth: number): RelativeClause {
    const negated = this.chance(0.15);
    if (this.chance(0.5)) {
      const subject: Subject = this.chance(0.3)
        ? { kind: 'pronoun', name: this.pick(['i', 'he', 'she', 'we'] as const) }
        : this.nounPhrase(animateNouns, depth + 1);
      return { kind: 'object', subject, verb: this.pick(transitiveVerbs), negated };
    }
    const kind = animateHead ? this.weighted({ intransitive: 3, transitive: 3, copula: 2 }) : 'copula';
    return { kind: 'subject', predicate: this.predicate(kind, depth + 1), negated };
  }

  private maybeModifier(depth: number, p: number): PrepositionalPhrase | undefined {
    if (depth >= maxDepth || !this.chance(p * this.richness)) return undefined;
    return { preposition: this.pick(prepositions), object: this.nounPhrase(placeNouns, depth + 1) };
  }

  private chance(p: number): boolean {
    return this.random.uniform() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.random.integer(0, items.length)];
  }

  private weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.random.uniform() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      r -= weight;
      if (r < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
}
